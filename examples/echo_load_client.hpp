// echo_load_client: c10k's load client, meant to run as a child process of its own (see
// child_process.hpp). It opens n connections to an echo server, one goroutine each; once
// all are open, every one makes `rounds` round trips of a 64-byte message at the same
// time, timing each and checking the echo byte for byte. Then it prints one line
//   ready <connected> <failed> <p50 us> <p99 us> <max us>
// keeps every connection open until its stdin reaches end of file (meanwhile the parent
// measures the server with all n connections alive), closes them and exits 0.
// At most 256 dials are in flight at once: past the server's listen backlog a SYN is
// dropped and retried only a second later, which would measure the backlog, not the
// server. Every call has a deadline, so a stuck server shows up as failures, not a hang.
#pragma once

#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "measure.hpp"

namespace example {

namespace detail {

// `rounds` timed round trips on c; appends each one's microseconds to latencies.
inline std::error_code echo_rounds(goro::net::conn& c, long who, long rounds, std::vector<double>& latencies) {
  std::error_code ec;
  std::string message(64, ' '), echoed(64, ' ');
  for (long r = 0; r < rounds && !ec; ++r) {
    std::snprintf(message.data(), message.size(), "client %ld round %ld", who, r);
    auto t = steady::now();
    c.write(message, ec);
    for (std::size_t have = 0; have < echoed.size() && !ec;) {
      std::size_t n = c.read(std::span<char>(echoed.data() + have, echoed.size() - have), ec);
      if (n == 0 && !ec) ec = std::make_error_code(std::errc::connection_reset);  // hung up early
      have += n;
    }
    latencies.push_back(ms_since(t) * 1000);
    if (!ec && echoed != message) ec = std::make_error_code(std::errc::illegal_byte_sequence);
  }
  return ec;
}

}  // namespace detail

inline int echo_load_client_main(const std::string& addr, long n, long rounds) {
  using namespace std::chrono_literals;
  return goro::run([&] {
    std::vector<goro::net::conn> conns(static_cast<std::size_t>(n));
    std::vector<std::vector<double>> latencies(conns.size());  // each goroutine fills its own
    std::atomic<long> failed{0};
    goro::semaphore dialing(256);
    goro::wait_group connected, finished;
    auto all_connected = goro::make_chan<goro::unit>();
    connected.add(static_cast<int>(n));
    finished.add(static_cast<int>(n));
    for (long i = 0; i < n; ++i)
      goro::go([&, i, all_connected] {
        goro::net::conn& c = conns[static_cast<std::size_t>(i)];
        std::error_code ec;
        dialing.acquire();
        c = goro::net::dial("tcp", addr, 20s, ec);
        dialing.release();
        connected.done();
        all_connected.recv();  // the round trips start together, all n connections open
        if (!ec) {
          c.set_deadline(steady::now() + 30s);
          ec = detail::echo_rounds(c, i, rounds, latencies[static_cast<std::size_t>(i)]);
        }
        if (ec && failed.fetch_add(1) < 5) std::fprintf(stderr, "client %ld: %s\n", i, ec.message().c_str());
        finished.done();
      });
    connected.wait();
    all_connected.close();
    finished.wait();

    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    percentiles p = percentiles_of(std::move(all));
    std::printf("ready %ld %ld %.1f %.1f %.1f\n", n - failed.load(), failed.load(), p.p50, p.p99, p.max);
    std::fflush(stdout);
    goro::blocking([] {
      while (std::getchar() != EOF) {
      }
    });
    for (goro::net::conn& c : conns) {
      std::error_code ignored;
      c.close(ignored);
    }
    return 0;
  });
}

}  // namespace example

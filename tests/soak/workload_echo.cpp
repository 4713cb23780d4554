// Soak workload: echo traffic over loopback. A server goroutine accepts and runs one
// goroutine per connection; each round, clients dial, send random payloads (some
// half-close and expect the end of stream back), and check every byte echoed. Every
// call has a 10 s deadline, so a lost wake-up fails the run instead of hanging it.
#include <goro/goro.hpp>
#include <goro/net.hpp>

#include <chrono>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "soak_workloads.hpp"

using namespace std::chrono_literals;

namespace soak {

namespace {

constexpr auto kLiveness = 10s;

void echo_connection(goro::net::conn c) {
  std::vector<char> buf(4096);
  std::error_code ec;
  c.set_deadline(std::chrono::steady_clock::now() + kLiveness);
  for (;;) {
    std::size_t n = c.read(buf, ec);
    if (ec || n == 0) break;  // the end of stream, or the client's reset
    c.write(std::string_view(buf.data(), n), ec);
    if (ec) break;
  }
  if (ec && ec != std::errc::connection_reset) fail("echo", "server side: " + ec.message());
  c.close(ec);
}

// One client connection: `messages` payloads out and back; half-closes at the end when
// `half_close`, and then the server's end of stream must follow.
void client(const goro::net::address& server, int messages, bool half_close, std::uint64_t seed, counters& c) {
  std::mt19937_64 rng(seed);
  std::error_code ec;
  goro::net::conn conn = goro::net::dial("tcp", server, ec);
  if (ec) return fail("echo", "dial: " + ec.message());
  conn.set_deadline(std::chrono::steady_clock::now() + kLiveness);
  std::string out, in;
  for (int m = 0; m < messages && !ec; ++m) {
    out.resize(1 + rng() % 8192);
    for (char& ch : out) ch = static_cast<char>('a' + rng() % 26);
    conn.write(out, ec);
    in.resize(out.size());
    for (std::size_t got = 0; got < in.size() && !ec;) {
      std::size_t n = conn.read(std::span<char>(in.data() + got, in.size() - got), ec);
      if (!ec && n == 0) ec = std::make_error_code(std::errc::connection_aborted);
      got += n;
    }
    if (!ec && in != out) fail("echo", "echoed bytes differ from the bytes sent");
    if (!ec) add(c.echoed, out.size());
  }
  if (!ec && half_close) {
    conn.close_write(ec);
    char b;
    std::size_t n = ec ? 0 : conn.read(std::span<char>(&b, 1), ec);
    if (!ec && n != 0) fail("echo", "data after the server's end of stream");
  }
  if (ec) fail("echo", "client: " + ec.message());
  conn.close(ec);
  add(c.connections, 1);
}

}  // namespace

void echo_traffic(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
  const goro::net::address where = ln.addr();
  goro::wait_group serving;  // the acceptor and every connection goroutine
  serving.add(1);
  goro::go([ln, &serving]() mutable {
    for (;;) {
      std::error_code ec;
      goro::net::conn conn = ln.accept(ec);
      if (ec == goro::net::errc::closed) break;
      if (ec) {
        fail("echo", "accept: " + ec.message());
        break;
      }
      serving.add(1);
      goro::go([conn, &serving] {
        echo_connection(conn);
        serving.done();
      });
    }
    serving.done();
  });
  while (!stop.err()) {
    const int clients = 1 + static_cast<int>(rng() % 16);
    goro::wait_group done;
    done.add(clients);
    for (int i = 0; i < clients; ++i)
      goro::go([&, messages = 1 + static_cast<int>(rng() % 8), half = rng() % 2 == 0, s = rng()] {
        client(where, messages, half, s, c);
        done.done();
      });
    done.wait();
  }
  ln.close();
  serving.wait();
}

}  // namespace soak

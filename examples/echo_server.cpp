// echo_server: a TCP echo server, one goroutine per connection, that stops cleanly on
// SIGINT or SIGTERM (the accept loop and the stop are examples/tcp_server.hpp, the
// signals examples/stop_signals.hpp).
//
//   echo_server [host:port]     default 127.0.0.1:7007; port 0 picks a free port. Prints
//                               "listening on 127.0.0.1:40123", echoes every byte back,
//                               and at the signal closes the listener and every open
//                               connection, waits for their goroutines, prints
//                               "shut down: served N connections" and exits 0.
//   echo_server --self-test     serves on 127.0.0.1:0, runs 200 client goroutines of 5
//                               round trips each (1 to 20,000 bytes, checked byte for
//                               byte) and 20 that stay connected and idle, then raises
//                               SIGINT on itself: the idle ones must see their
//                               connection closed, the server must have served 220 and
//                               its shutdown must return 0. Prints "self-test: ok ..."
//                               and exits 0, or prints every mismatch and exits 1.
// Every client call has a 20 s deadline, so a hang shows up as a failure, not a stall.
#include <goro/goro.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "self_test_failures.hpp"
#include "server_main.hpp"
#include "stop_signals.hpp"
#include "tcp_server.hpp"

using namespace std::chrono_literals;

namespace {

void echo(goro::net::conn c) {
  char buf[16384];
  std::error_code ec;
  for (;;) {
    std::size_t n = c.read(buf, ec);
    if (ec || n == 0) return;
    c.write(std::string_view(buf, n), ec);
    if (ec) return;
  }
}

// Serves on ln until ctx is done, reports how many connections it served (also in
// *served); the process's exit status.
int serve_until(const goro::net::listener& ln, const goro::context& ctx, std::size_t* served = nullptr) {
  std::size_t n = example::serve(ln, ctx, echo);
  std::printf("shut down: served %zu connections\n", n);
  std::fflush(stdout);
  if (served) *served = n;
  return 0;
}

using example::failures;

std::string message(int client, int round) {
  std::size_t size = (static_cast<std::size_t>(client) * 7919 + static_cast<std::size_t>(round) * 104729) % 20000 + 1;
  std::string m(size, '\0');
  for (std::size_t i = 0; i < size; ++i) m[i] = static_cast<char>('a' + (client + round + i) % 26);
  return m;
}

// Reads exactly want.size() bytes and compares them; "" if they match, else what went wrong.
std::string read_back(goro::net::conn& c, std::string_view want) {
  std::string got(want.size(), '\0');
  std::size_t have = 0;
  std::error_code ec;
  while (have < got.size()) {
    std::size_t n = c.read(std::span<char>(got.data() + have, got.size() - have), ec);
    if (ec) return "read: " + ec.message();
    if (n == 0) return "end of stream after " + std::to_string(have) + " of " + std::to_string(want.size()) + " bytes";
    have += n;
  }
  return got == want ? "" : "echoed bytes differ";
}

int self_test() {
  constexpr int kClients = 200, kRounds = 5, kIdle = 20;
  auto [ctx, stop] = example::stop_context();
  goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
  const goro::context server_ctx = ctx;  // lambdas capture a variable, not a binding
  const std::string addr = ln.addr().to_string();
  std::printf("listening on %s\n", addr.c_str());
  std::fflush(stdout);

  std::size_t served = 0;
  auto server_status = goro::make_chan<int>(1);
  goro::go([&, server_status] { server_status.send(serve_until(ln, server_ctx, &served)); });

  failures fails;
  auto dial = [&](int who, goro::net::conn& c) {
    std::error_code ec;
    c = goro::net::dial("tcp", addr, 20s, ec);
    if (ec) {
      fails.add("client " + std::to_string(who) + ": dial: " + ec.message());
      return false;
    }
    c.set_deadline(std::chrono::steady_clock::now() + 20s);
    return true;
  };
  auto round_trip = [&](int who, goro::net::conn& c, int round) {
    std::string m = message(who, round);
    std::error_code ec;
    c.write(m, ec);
    std::string err = ec ? "write: " + ec.message() : read_back(c, m);
    if (!err.empty()) fails.add("client " + std::to_string(who) + " round " + std::to_string(round) + ": " + err);
    return err.empty();
  };

  // Busy clients: a few round trips each, then they hang up.
  goro::wait_group busy;
  busy.add(kClients);
  for (int i = 0; i < kClients; ++i)
    goro::go([&, i] {
      goro::net::conn c;
      if (dial(i, c))
        for (int r = 0; r < kRounds && round_trip(i, c, r); ++r) {
        }
      std::error_code ignored;
      c.close(ignored);
      busy.done();
    });
  // Idle clients: one round trip, then they wait for the server to hang up on them.
  goro::wait_group idle_ready, idle_done;
  idle_ready.add(kIdle);
  idle_done.add(kIdle);
  for (int k = 0; k < kIdle; ++k)
    goro::go([&, k] {
      int who = kClients + k;
      goro::net::conn c;
      bool ok = dial(who, c) && round_trip(who, c, 0);
      idle_ready.done();
      if (ok) {
        char b[16];
        std::error_code ec;
        std::size_t n = c.read(b, ec);
        // A close with nothing unread is a FIN (0); a reset would be an error too.
        if (n != 0 || (ec && ec != std::errc::connection_reset))
          fails.add("idle client " + std::to_string(k) + ": expected the server to close, got " +
                    (ec ? ec.message() : std::to_string(n) + " bytes"));
      }
      std::error_code ignored;
      c.close(ignored);
      idle_done.done();
    });
  busy.wait();
  idle_ready.wait();

  example::interrupt_and_await(server_status, fails);
  idle_done.wait();
  stop();
  if (served != kClients + kIdle)
    fails.add("the server served " + std::to_string(served) + " connections, not " +
              std::to_string(kClients + kIdle));
  if (ctx.err() != goro::errc::canceled) fails.add("SIGINT did not cancel the signal context");

  if (int n = fails.report()) {
    std::printf("self-test: FAILED (%d failures)\n", n);
    return 1;
  }
  std::printf("self-test: ok: %d clients x %d round trips echoed, %d idle connections closed at SIGINT, "
              "%zu served, shutdown returned 0\n",
              kClients, kRounds, kIdle, served);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::server_main(argc, argv, "echo_server", "127.0.0.1:7007", &self_test, &serve_until);
}

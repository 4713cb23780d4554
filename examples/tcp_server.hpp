// tcp_server: the accept loop the example servers share (echo_server, http_hello).
//
//   std::size_t n = example::serve(ln, ctx, [](goro::net::conn c) { ... });
//
// serve runs handle(conn) in a goroutine of its own for every accepted connection until
// ctx is done. Then it closes the listener (which wakes the blocked accept with
// goro::net::errc::closed), closes every connection still open (which wakes its
// goroutine's blocked read or write with errc::closed), waits for every connection
// goroutine to return, and returns how many connections it served.
//
// Guarantees: when serve returns no connection goroutine of it is running and every
// socket it accepted is closed; a connection accepted while the stop is under way is
// closed at once, not served (nor counted). The live connections are a registry under a
// goro::mutex, so the stop and a connection's own end never race. handle owns nothing
// past its return (serve closes the conn after it); it must return once the conn reports
// an error. An exception escaping handle is printed on stderr and ends that connection
// only. An accept error other than closed (a connection reset before it was accepted,
// say) is printed and the loop goes on after 10 ms.
#pragma once

#include <goro/goro.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace example {

template <class Handler>
std::size_t serve(goro::net::listener ln, const goro::context& ctx, Handler handle) {
  goro::mutex mu;  // guards stopping, live and next_id
  bool stopping = false;
  std::unordered_map<std::uint64_t, goro::net::conn> live;
  std::uint64_t next_id = 0;
  goro::wait_group conns;  // one count per connection goroutine
  std::size_t served = 0;  // only the accept loop below touches it

  // The stop: on ctx.done() (or when serve ends on its own), close the listener and
  // every live connection.
  auto quit = goro::make_chan<goro::unit>();
  auto stopped = goro::make_chan<goro::unit>();
  goro::go([&, quit, stopped] {
    goro::select(goro::recv_case(ctx.done()), goro::recv_case(quit));
    {
      std::lock_guard lk(mu);
      stopping = true;
      for (auto& [id, c] : live) {
        std::error_code ignored;
        c.close(ignored);
      }
    }
    std::error_code ignored;
    ln.close(ignored);
    stopped.close();
  });

  for (;;) {
    std::error_code ec;
    goro::net::conn c = ln.accept(ec);
    if (ec == goro::net::errc::closed) break;
    if (ec) {
      std::fprintf(stderr, "accept: %s\n", ec.message().c_str());
      goro::sleep(std::chrono::milliseconds(10));
      continue;
    }
    std::unique_lock lk(mu);
    if (stopping) {
      c.close(ec);
      continue;  // the next accept reports closed
    }
    std::uint64_t id = next_id++;
    live.emplace(id, c);
    conns.add(1);
    ++served;
    lk.unlock();
    goro::go([&mu, &live, &conns, &handle, c, id]() mutable {
      try {
        handle(c);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection %llu: %s\n", static_cast<unsigned long long>(id), e.what());
      }
      {
        std::lock_guard lk(mu);
        live.erase(id);
      }
      std::error_code ignored;
      c.close(ignored);
      conns.done();  // last: once every connection is done, serve's frame may go away
    });
  }
  quit.close();  // the stop has begun already, unless the listener was closed elsewhere
  stopped.recv();
  conns.wait();
  return served;
}

}  // namespace example

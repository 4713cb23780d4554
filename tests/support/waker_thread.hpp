// start_waker_thread(f): a std::thread that runs f after making its first goro call, and
// returns only once it has. Such a thread counts as a possible waker of goroutines from
// then on (API.md settled detail 16), so a test in which it will wake run()'s main cannot
// be reported as a deadlock just because the thread had not started yet.
#pragma once

#include <goro/goro.hpp>

#include <future>
#include <thread>
#include <utility>

namespace goro::test {

template <class F>
std::thread start_waker_thread(F f) {
  std::promise<void> registered;
  std::future<void> ready = registered.get_future();
  std::thread t([p = std::move(registered), f = std::move(f)]() mutable {
    goro::yield();  // the first goro call of this thread
    p.set_value();
    f();
  });
  ready.wait();
  return t;
}

}  // namespace goro::test

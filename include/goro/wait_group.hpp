// goro::wait_group: Go's sync.WaitGroup. add(n) / done() / wait(); usable from goroutines
// and plain threads, reusable once wait() has returned. A counter that goes negative
// throws goro::panic("sync: negative WaitGroup counter") and leaves the counter as it was.
// add() with a positive delta while the counter is zero must happen before wait() (Go's
// rule); done() that brings the counter to zero releases every waiter.
#pragma once

#include <atomic>
#include <cstdint>

#include "goro/detail/sema.hpp"

namespace goro {

class wait_group {
 public:
  wait_group() = default;
  wait_group(const wait_group&) = delete;
  wait_group& operator=(const wait_group&) = delete;

  void add(int delta);
  void done() { add(-1); }
  void wait();

 private:
  // High 32 bits: the counter; low 32 bits: the number of waiters.
  std::atomic<std::uint64_t> state_{0};
  detail::sema sema_;
};

}  // namespace goro

// goro::mutex: Go's sync.Mutex. Lockable (std::lock_guard, std::unique_lock,
// std::scoped_lock work). A goroutine that must wait parks (its worker runs other
// goroutines); a plain thread blocks only itself.
//
// Fairness (Go's two modes, simplified): normally an unlock releases the lock and wakes
// the longest waiter, which then competes with newcomers (throughput: a running
// goroutine often takes the lock again without a switch); once the longest waiter has
// waited over 1 ms, unlock hands the lock straight to it (it stays locked across the
// hand-off), so no waiter starves behind a lock hog. Waiters are served FIFO.
// A mutex may be unlocked by another goroutine than the one that locked it (Go's rule).
// Unlocking an unlocked mutex is a fatal error: "fatal error: sync: unlock of unlocked
// mutex", exit status 2.
#pragma once

#include <atomic>
#include <cstdint>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"

namespace goro {

class mutex {
 public:
  mutex() = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  void lock() {
    std::uint32_t expected = 0;
    if (!state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed))
      lock_slow();
  }
  bool try_lock() noexcept {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    return !(s & kLocked) &&
           state_.compare_exchange_strong(s, s | kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void unlock() {
    std::uint32_t expected = kLocked;
    if (!state_.compare_exchange_strong(expected, 0, std::memory_order_release, std::memory_order_relaxed))
      unlock_slow();
  }

  struct waiter_node;  // a parked locker (src/sync/mutex.cpp)

 private:
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kHasWaiters = 2;

  void lock_slow();
  void unlock_slow();

  std::atomic<std::uint32_t> state_{0};
  detail::spinlock queue_lock_;
  detail::intrusive_fifo<waiter_node> queue_;
};

}  // namespace goro

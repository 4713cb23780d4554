// goro::shared_mutex: Go's sync.RWMutex. Lockable and SharedLockable (std::unique_lock,
// std::shared_lock, std::lock_guard work). Any number of readers or one writer. A
// writer that waits blocks new readers, so writers never starve; when a writer unlocks,
// the readers that queued meanwhile all get in before the next writer. Waiters park
// (goroutines) or block only their thread (plain threads); ownership is handed to them
// directly. Unlocking either side when not held is fatal ("sync: Unlock of unlocked
// RWMutex", "sync: RUnlock of unlocked RWMutex"; exit status 2).
#pragma once

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"

namespace goro {

class shared_mutex {
 public:
  shared_mutex() = default;
  shared_mutex(const shared_mutex&) = delete;
  shared_mutex& operator=(const shared_mutex&) = delete;

  void lock();
  bool try_lock() noexcept;
  void unlock();
  void lock_shared();
  bool try_lock_shared() noexcept;
  void unlock_shared();

  struct waiter_node;  // src/sync/shared_mutex.cpp

 private:
  using queue = detail::intrusive_fifo<waiter_node>;
  void wait_in(queue& q, detail::wait_reason reason);

  detail::spinlock lock_;
  int readers_ = 0;      // readers holding it
  bool writer_ = false;  // a writer holds it
  queue readers_waiting_;
  queue writers_waiting_;
};

}  // namespace goro

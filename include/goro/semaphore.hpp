// goro::semaphore: a weighted semaphore (Go's golang.org/x/sync/semaphore). semaphore
// s(n) holds n units; acquire(k) waits until k units are free and takes them; release(k)
// returns them. Waiters are served strictly FIFO: a large request at the head holds back
// later small ones (so it is never starved). Goroutines park; plain threads block only
// themselves. Acquiring more than the capacity throws std::invalid_argument (it could
// never succeed); releasing more than is held is fatal ("semaphore: released more than
// held", exit status 2). acquire(ctx, k) gives up when ctx is done first and returns
// false (having taken nothing); if the units were granted first it returns true even if
// ctx is done by then (Go's rule). A waiter that gives up from the head of the queue
// lets the requests behind it be served if they fit.
#pragma once

#include <cstdint>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"

namespace goro {

class context;

class semaphore {
 public:
  explicit semaphore(std::int64_t n) : size_(n) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  void acquire(std::int64_t k = 1);
  bool acquire(const context& ctx, std::int64_t k = 1);
  bool try_acquire(std::int64_t k = 1) noexcept;
  void release(std::int64_t k = 1);

  struct waiter_node;  // src/sync/semaphore.cpp

 private:
  detail::spinlock lock_;
  const std::int64_t size_;
  std::int64_t used_ = 0;
  detail::intrusive_list<waiter_node> waiters_;
  void check_request(std::int64_t k) const;  // throws for k outside [0, capacity]
  bool take_locked(std::int64_t k) noexcept;  // under lock_: k units now, if free and FIFO allows
  waiter_node* grant_locked() noexcept;
};

}  // namespace goro

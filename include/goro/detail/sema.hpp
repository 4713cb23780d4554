// sema: a counting semaphore whose waiters park (goroutines) or block (plain threads),
// served FIFO; a release that comes before the acquire is remembered (Go's runtime sema,
// used under WaitGroup and Mutex).
#pragma once

#include <cstdint>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"

namespace goro::detail {

class sema {
 public:
  void acquire(wait_reason reason);
  void release(std::uint32_t n = 1) noexcept;

  struct node {
    waiter w;
    node* next = nullptr;
  };

 private:
  spinlock lock_;
  std::uint32_t count_ = 0;
  intrusive_fifo<node> waiters_;
};

}  // namespace goro::detail

// block_pool: the shared pool of free goroutine control blocks, as a FIFO of pointers
// under a mutex. Per-P caches move blocks in and out in batches. It stores pointers,
// never links through the blocks themselves: moving a batch touches no block (whose
// cache lines may sit dirty in another core), and FIFO order hands out the blocks freed
// longest ago, which are the likeliest to have left the freeing core's private caches.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>

#include "sched/goroutine.hpp"

namespace goro::detail {

class block_pool {
 public:
  void put(goroutine* const* blocks, std::size_t n) {
    std::lock_guard lk(mu_);
    free_.insert(free_.end(), blocks, blocks + n);
  }
  // Takes up to n blocks (oldest first); returns how many.
  std::size_t take(goroutine** out, std::size_t n) {
    std::lock_guard lk(mu_);
    std::size_t k = n < free_.size() ? n : free_.size();
    for (std::size_t i = 0; i < k; ++i) out[i] = free_[i];
    free_.erase(free_.begin(), free_.begin() + static_cast<std::ptrdiff_t>(k));
    return k;
  }

 private:
  std::mutex mu_;
  std::deque<goroutine*> free_;
};

}  // namespace goro::detail

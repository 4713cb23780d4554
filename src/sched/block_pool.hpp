// block_pool: the shared pool of free goroutine control blocks, as a FIFO of pointers
// under a mutex. Per-P caches move blocks in and out in batches. It stores pointers,
// never links through the blocks themselves: moving a batch touches no block (whose
// cache lines may sit dirty in another core), and FIFO order hands out the blocks freed
// longest ago, which are the likeliest to have left the freeing core's private caches.
//
// Its ring has room for every control block ever made (make_room, before a new chunk
// of blocks is allocated), so put() never allocates: freeing a block (a goroutine's
// exit, a cancelled spawn) happens on noexcept paths and cannot fail.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

#include "sched/goroutine.hpp"

namespace goro::detail {

class block_pool {
 public:
  // Counts n more blocks, with room for them in the ring: call before making them (one
  // step under the lock, so two makers at once never both count on the same room), and
  // unmake(n) if making them fails. Throws std::bad_alloc with nothing changed.
  void make_room(std::size_t n) {
    std::lock_guard lk(mu_);
    std::size_t need = blocks_ + n;
    if (need > capacity_) {
      std::size_t cap = capacity_ ? capacity_ : 1024;
      while (cap < need) cap *= 2;
      std::unique_ptr<goroutine*[]> fresh(new goroutine*[cap]);
      for (std::size_t i = 0; i < count_; ++i) fresh[i] = ring_[(head_ + i) & (capacity_ - 1)];
      ring_ = std::move(fresh);
      capacity_ = cap;
      head_ = 0;
    }
    blocks_ = need;
  }
  void unmake(std::size_t n) noexcept {
    std::lock_guard lk(mu_);
    blocks_ -= n;
  }
  void put(goroutine* const* blocks, std::size_t n) noexcept {
    std::lock_guard lk(mu_);
    for (std::size_t i = 0; i < n; ++i) ring_[(head_ + count_ + i) & (capacity_ - 1)] = blocks[i];
    count_ += n;  // <= blocks_ <= capacity_
  }
  // Takes up to n blocks (oldest first); returns how many.
  std::size_t take(goroutine** out, std::size_t n) noexcept {
    std::lock_guard lk(mu_);
    std::size_t k = n < count_ ? n : count_;
    for (std::size_t i = 0; i < k; ++i) out[i] = ring_[(head_ + i) & (capacity_ - 1)];
    head_ = (head_ + k) & (capacity_ - 1);
    count_ -= k;
    return k;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<goroutine*[]> ring_;
  std::size_t capacity_ = 0;  // a power of two, >= blocks_
  std::size_t blocks_ = 0;    // control blocks ever made (here, in P caches or in use)
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace goro::detail

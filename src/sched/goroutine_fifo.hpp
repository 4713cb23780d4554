// goroutine_fifo: the global run queue, a mutex-protected FIFO of goroutine pointers in
// a growable ring, with an atomic length so that "is it empty?" costs no lock. It holds
// goroutines readied from plain threads or sysmon, spilled from full local queues, or
// left by a retiring worker.
//
// A ring of pointers, not a list linked through the goroutines: taking a batch copies
// pointers instead of chasing `next` through control blocks that are cold in this core's
// cache (that walk, under the lock, was 17% of W10's CPU when timers woke goroutines in
// bursts and their Ps spilled half their queues here).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>

#include "platform/adaptive_mutex.hpp"
#include "sched/fatal.hpp"
#include "sched/goroutine.hpp"

namespace goro::detail {

class goroutine_fifo {
 public:
  void push(goroutine* g) noexcept { push_batch(&g, 1); }

  void push_batch(goroutine* const* gs, std::uint32_t n) noexcept {
    std::lock_guard lk(mu_);
    if (count_ + n > capacity_) grow(count_ + n);
    for (std::uint32_t i = 0; i < n; ++i) ring_[(head_ + count_ + i) & (capacity_ - 1)] = gs[i];
    count_ += n;
    size_.store(count_, std::memory_order_seq_cst);
  }

  // Moves up to max goroutines, oldest first, into out; returns how many.
  std::uint32_t pop_batch(goroutine** out, std::uint32_t max) noexcept {
    if (size_.load(std::memory_order_seq_cst) == 0) return 0;
    std::lock_guard lk(mu_);
    std::uint32_t n = count_ < max ? count_ : max;
    for (std::uint32_t i = 0; i < n; ++i) out[i] = ring_[(head_ + i) & (capacity_ - 1)];
    head_ = (head_ + n) & (capacity_ - 1);
    count_ -= n;
    size_.store(count_, std::memory_order_relaxed);
    return n;
  }

  bool empty() const noexcept { return size_.load(std::memory_order_seq_cst) == 0; }
  std::uint32_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

 private:
  void grow(std::uint32_t need) noexcept {
    std::uint32_t cap = capacity_ ? capacity_ : 1024;
    while (cap < need) cap *= 2;
    goroutine** fresh = new (std::nothrow) goroutine*[cap];
    if (!fresh) fatal_out_of_memory("the global run queue");
    for (std::uint32_t i = 0; i < count_; ++i) fresh[i] = ring_[(head_ + i) & (capacity_ - 1)];
    ring_.reset(fresh);
    capacity_ = cap;
    head_ = 0;
  }

  platform::adaptive_mutex mu_;
  std::unique_ptr<goroutine*[]> ring_;
  std::uint32_t capacity_ = 0;  // a power of two
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  std::atomic<std::uint32_t> size_{0};
};

}  // namespace goro::detail

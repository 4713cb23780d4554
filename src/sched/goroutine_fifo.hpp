// goroutine_fifo: a mutex-protected intrusive FIFO of goroutines (linked through next)
// with an atomic length so that "is it empty?" costs no lock. The global run queue:
// goroutines readied from plain threads, spilled from full local queues, or left by a
// retiring worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "sched/goroutine.hpp"

namespace goro::detail {

class goroutine_fifo {
 public:
  void push(goroutine* g) noexcept { push_batch(g, g, 1); }

  // first..last linked through next (last->next is ignored).
  void push_batch(goroutine* first, goroutine* last, std::uint32_t n) noexcept {
    last->next = nullptr;
    std::lock_guard lk(mu_);
    if (tail_) tail_->next = first; else head_ = first;
    tail_ = last;
    size_.fetch_add(n, std::memory_order_seq_cst);
  }

  // Takes up to max goroutines; returns the first and links the rest through next.
  goroutine* pop_batch(std::uint32_t max, std::uint32_t& taken) noexcept {
    taken = 0;
    if (size_.load(std::memory_order_seq_cst) == 0) return nullptr;
    std::lock_guard lk(mu_);
    goroutine* first = head_;
    goroutine* last = nullptr;
    while (head_ && taken < max) {
      last = head_;
      head_ = head_->next;
      ++taken;
    }
    if (!head_) tail_ = nullptr;
    if (last) last->next = nullptr;
    size_.fetch_sub(taken, std::memory_order_relaxed);
    return taken ? first : nullptr;
  }

  bool empty() const noexcept { return size_.load(std::memory_order_seq_cst) == 0; }
  std::uint32_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  goroutine* head_ = nullptr;
  goroutine* tail_ = nullptr;
  std::atomic<std::uint32_t> size_{0};
};

}  // namespace goro::detail

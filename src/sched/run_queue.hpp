// A P's local run queue: a bounded single-producer, multi-consumer ring (Go's runq).
// Only the owning worker pushes (push, push_batch_from_steal); the owner pops from the
// head and thieves take half from the head, both by CAS on head. tail is written only by
// the owner. Slots are relaxed atomics so that TSan sees the hand-over through head/tail.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "sched/goroutine.hpp"

namespace goro::detail {

class run_queue {
 public:
  static constexpr std::uint32_t kCapacity = 256;

  // Owner only. False if full (the caller then moves half to the global queue).
  bool push(goroutine* g) noexcept {
    std::uint32_t h = head_.load(std::memory_order_acquire);
    std::uint32_t t = tail_.load(std::memory_order_relaxed);
    if (t - h >= kCapacity) return false;
    slot(t).store(g, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Owner only.
  goroutine* pop() noexcept {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t == h) return nullptr;
      goroutine* g = slot(h).load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_release,
                                      std::memory_order_relaxed))
        return g;
    }
  }

  // The goroutine at the head, without taking it (a hint: it may be stolen meanwhile).
  goroutine* peek() noexcept {
    std::uint32_t h = head_.load(std::memory_order_relaxed);
    if (tail_.load(std::memory_order_relaxed) == h) return nullptr;
    return slot(h).load(std::memory_order_relaxed);
  }

  // Owner only: takes up to n goroutines off the head (to spill into the global queue).
  // Returns how many were written to out.
  std::uint32_t take_half(goroutine** out) noexcept {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_relaxed);
      std::uint32_t n = (t - h) / 2;
      if (n == 0) return 0;
      for (std::uint32_t i = 0; i < n; ++i) out[i] = slot(h + i).load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + n, std::memory_order_release,
                                      std::memory_order_relaxed))
        return n;
    }
  }

  // Thief (any worker): moves half of this queue into `into` (the thief's own queue,
  // which must be empty). Returns one of the stolen goroutines to run at once, or null.
  goroutine* steal_into(run_queue& into) noexcept {
    std::uint32_t it = into.tail_.load(std::memory_order_relaxed);
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_acquire);
      std::uint32_t n = t - h;
      n -= n / 2;
      if (n == 0) return nullptr;
      if (n > kCapacity / 2) continue;  // read a torn head/tail pair; retry
      for (std::uint32_t i = 0; i < n; ++i)
        into.slot(it + i).store(slot(h + i).load(std::memory_order_relaxed),
                                std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + n, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        goroutine* g = into.slot(it + n - 1).load(std::memory_order_relaxed);
        if (n > 1) into.tail_.store(it + n - 1, std::memory_order_release);
        return g;
      }
    }
  }

  // The head position, for a thief's grace: it advances whenever the owner (or a thief)
  // takes the goroutine at the head, so an unchanged value means nobody has.
  std::uint32_t head_mark() const noexcept { return head_.load(std::memory_order_relaxed); }

  bool empty() const noexcept {
    return head_.load(std::memory_order_seq_cst) == tail_.load(std::memory_order_seq_cst);
  }
  std::uint32_t size() const noexcept {
    std::uint32_t h = head_.load(std::memory_order_acquire);
    std::uint32_t t = tail_.load(std::memory_order_acquire);
    return t - h;
  }

 private:
  std::atomic<goroutine*>& slot(std::uint32_t i) noexcept { return buf_[i % kCapacity]; }

  alignas(64) std::atomic<std::uint32_t> head_{0};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  std::array<std::atomic<goroutine*>, kCapacity> buf_{};
};

}  // namespace goro::detail

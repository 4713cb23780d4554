// A P's timers: a binary min-heap on deadline, under a small mutex, with the earliest
// deadline mirrored in an atomic so the scheduler's hot path checks "anything due?"
// without the lock or a clock read when there are no timers.
//
// A timer_entry is owned by whoever added it (for sleep: the sleeping goroutine's frame);
// the heap only points at it. fire(entry) runs on a worker's scheduling path after the
// entry left the heap, so it must not block: it readies a goroutine or sends without
// blocking. remove() tells whether the entry was still pending (Go's stop semantics).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "platform/clock.hpp"

namespace goro::detail {

struct timer_entry {
  std::int64_t when_ns = 0;
  void (*fire)(timer_entry*) = nullptr;
  void* arg = nullptr;
  std::int32_t heap_index = -1;  // -1: not in a heap
};

class timer_heap {
 public:
  // Returns true if e became the earliest deadline (a sleeping owner must be woken).
  bool add(timer_entry* e);
  // True if e was pending and is now removed.
  bool remove(timer_entry* e);
  // Pops one due entry (when_ns <= now), or null.
  timer_entry* pop_due(std::int64_t now);
  std::int64_t next_deadline() const noexcept { return next_.load(std::memory_order_acquire); }
  std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void place(std::size_t i, timer_entry* e) {
    heap_[i] = e;
    e->heap_index = static_cast<std::int32_t>(i);
  }
  void publish() {
    next_.store(heap_.empty() ? platform::kNever : heap_[0]->when_ns, std::memory_order_release);
    count_.store(heap_.size(), std::memory_order_release);
  }
  void remove_at(std::size_t i);

  std::mutex mu_;
  std::vector<timer_entry*> heap_;
  std::atomic<std::int64_t> next_{platform::kNever};
  std::atomic<std::size_t> count_{0};
};

}  // namespace goro::detail

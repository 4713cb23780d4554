// A P's timers: a 4-ary min-heap on deadline, under a small mutex, with the earliest
// deadline mirrored in an atomic so the scheduler's hot path checks "anything due?"
// without the lock or a clock read when there are no timers. Each slot holds the
// deadline next to the entry pointer, so sifting compares within the array (four
// children share a cache line) and touches an entry only to record its new position:
// with 100,000 sleepers the entries sit on as many goroutine stacks, and chasing them
// to compare dominated the cost of a sleep (measured: 20% of W10's CPU).
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

struct alignas(8) timer_entry {
  std::int64_t when_ns = 0;
  void (*fire)(timer_entry*) = nullptr;
  void* arg = nullptr;
  std::int32_t heap_index = -1;  // -1: not in a heap (kept only for removable entries)
  // False for entries that are never removed, only fired (sleep, after): the heap then
  // never writes to them while sifting (each would be a cache miss on another stack).
  bool removable = true;
};

class timer_heap {
 public:
  // Returns true if e became the earliest deadline (a sleeping owner must be woken).
  bool add(timer_entry* e);
  // True if e was pending and is now removed. e must be removable.
  bool remove(timer_entry* e);
  // Pops one due entry (when_ns <= now), or null.
  timer_entry* pop_due(std::int64_t now);
  std::int64_t next_deadline() const noexcept { return next_.load(std::memory_order_acquire); }
  std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  // The deadline and the entry, whose low pointer bit says "removable" (record its index).
  struct slot {
    std::int64_t when;
    std::uintptr_t tagged;
    timer_entry* entry() const noexcept { return reinterpret_cast<timer_entry*>(tagged & ~std::uintptr_t{1}); }
    static slot of(timer_entry* e) noexcept {
      return {e->when_ns, reinterpret_cast<std::uintptr_t>(e) | (e->removable ? 1u : 0u)};
    }
  };
  static constexpr std::size_t kArity = 4;
  void sift_up(std::size_t i, slot s);
  void sift_down(std::size_t i, slot s);
  void place(std::size_t i, slot s) {
    heap_[i] = s;
    if (s.tagged & 1) s.entry()->heap_index = static_cast<std::int32_t>(i);
  }
  void publish() {
    next_.store(heap_.empty() ? platform::kNever : heap_[0].when, std::memory_order_release);
    count_.store(heap_.size(), std::memory_order_release);
  }
  void remove_at(std::size_t i);

  std::mutex mu_;
  std::vector<slot> heap_;
  std::atomic<std::int64_t> next_{platform::kNever};
  std::atomic<std::size_t> count_{0};
};

}  // namespace goro::detail

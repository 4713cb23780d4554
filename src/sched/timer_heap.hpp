// A P's timers: a 4-ary min-heap on deadline, under a small mutex, with the earliest
// deadline mirrored in an atomic so the scheduler's hot path checks "anything due?"
// without the lock or a clock read when there are no timers. Each slot holds the
// deadline next to the entry pointer, so sifting compares within the array (four
// children share a cache line) and touches an entry only to record its new position:
// with 100,000 sleepers on as many goroutine stacks, chasing entries to compare
// dominated the cost of a sleep (measured: 20% of W10's CPU). A sleep has no entry at
// all: its slot names the goroutine, so the heap never touches it until it fires.
//
// A timer_entry is owned by whoever added it; the heap only points at it. fire(entry) runs on a worker's scheduling path after the
// entry left the heap, so it must not block: it readies a goroutine or sends without
// blocking. remove() tells whether the entry was still pending (Go's stop semantics).
//
// Claims: adding never allocates, because entries are added where nothing can fail (under
// a timer's or a descriptor's lock, in a sleep's park commit, on a fire). Whoever may
// add to a heap claims a slot in it first, where a std::bad_alloc can still reach its
// caller (a timer's creation, a sleep before it parks, a timed wait before it queues);
// the heap keeps its capacity at least the number of live claims, so every add fits.
// An entry's owner holds one claim, on the heap it adds to, and unclaims when it is done
// with the entry (which may be added and fired many times meanwhile); to move the entry
// to another heap it claims there first and gives the old claim back once the entry is
// in no heap. A sleeper's claim is spent when its slot is popped.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "platform/adaptive_mutex.hpp"
#include "platform/clock.hpp"

namespace goro::detail {

struct alignas(8) timer_entry {
  std::int64_t when_ns = 0;
  void (*fire)(timer_entry*) = nullptr;
  void* arg = nullptr;
  std::int32_t heap_index = -1;  // -1: not in a heap
};

struct goroutine;

// A due timer: an entry to fire, or a sleeping goroutine to make runnable.
struct due_timer {
  timer_entry* entry = nullptr;
  goroutine* sleeper = nullptr;
  explicit operator bool() const noexcept { return entry || sleeper; }
};

class timer_heap {
 public:
  // A slot for one later add (see Claims above). Throws std::bad_alloc with nothing
  // changed. Lock-free unless the heap must grow.
  void claim();
  void unclaim() noexcept { claimed_.fetch_sub(1, std::memory_order_relaxed); }
  // Returns true if e became the earliest deadline (a sleeping owner must be woken).
  // e's owner holds a claim on this heap.
  bool add(timer_entry* e) noexcept;
  // goro::sleep's timer: no entry at all, the slot names the goroutine to ready. So
  // firing a sleep touches nothing but the heap and the goroutine. Spends a claim.
  bool add_sleeper(std::int64_t when, goroutine* g) noexcept;
  // True if e was pending and is now removed.
  bool remove(timer_entry* e) noexcept;
  // Pops one due timer (deadline <= now), or an empty due_timer.
  due_timer pop_due(std::int64_t now) noexcept;
  std::int64_t next_deadline() const noexcept { return next_.load(std::memory_order_acquire); }
  std::size_t size() const noexcept { return count_.load(std::memory_order_acquire); }
  std::size_t claimed() const noexcept { return claimed_.load(std::memory_order_acquire); }  // tests
  std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_acquire); }

 private:
  // The deadline and a tagged pointer: an entry (which records its index), or, with the
  // low bit set, a sleeping goroutine.
  struct slot {
    static constexpr std::uintptr_t kSleeper = 1;
    std::int64_t when;
    std::uintptr_t tagged;
    bool is_sleeper() const noexcept { return tagged & kSleeper; }
    timer_entry* entry() const noexcept { return reinterpret_cast<timer_entry*>(tagged); }
    goroutine* sleeper() const noexcept { return reinterpret_cast<goroutine*>(tagged & ~kSleeper); }
    // Either kind, untagged: what pop_due prefetches.
    const void* target() const noexcept { return reinterpret_cast<const void*>(tagged & ~kSleeper); }
  };
  bool push(slot s) noexcept;
  static constexpr std::size_t kArity = 4;
  void sift_up(std::size_t i, slot s) noexcept;
  void sift_down(std::size_t i, slot s) noexcept;
  void place(std::size_t i, slot s) noexcept {
    heap_[i] = s;
    if (!s.is_sleeper()) s.entry()->heap_index = static_cast<std::int32_t>(i);
  }
  void publish() noexcept {
    next_.store(heap_.empty() ? platform::kNever : heap_[0].when, std::memory_order_release);
    count_.store(heap_.size(), std::memory_order_release);
  }
  void remove_at(std::size_t i) noexcept;

  platform::adaptive_mutex mu_;
  std::vector<slot> heap_;  // capacity >= the live claims (grown by claim() only)
  std::atomic<std::size_t> claimed_{0};
  std::atomic<std::size_t> capacity_{0};  // heap_.capacity(), readable without mu_
  std::atomic<std::int64_t> next_{platform::kNever};
  std::atomic<std::size_t> count_{0};
};

}  // namespace goro::detail

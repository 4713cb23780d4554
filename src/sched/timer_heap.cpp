// A P's timer heap. See timer_heap.hpp.
#include "sched/timer_heap.hpp"

#include <algorithm>

namespace goro::detail {

// Moves the hole at i up until s fits there.
void timer_heap::sift_up(std::size_t i, slot s) noexcept {
  while (i > 0) {
    std::size_t parent = (i - 1) / kArity;
    if (heap_[parent].when <= s.when) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, s);
}

// Moves the hole at i down until s fits there.
void timer_heap::sift_down(std::size_t i, slot s) noexcept {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t first = kArity * i + 1;
    if (first >= n) break;
    std::size_t last = first + kArity < n ? first + kArity : n;
    std::size_t best = first;
    for (std::size_t c = first + 1; c < last; ++c)
      if (heap_[c].when < heap_[best].when) best = c;
    if (s.when <= heap_[best].when) break;
    place(i, heap_[best]);
    i = best;
  }
  place(i, s);
}

void timer_heap::remove_at(std::size_t i) noexcept {
  if (!heap_[i].is_sleeper()) heap_[i].entry()->heap_index = -1;
  slot last = heap_.back();
  heap_.pop_back();
  if (i >= heap_.size()) return;
  if (i > 0 && last.when < heap_[(i - 1) / kArity].when) sift_up(i, last);
  else sift_down(i, last);
}

// A claim that finds the capacity short grows the heap to cover every claim made so far
// (claims that come meanwhile check for themselves), so each claim that returns has its
// slot: the live claims never exceed the capacity, and neither does the heap's size.
void timer_heap::claim() {
  std::size_t want = claimed_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (want <= capacity_.load(std::memory_order_acquire)) return;
  try {
    std::lock_guard lk(mu_);
    std::size_t need = claimed_.load(std::memory_order_acquire);
    if (need > heap_.capacity()) heap_.reserve(std::max(need, 2 * heap_.capacity()));
    capacity_.store(heap_.capacity(), std::memory_order_release);
  } catch (...) {
    claimed_.fetch_sub(1, std::memory_order_relaxed);
    throw;
  }
}

bool timer_heap::push(slot s) noexcept {
  std::lock_guard lk(mu_);
  heap_.push_back(s);  // within the capacity: the adder holds a claim
  sift_up(heap_.size() - 1, s);
  publish();
  return heap_[0].tagged == s.tagged;
}

bool timer_heap::add(timer_entry* e) noexcept { return push(slot{e->when_ns, reinterpret_cast<std::uintptr_t>(e)}); }

bool timer_heap::add_sleeper(std::int64_t when, goroutine* g) noexcept {
  return push(slot{when, reinterpret_cast<std::uintptr_t>(g) | slot::kSleeper});
}

bool timer_heap::remove(timer_entry* e) noexcept {
  std::lock_guard lk(mu_);
  if (e->heap_index < 0) return false;
  remove_at(static_cast<std::size_t>(e->heap_index));
  publish();
  return true;
}

due_timer timer_heap::pop_due(std::int64_t now) noexcept {
  if (next_.load(std::memory_order_acquire) > now) return {};
  std::lock_guard lk(mu_);
  if (heap_.empty() || heap_[0].when > now) return {};
  slot top = heap_[0];
  due_timer d;
  if (top.is_sleeper()) {
    d.sleeper = top.sleeper();
    unclaim();  // a sleep's claim is spent
  } else {
    d.entry = top.entry();
  }
  remove_at(0);
  publish();
  // Due timers come in bursts, and the next ones (the new top and its children) point
  // at cold memory on other goroutines' stacks or blocks: start fetching it now.
  for (std::size_t i = 0; i <= kArity && i < heap_.size() && heap_[i].when <= now; ++i)
    __builtin_prefetch(heap_[i].target());
  return d;
}

}  // namespace goro::detail

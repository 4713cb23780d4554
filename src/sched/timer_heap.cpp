// A P's timer heap. See timer_heap.hpp.
#include "sched/timer_heap.hpp"

namespace goro::detail {

void timer_heap::sift_up(std::size_t i) {
  timer_entry* e = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (heap_[parent]->when_ns <= e->when_ns) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void timer_heap::sift_down(std::size_t i) {
  timer_entry* e = heap_[i];
  std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->when_ns < heap_[child]->when_ns) ++child;
    if (e->when_ns <= heap_[child]->when_ns) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, e);
}

void timer_heap::remove_at(std::size_t i) {
  timer_entry* e = heap_[i];
  e->heap_index = -1;
  timer_entry* last = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    place(i, last);
    sift_down(i);
    sift_up(static_cast<std::size_t>(last->heap_index));
  }
}

bool timer_heap::add(timer_entry* e) {
  std::lock_guard lk(mu_);
  heap_.push_back(e);
  sift_up(heap_.size() - 1);
  publish();
  return heap_[0] == e;
}

bool timer_heap::remove(timer_entry* e) {
  std::lock_guard lk(mu_);
  if (e->heap_index < 0) return false;
  remove_at(static_cast<std::size_t>(e->heap_index));
  publish();
  return true;
}

timer_entry* timer_heap::pop_due(std::int64_t now) {
  if (next_.load(std::memory_order_acquire) > now) return nullptr;
  std::lock_guard lk(mu_);
  if (heap_.empty() || heap_[0]->when_ns > now) return nullptr;
  timer_entry* e = heap_[0];
  remove_at(0);
  publish();
  return e;
}

}  // namespace goro::detail

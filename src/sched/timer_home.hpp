// Where a new timer entry goes: the heap of the calling worker's P (that worker is awake
// and sees it on its next scheduling pass), or P0's heap from a plain thread or the
// sysmon thread. A P's worker may be asleep on a futex whose timeout is its earliest
// deadline, so an entry that becomes the earliest deadline of a P other than the
// caller's pokes that P's worker to re-arm its sleep.
#pragma once

#include "sched/scheduler.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

// Adds e to p's heap, poking p's worker if needed (see above).
inline void add_timer_to(processor* p, timer_entry* e) noexcept {
  if (!p->timers.add(e)) return;
  worker* w = current_worker();
  if (!w || w->p != p) scheduler::get().poke(p);
}

// The P whose heap a timer created by the calling thread should use.
inline processor* timer_home() noexcept {
  worker* w = current_worker();
  return w ? w->p : scheduler::get().proc(0);
}

// Adds e to the caller's home heap (above) and returns that P.
inline processor* add_timer_here(timer_entry* e) noexcept {
  processor* p = timer_home();
  add_timer_to(p, e);
  return p;
}

}  // namespace goro::detail

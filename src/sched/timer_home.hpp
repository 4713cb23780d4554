// Where a new timer entry goes: the heap of the calling worker's P (that worker is awake
// and sees it on its next scheduling pass), or P0's heap from a plain thread or the
// sysmon thread; it keeps going there until a reset or deadline armed on another P
// moves it (src/time/timer.cpp, poller::arm). A P's worker may be asleep
// on a futex whose timeout is its earliest deadline, so an entry that becomes the
// earliest deadline of a P other than the caller's pokes that P's worker to re-arm its
// sleep.
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

// The P whose heap a timer created by the calling thread should use (its owner claims a
// slot there and adds only there: timer_heap.hpp). From a plain thread it may start the
// runtime, and throw.
inline processor* timer_home() {
  worker* w = current_worker();
  return w ? w->p : scheduler::get().proc(0);
}

// A reset or a deadline armed on another P moves its entry there (Go's modtimer): this
// claims the slot on the caller's P for an entry whose home is `home`. Null if the
// caller's P is its home already, or if the claim cannot be had (the entry then stays
// where it is). The mover switches home only while the entry is in no heap, then gives
// back the claim it no longer uses.
inline processor* claim_here_to_move(processor* home) noexcept {
  try {
    processor* here = timer_home();
    if (here == home) return nullptr;
    here->timers.claim();
    return here;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace goro::detail

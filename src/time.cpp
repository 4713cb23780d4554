// sleep on the per-P timer heaps. See include/goro/time.hpp.
#include "goro/time.hpp"

#include <thread>

#include "platform/clock.hpp"
#include "sched/scheduler.hpp"
#include "sched/switch.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

void sleep_until_ns(std::int64_t when) {
  worker* w = current_worker();
  if (!w || !w->current) {
    note_plain_thread();
    std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(when)));
    return;
  }
  if (when <= platform::now_ns()) return;
  timer_entry e;
  e.when_ns = when;
  e.arg = w->current;
  e.fire = [](timer_entry* t) { scheduler::get().ready(static_cast<goroutine*>(t->arg)); };
  // Added only once the goroutine is switched out, so the timer cannot fire too early.
  park_current(wait_reason::sleep,
               [](void* entry) {
                 current_worker()->p->timers.add(static_cast<timer_entry*>(entry));
                 return true;
               },
               &e);
}

}  // namespace goro::detail

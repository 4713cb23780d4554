// sleep on the per-P timer heaps (after() is a timer: src/time/timer.cpp). See
// include/goro/time.hpp.
#include "goro/time.hpp"

#include <thread>

#include "platform/clock.hpp"
#include "sched/scheduler.hpp"
#include "sched/switch.hpp"

namespace goro::detail {

namespace {
void sleep_thread_until(std::int64_t when) {
  note_plain_thread();
  std::this_thread::sleep_until(steady_time(when));
}

// Parks the goroutine on w until `when` (in the future). Its timer is a sleeper slot in
// the P's heap, added only once the goroutine is switched out (so it cannot fire early),
// by a commit that runs on w and so adds to w's P, where the slot was claimed before
// the park (the claim may throw std::bad_alloc; the commit cannot fail).
void park_until(worker* w, std::int64_t when) {
  w->p->timers.claim();
  struct sleep_request {
    std::int64_t when;
    goroutine* g;
  } req{when, w->current};
  park_on(w, wait_reason::sleep,
          [](void* arg) {
            auto* r = static_cast<sleep_request*>(arg);
            current_worker()->p->timers.add_sleeper(r->when, r->g);
            return true;
          },
          &req);
}
}  // namespace

void sleep_until_ns(std::int64_t when) {
  worker* w = current_worker();
  if (!w || !w->current) return sleep_thread_until(when);
  if (when <= platform::now_ns()) return;
  park_until(w, when);
}

void sleep_for_ns(std::int64_t ns) {
  std::int64_t now = platform::now_ns();
  worker* w = current_worker();
  if (!w || !w->current) return sleep_thread_until(now + ns);
  w->p->now_hint = now;  // the park's due-timer check needs no second clock read
  park_until(w, now + ns);
}

}  // namespace goro::detail

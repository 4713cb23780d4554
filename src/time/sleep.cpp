// sleep and after on the per-P timer heaps. See include/goro/time.hpp.
#include "goro/time.hpp"

#include <thread>

#include "goro/chan.hpp"

#include "platform/clock.hpp"
#include "sched/scheduler.hpp"
#include "sched/switch.hpp"
#include "sched/timer_heap.hpp"
#include "sched/timer_home.hpp"

namespace goro::detail {

namespace {
void sleep_thread_until(std::int64_t when) {
  note_plain_thread();
  std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(when)));
}

// Parks the goroutine on w until `when` (in the future). Its timer is a sleeper slot in
// the P's heap, added only once the goroutine is switched out (so it cannot fire early).
void park_until(worker* w, std::int64_t when) {
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

namespace {
// A one-shot timer that sends on a channel of capacity 1 (never blocks the worker).
struct after_timer {
  timer_entry entry;
  chan<std::chrono::steady_clock::time_point> c;
};

void fire_after(timer_entry* e) {
  auto* t = static_cast<after_timer*>(e->arg);
  std::chrono::steady_clock::time_point now{std::chrono::nanoseconds(platform::now_ns())};
  t->c.try_send(now);
  delete t;
}
}  // namespace

recv_chan<std::chrono::steady_clock::time_point> after_until_ns(std::int64_t when) {
  auto c = make_chan<std::chrono::steady_clock::time_point>(1);
  if (when <= platform::now_ns()) {
    c.try_send(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(platform::now_ns())));
    return c;
  }
  auto* t = new after_timer{{}, c};
  t->entry.when_ns = when;
  t->entry.removable = false;  // after() cannot be stopped
  t->entry.arg = t;
  t->entry.fire = &fire_after;
  note_plain_thread();
  add_timer_here(&t->entry);
  return c;
}

}  // namespace goro::detail

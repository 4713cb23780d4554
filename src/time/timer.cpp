// goro::timer, ticker, tick and after_func on the per-P timer heaps. See
// include/goro/timer.hpp for the semantics (Go 1.23).
//
// A timer_state is one timer: a heap entry, and under a spinlock whether it is armed,
// its deadline and period, and where its entry is. States of the entry:
//   idle    not in any heap (queued false);
//   queued  in home's heap, or popped by a firer whose fire() has not taken the lock
//           yet (the "limbo"); a queued entry holds one reference to the state.
// stop/reset change `armed`/`when` under the lock and take the entry out of the heap
// if it is there; an entry in limbo is left to fire(), which re-reads armed/when under
// the lock and drops, re-adds or delivers accordingly. So a stopped or reset timer never
// delivers a value from its earlier setting, and the entry is never in two heaps.
// Lifetime (settled detail 18): a channel timer's channel is owned by the state. Every
// handle holds a reference to the state and one to the channel; every view of the
// channel (c(), after(), tick()) one to the channel. When the channel's last reference
// goes, nothing can ever receive from it: orphaned() stops the timer at once, which
// takes its entry out of the heap, and the state (with the channel) is freed as soon as
// no fire() is in limbo with it. So a dropped after() costs nothing after the select.
// Lock order: timer lock, then a heap's lock or the channel's lock; firers pop entries
// with no lock held before taking the timer's lock.
#include <atomic>
#include <memory>
#include <optional>

#include "goro/detail/spawn.hpp"
#include "goro/detail/spinlock.hpp"
#include "goro/timer.hpp"
#include "platform/clock.hpp"
#include "sched/scheduler.hpp"
#include "sched/timer_home.hpp"

namespace goro::detail {

using time_point = std::chrono::steady_clock::time_point;

struct timer_state {
  // handles + 1 while queued + 1 while its channel has a handle or view (channel timers)
  std::atomic<std::int64_t> refs{1};
  spinlock lock;
  timer_entry entry;
  processor* home = nullptr;  // whose heap the entry is in while queued
  bool queued = false;
  bool armed = false;         // will deliver (or start f) at `when`
  std::int64_t when = 0;
  std::int64_t period = 0;    // > 0: a ticker
  chan_core* core = nullptr;         // channel timers and tickers: their channel (owned)
  std::shared_ptr<timer_func> f;     // after_func timers

  ~timer_state() {
    if (core) core->destroy();
  }

  // Under the lock: put the entry in a heap for `when` (idle), or move it there (queued
  // in a heap), or leave it to its pending fire() (limbo).
  void schedule() noexcept {
    if (!queued) {
      queued = true;
      refs.fetch_add(1, std::memory_order_relaxed);
      entry.when_ns = when;
      home = add_timer_here(&entry);
    } else if (home->timers.remove(&entry)) {
      requeue();
    }
  }
  // Under the lock: the entry (out of any heap) back into home's heap for `when`.
  void requeue() noexcept {
    entry.when_ns = when;
    add_timer_to(home, &entry);
  }
  // Under the lock: stops the timer and takes back a value nobody received. Returns
  // whether it was active (Go 1.23: a drained value counts); *drop: the caller must drop
  // the queued reference after unlocking.
  bool disarm(bool* drop) noexcept {
    bool was = armed;
    armed = false;
    *drop = unschedule();
    if (drain()) was = true;
    return was;
  }
  // Under the lock: the time on the channel, dropped if the last value is unreceived.
  void send_time(std::int64_t now) noexcept {
    time_point v = steady_time(now);
    core->try_send(&v);
  }
  // Under the lock: a one-shot timer's delivery: the time on its channel, or f to start
  // (after unlocking) for an after_func timer.
  std::shared_ptr<timer_func> deliver(std::int64_t now) noexcept {
    if (f) return f;
    send_time(now);
    return nullptr;
  }
  // Under the lock: takes the entry out of its heap. True if the caller must drop the
  // queued reference (after unlocking).
  bool unschedule() noexcept {
    if (queued && home->timers.remove(&entry)) {
      queued = false;
      return true;
    }
    return false;
  }
  // Under the lock: empties the channel of a value not yet received. True if there was one.
  bool drain() noexcept {
    if (!core) return false;
    std::optional<time_point> out;
    core->recv(&out, false);
    return out.has_value();
  }
};

namespace {

void unref(timer_state* t) noexcept {
  if (t->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete t;
}

// The channel's last handle or view is gone: nobody can receive a value any more.
void orphaned(void* owner) noexcept {
  auto* t = static_cast<timer_state*>(owner);
  bool drop;
  t->lock.lock();
  t->disarm(&drop);
  t->lock.unlock();
  if (drop) unref(t);
  unref(t);  // the channel's reference
}

void start_func(std::shared_ptr<timer_func> f) {
  if (!f) return;
  const source_site site = f->site;
  spawn(0, site, [fn = std::move(f)] { fn->run(); });
}

void fire(timer_entry* e) {
  auto* t = static_cast<timer_state*>(e->arg);
  std::shared_ptr<timer_func> to_start;
  bool requeue = false;
  t->lock.lock();
  std::int64_t now = platform::now_ns();
  if (t->armed && t->when > now) {
    requeue = true;  // reset to a later deadline while in limbo
  } else if (t->armed && t->period > 0) {
    t->send_time(now);  // dropped if the last tick is still unreceived
    t->when += t->period * (1 + (now - t->when) / t->period);  // skip missed ticks
    requeue = true;
  } else if (t->armed && t->period == 0) {
    to_start = t->deliver(now);
    // No handle left: it can never be reset, so f lives on only in its goroutine.
    if (t->f && t->refs.load(std::memory_order_acquire) == 1) t->f.reset();
  }
  // Otherwise stopped while queued or in limbo (by stop, reset or orphaned).
  if (requeue) {
    t->requeue();
  } else {
    t->armed = false;
    t->queued = false;
  }
  t->lock.unlock();
  start_func(std::move(to_start));
  if (!requeue) unref(t);  // the queued reference
}

}  // namespace

timer_state* timer_start(std::int64_t when_ns, std::int64_t period_ns, std::shared_ptr<timer_func> f) {
  note_plain_thread();
  auto* t = new timer_state;
  t->entry.arg = t;
  t->entry.fire = &fire;
  t->period = period_ns;
  t->f = std::move(f);
  if (!t->f) {
    try {
      t->core = chan_core::make(1, &elem_ops_for<time_point>);  // its one reference: the handle's
    } catch (...) {
      delete t;
      throw;
    }
    t->core->set_owner(&orphaned, t);
    t->refs.fetch_add(1, std::memory_order_relaxed);  // the channel's
  }
  timer_reset(t, when_ns, period_ns);
  return t;
}

void timer_retain(timer_state* t) noexcept {
  t->refs.fetch_add(1, std::memory_order_relaxed);
  if (t->core) t->core->retain();
}

void timer_release(timer_state* t) noexcept {
  if (t->core) t->core->release();  // may orphan the channel: this handle keeps t alive
  unref(t);
}

recv_chan<time_point> timer_channel(const timer_state* t) {
  if (!t->core) return {};  // an after_func timer
  t->core->retain();
  return chan_access::adopt<time_point>(t->core);
}

bool timer_stop(timer_state* t) {
  bool drop;
  t->lock.lock();
  bool was = t->disarm(&drop);
  t->lock.unlock();
  if (drop) unref(t);
  return was;
}

bool timer_reset(timer_state* t, std::int64_t when_ns, std::int64_t period_ns) {
  std::shared_ptr<timer_func> to_start;
  bool drop;
  t->lock.lock();
  bool was = t->disarm(&drop);
  t->period = period_ns;
  t->when = when_ns;
  std::int64_t now = platform::now_ns();
  if (period_ns <= 0 && when_ns <= now) {
    to_start = t->deliver(now);  // due already (a ticker's first tick is a period away)
  } else {
    t->armed = true;
    t->schedule();
  }
  t->lock.unlock();
  start_func(std::move(to_start));
  if (drop) unref(t);
  return was;
}

}  // namespace goro::detail

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
// Memory: a timer holds a claimed slot in its home P's heap from its creation on, so
// arming, resetting and firing never allocate. A reset from another P moves the home
// there (as Go's modtimer moves a timer to the caller's P): it claims on the new P
// first (if that fails the timer simply stays where it is), switches home under the
// lock while the entry is in no heap, and gives the old claim back. Without the move, a
// deadline re-armed on every read from another P poked that P's worker on every call.
// An after_func's goroutine is
// reserved (prepare_spawn) before reset changes anything, so a std::bad_alloc reaches
// the caller of after_func or reset with the timer as it was. On a fire there is no one
// to report to: out of memory there is Go's fatal error.
#include <atomic>
#include <memory>
#include <new>
#include <optional>
#include <tuple>

#include "goro/detail/spawn.hpp"
#include "goro/detail/spinlock.hpp"
#include "goro/timer.hpp"
#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/scheduler.hpp"
#include "sched/timer_home.hpp"

namespace goro::detail {

using time_point = std::chrono::steady_clock::time_point;

struct timer_state {
  // handles + 1 while queued + 1 while its channel has a handle or view (channel timers)
  std::atomic<std::int64_t> refs{1};
  spinlock lock;
  timer_entry entry;
  // Whose heap the entry goes to (a claim held there). Written under the lock; read
  // without it only as a hint by a reset deciding whether to move.
  std::atomic<processor*> home_{nullptr};
  processor* home() const noexcept { return home_.load(std::memory_order_relaxed); }
  bool queued = false;
  bool armed = false;         // will deliver (or start f) at `when`
  std::int64_t when = 0;
  std::int64_t period = 0;    // > 0: a ticker
  chan_core* core = nullptr;         // channel timers and tickers: their channel (owned)
  std::shared_ptr<timer_func> f;     // after_func timers

  ~timer_state() {
    if (core) core->destroy();
    if (processor* h = home()) h->timers.unclaim();
  }

  // Under the lock: put the entry in a heap for `when` (idle), or move it there (queued
  // in a heap), or leave it to its pending fire() (limbo).
  void schedule() noexcept {
    if (!queued) {
      queued = true;
      refs.fetch_add(1, std::memory_order_relaxed);
      entry.when_ns = when;
      add_timer_to(home(), &entry);
    } else if (home()->timers.remove(&entry)) {
      requeue();
    }
  }
  // Under the lock: the entry (out of any heap) back into home's heap for `when`.
  void requeue() noexcept {
    entry.when_ns = when;
    add_timer_to(home(), &entry);
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
    if (queued && home()->timers.remove(&entry)) {
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

// The goroutine an after_func timer starts, reserved first (may throw std::bad_alloc)
// and then started, or given back if it was not needed.
struct run_func {
  std::shared_ptr<timer_func> fn;
  void operator()() const { fn->run(); }
};
using func_task = std::tuple<run_func>;

spawn_slot reserve_func_goroutine() { return prepare_spawn(sizeof(func_task), alignof(func_task), 0); }

void start_func(spawn_slot slot, std::shared_ptr<timer_func> f) noexcept {
  if (!f) {
    if (slot.g) cancel_spawn(slot);
    return;
  }
  const source_site site = f->site;
  ::new (slot.storage) func_task(run_func{std::move(f)});
  commit_spawn(slot, &run_and_destroy<func_task>, site);
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
  if (to_start) {
    spawn_slot slot;
    try {
      slot = reserve_func_goroutine();
    } catch (const std::bad_alloc&) {
      fatal_out_of_memory("a goroutine for an after_func timer");
    }
    start_func(slot, std::move(to_start));
  }
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
  try {
    processor* home = timer_home();
    home->timers.claim();
    t->home_.store(home, std::memory_order_relaxed);
    if (!t->f) t->core = chan_core::make(1, &elem_ops_for<time_point>);  // its one reference: the handle's
    timer_reset(t, when_ns, period_ns);  // throws only before it changed anything
  } catch (...) {
    delete t;
    throw;
  }
  if (t->core) {
    t->core->set_owner(&orphaned, t);
    t->refs.fetch_add(1, std::memory_order_relaxed);  // the channel's
  }
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
  // Due already (a ticker's first tick is a period away): an after_func's goroutine is
  // reserved before anything changes. t->f is stable here: only a fire with no handle
  // left clears it, and the caller holds a handle.
  std::int64_t now = platform::now_ns();
  const bool due = period_ns <= 0 && when_ns <= now;
  spawn_slot slot{};
  if (due && t->f) slot = reserve_func_goroutine();
  // A reset on another P moves the timer there: a claim on it first (see above).
  processor* here = due ? nullptr : claim_here_to_move(t->home());
  std::shared_ptr<timer_func> to_start;
  bool drop;
  t->lock.lock();
  bool was = t->disarm(&drop);
  processor* unclaim = here;  // the claim to give back: the new one, or the old if moved
  if (here && !t->queued) {   // in no heap (not in a firer's limbo): free to move
    unclaim = t->home();
    t->home_.store(here, std::memory_order_relaxed);
  }
  t->period = period_ns;
  t->when = when_ns;
  if (due) {
    to_start = t->deliver(now);
  } else {
    t->armed = true;
    t->schedule();
  }
  t->lock.unlock();
  if (unclaim) unclaim->timers.unclaim();
  start_func(slot, std::move(to_start));
  if (drop) unref(t);
  return was;
}

}  // namespace goro::detail

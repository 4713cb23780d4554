// goro timers and tickers: Go's time.Timer, time.Ticker, time.Tick and time.AfterFunc,
// with Go 1.23 semantics, on the per-P timer heaps (no thread per timer; 100k+ timers
// cost a heap entry and a small record each).
//
//   goro::timer t(d);       t.c() receives the time (steady_clock) once d has passed.
//   t.stop()                true if this call kept the timer from delivering: it was
//                           pending, or its value was still unreceived in t.c() (then
//                           drained). False if it had been received, stopped or fired f.
//   t.reset(d)              stop() and start again with d; returns what stop() would.
//   goro::ticker k(d);      k.c() receives the time every d (first after d); a receiver
//                           that falls behind misses ticks (dropped, never queued).
//   k.stop(), k.reset(d)    stop; stop and restart with period d.
//   goro::tick(d)           a ticker's channel alone (nil for d <= 0, as Go).
//   goro::after_func(d, f)  runs f() in its own goroutine once d has passed; the timer it
//                           returns has a nil c(); stop() is true if it kept f from
//                           starting; reset(d) schedules f once more.
// Go 1.23: once stop() or reset() has returned, no value from before the call is ever
// received from c() (a value already in the channel is drained, and the call reports
// the timer as active: to a receiver it had not fired).
// Handles: timer and ticker are cheap copyable handles (copies share one timer).
// Destroying handles never stops a timer while a view of its channel is left, and
// after_func's f still runs. A timer or ticker that no handle and no channel view refers
// to any more is stopped and freed at once (Go 1.23; settled detail 18), so
// select(recv_case(c), recv_case(goro::after(30s))) in a loop keeps no timer. A zero or
// negative duration fires at once; ticker(d) and ticker::reset(d) with d <= 0 throw
// std::invalid_argument; stop() or reset() on a default-constructed timer throws
// goro::panic (Go panics on an uninitialized Timer). Usable from goroutines and plain
// threads. f's destructor may run on the runtime's timer path: it must not block.
// Known difference from Go 1.23: c().capacity() is 1 (Go reports 0).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "goro/chan.hpp"
#include "goro/detail/duration.hpp"
#include "goro/detail/source_site.hpp"

namespace goro {

namespace detail {

struct timer_state;  // src/time/timer.cpp

// after_func's callable, shared between the timer and the goroutines it starts.
struct timer_func {
  virtual ~timer_func() = default;
  virtual void run() = 0;
  source_site site;
};
template <class F>
struct timer_func_of final : timer_func {
  explicit timer_func_of(F&& fn) : f(std::move(fn)) {}
  explicit timer_func_of(const F& fn) : f(fn) {}
  void run() override { std::invoke(f); }
  F f;
};

// A timer that delivers on its channel (f null) or starts f in a goroutine; armed for
// when_ns, then every period_ns if period_ns > 0. Returns it with one handle reference.
timer_state* timer_start(std::int64_t when_ns, std::int64_t period_ns, std::shared_ptr<timer_func> f);
void timer_retain(timer_state* t) noexcept;
void timer_release(timer_state* t) noexcept;
recv_chan<std::chrono::steady_clock::time_point> timer_channel(const timer_state* t);
bool timer_stop(timer_state* t);
bool timer_reset(timer_state* t, std::int64_t when_ns, std::int64_t period_ns);

// The counted handle that timer and ticker share.
class timer_handle {
 public:
  timer_handle() noexcept = default;
  explicit timer_handle(timer_state* t) noexcept : t_(t) {}
  timer_handle(const timer_handle& o) noexcept : t_(o.t_) {
    if (t_) timer_retain(t_);
  }
  timer_handle(timer_handle&& o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
  timer_handle& operator=(timer_handle o) noexcept {
    std::swap(t_, o.t_);
    return *this;
  }
  ~timer_handle() {
    if (t_) timer_release(t_);
  }
  timer_state* get() const noexcept { return t_; }

 private:
  timer_state* t_ = nullptr;
};

template <class Rep, class Period>
std::int64_t ticker_period(std::chrono::duration<Rep, Period> d, const char* what) {
  std::int64_t ns = saturated_ns(d);
  if (ns <= 0) throw std::invalid_argument(what);
  return ns;
}

struct timer_access;

}  // namespace detail

class timer {
 public:
  timer() noexcept = default;  // uninitialized (Go's zero Timer): only c() (nil) is usable
  template <class Rep, class Period>
  explicit timer(std::chrono::duration<Rep, Period> d)
      : h_(detail::timer_start(detail::deadline_after(d), 0, nullptr)) {}

  recv_chan<std::chrono::steady_clock::time_point> c() const {
    return h_.get() ? detail::timer_channel(h_.get()) : recv_chan<std::chrono::steady_clock::time_point>();
  }
  bool stop() { return detail::timer_stop(checked("time: Stop called on uninitialized Timer")); }
  template <class Rep, class Period>
  bool reset(std::chrono::duration<Rep, Period> d) {
    return detail::timer_reset(checked("time: Reset called on uninitialized Timer"), detail::deadline_after(d), 0);
  }
  explicit operator bool() const noexcept { return h_.get() != nullptr; }
  friend bool operator==(const timer& a, const timer& b) noexcept { return a.h_.get() == b.h_.get(); }

 private:
  friend struct detail::timer_access;
  explicit timer(detail::timer_state* t) noexcept : h_(t) {}
  detail::timer_state* checked(const char* what) const {
    if (!h_.get()) throw panic(what);
    return h_.get();
  }
  detail::timer_handle h_;
};

namespace detail {
struct timer_access {
  static timer adopt(timer_state* t) noexcept { return timer(t); }
};
}  // namespace detail

class ticker {
 public:
  template <class Rep, class Period>
  explicit ticker(std::chrono::duration<Rep, Period> d) : h_(start(detail::ticker_period(d, "non-positive interval for NewTicker"))) {}

  recv_chan<std::chrono::steady_clock::time_point> c() const { return detail::timer_channel(h_.get()); }
  void stop() { detail::timer_stop(h_.get()); }
  template <class Rep, class Period>
  void reset(std::chrono::duration<Rep, Period> d) {
    std::int64_t period = detail::ticker_period(d, "non-positive interval for Ticker.Reset");
    detail::timer_reset(h_.get(), detail::steady_now_ns() + period, period);
  }
  friend bool operator==(const ticker& a, const ticker& b) noexcept { return a.h_.get() == b.h_.get(); }

 private:
  static detail::timer_state* start(std::int64_t period) {
    return detail::timer_start(detail::steady_now_ns() + period, period, nullptr);
  }
  detail::timer_handle h_;
};

// A ticker's channel with no handle (Go's time.Tick): nil for d <= 0; the ticker stops
// once no view of the channel is left.
template <class Rep, class Period>
recv_chan<std::chrono::steady_clock::time_point> tick(std::chrono::duration<Rep, Period> d) {
  if (detail::saturated_ns(d) <= 0) return {};
  return ticker(d).c();
}

// Runs f() in its own goroutine once d has passed (Go's time.AfterFunc); each reset()
// runs it once more. f is decay-copied and may be called more than once.
template <class Rep, class Period, class F>
timer after_func(std::chrono::duration<Rep, Period> d, F&& f,
                 detail::source_site site = detail::source_site::current()) {
  static_assert(std::is_invocable_v<std::decay_t<F>&>, "goro::after_func(d, f): f must be callable with no arguments");
  auto fn = std::make_shared<detail::timer_func_of<std::decay_t<F>>>(std::forward<F>(f));
  fn->site = site;
  return detail::timer_access::adopt(detail::timer_start(detail::deadline_after(d), 0, std::move(fn)));
}

}  // namespace goro

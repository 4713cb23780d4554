// goro time: sleep, sleep_until and after here; timer, ticker, tick and after_func in
// goro/timer.hpp (included). On a goroutine, sleep parks only the goroutine, on its P's
// timer heap; no thread is held. On a plain thread it sleeps the thread. after(d)
// returns a channel that receives the time once d has passed: the channel of a
// goro::timer whose handle is dropped, as Go's time.After is NewTimer(d).C. A zero or negative duration returns (fires) at once; a huge one (hours::max())
// means practically never, never an overflow into the past. All clocks are
// std::chrono::steady_clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "goro/chan.hpp"
#include "goro/detail/duration.hpp"
#include "goro/timer.hpp"

namespace goro {

namespace detail {
void sleep_until_ns(std::int64_t steady_ns);
void sleep_for_ns(std::int64_t ns);  // ns > 0: one clock read
}  // namespace detail

// A channel that receives the time once d has passed (Go's time.After).
template <class Rep, class Period>
recv_chan<std::chrono::steady_clock::time_point> after(std::chrono::duration<Rep, Period> d) {
  return timer(d).c();
}

template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d) {
  if (d <= d.zero()) return;
  detail::sleep_for_ns(detail::saturated_ns(d));
}

template <class Duration>
void sleep_until(std::chrono::time_point<std::chrono::steady_clock, Duration> t) {
  detail::sleep_until_ns(detail::steady_ns(t));
}

}  // namespace goro

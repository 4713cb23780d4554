// goro time (this part: sleep and after). On a goroutine, sleep parks only the
// goroutine, on its P's timer heap; no thread is held. On a plain thread it sleeps the
// thread. after(d) returns a channel that receives the time once d has passed (a timer
// on a P's heap, no thread). A zero or negative duration returns (fires) at once. All
// clocks are std::chrono::steady_clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "goro/chan.hpp"

namespace goro {

namespace detail {
void sleep_until_ns(std::int64_t steady_ns);
recv_chan<std::chrono::steady_clock::time_point> after_until_ns(std::int64_t steady_ns);
inline std::int64_t deadline_after(std::chrono::nanoseconds d) {
  return (std::chrono::steady_clock::now().time_since_epoch() + d).count();
}
}  // namespace detail

// A channel that receives the time once d has passed (Go's time.After).
template <class Rep, class Period>
recv_chan<std::chrono::steady_clock::time_point> after(std::chrono::duration<Rep, Period> d) {
  return detail::after_until_ns(detail::deadline_after(std::chrono::ceil<std::chrono::nanoseconds>(d)));
}

template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d) {
  if (d <= d.zero()) return;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  detail::sleep_until_ns(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now + std::chrono::ceil<std::chrono::nanoseconds>(d))
          .count());
}

template <class Duration>
void sleep_until(std::chrono::time_point<std::chrono::steady_clock, Duration> t) {
  detail::sleep_until_ns(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

}  // namespace goro

// goro time (this part: sleep). On a goroutine, sleep parks only the goroutine, on its
// P's timer heap; no thread is held. On a plain thread it sleeps the thread. A zero or
// negative duration returns at once. All clocks are std::chrono::steady_clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace goro {

namespace detail {
void sleep_until_ns(std::int64_t steady_ns);
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

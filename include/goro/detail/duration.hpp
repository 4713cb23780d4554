// Durations and deadlines as the runtime's int64 steady-clock nanoseconds, saturated so
// that huge durations (hours::max(), a double of 1e300 seconds) mean "practically never"
// instead of overflowing into the past.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace goro::detail {

// A bound far beyond any uptime, with room to add a now() without overflow.
inline constexpr std::int64_t kFarNs = std::numeric_limits<std::int64_t>::max() / 4;

// d in nanoseconds, rounded up, clamped to [-kFarNs, kFarNs].
template <class Rep, class Period>
constexpr std::int64_t saturated_ns(std::chrono::duration<Rep, Period> d) noexcept {
  using wide = std::chrono::duration<long double, std::nano>;
  long double ns = std::chrono::duration_cast<wide>(d).count();
  if (ns >= static_cast<long double>(kFarNs)) return kFarNs;
  if (ns <= -static_cast<long double>(kFarNs)) return -kFarNs;
  return std::chrono::ceil<std::chrono::nanoseconds>(d).count();
}

inline std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// now + d as a steady-clock deadline in nanoseconds.
template <class Rep, class Period>
std::int64_t deadline_after(std::chrono::duration<Rep, Period> d) noexcept {
  return steady_now_ns() + saturated_ns(d);
}

// A steady_clock time point in nanoseconds, clamped like saturated_ns.
template <class Duration>
std::int64_t steady_ns(std::chrono::time_point<std::chrono::steady_clock, Duration> t) noexcept {
  return saturated_ns(t.time_since_epoch());
}

inline std::chrono::steady_clock::time_point steady_time(std::int64_t ns) noexcept {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace goro::detail

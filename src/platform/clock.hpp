// The runtime's clock: steady (CLOCK_MONOTONIC) nanoseconds, the same clock as
// std::chrono::steady_clock on Linux, so user deadlines and timer deadlines compare.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <time.h>

#include "goro/detail/duration.hpp"
#include "platform/fault_injection.hpp"

namespace goro::detail::platform {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

inline std::int64_t now_ns() noexcept {
#ifdef GORO_FAULT_INJECTION
  return faulty_now_ns();
#else
  return steady_now_ns();
#endif
}

}  // namespace goro::detail::platform

namespace goro::detail::platform {

// A cheap clock for bookkeeping such as "waiting since" (a few ms resolution).
inline std::int64_t coarse_now_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace goro::detail::platform

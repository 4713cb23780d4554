// Linux futex wait/wake on a 32-bit atomic word. wait() returns on a wake, a timeout, a
// signal or a spurious wake-up (fault_injection.hpp can make one): callers re-check
// their condition in a loop.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

#include "platform/fault_injection.hpp"

namespace goro::detail::platform {

// Sleeps while *word == expected, at most timeout_ns (< 0: no timeout).
inline void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       std::int64_t timeout_ns = -1) noexcept {
  if (injected_fault(sys_call::futex)) return;  // a spurious wake-up (EINTR, EAGAIN)
  timespec ts{};
  timespec* tsp = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
    tsp = &ts;
  }
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, tsp,
          nullptr, 0);
}

inline void futex_wake(std::atomic<std::uint32_t>* word, int count = 1) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
}

}  // namespace goro::detail::platform

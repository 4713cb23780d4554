// A plain OS thread's parking spot: one per thread, a futex word. park() sleeps until
// unpark() (a permit, so an unpark that comes first is not lost); spurious futex returns
// are absorbed here.
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/futex.hpp"

namespace goro::detail {

struct thread_parker {
  std::atomic<std::uint32_t> permit{0};

  void park() noexcept {
    while (permit.exchange(0, std::memory_order_acquire) == 0) {
      platform::futex_wait(&permit, 0);
    }
  }
  void unpark() noexcept {
    permit.store(1, std::memory_order_release);
    platform::futex_wake(&permit);
  }
};

}  // namespace goro::detail

// oneshot: one waiter, one event (a goroutine or plain thread waits until another party
// signals once). The signal may come before, during or after the wait starts; exactly
// one of the two sides calls wake_waiter, never both, never neither.
#pragma once

#include <atomic>
#include <cstdint>

#include "goro/detail/park.hpp"

namespace goro::detail {

class oneshot {
 public:
  void wait(wait_reason reason) {
    prepare_waiter(waiter_);
    park_waiter(waiter_, reason, &commit, this);
  }
  void signal() noexcept {
    if (state_.exchange(kSignalled, std::memory_order_acq_rel) == kParked) wake_waiter(waiter_);
  }

 private:
  static constexpr std::uint32_t kIdle = 0, kParked = 1, kSignalled = 2;
  static bool commit(void* self) {
    auto* o = static_cast<oneshot*>(self);
    std::uint32_t expected = kIdle;
    return o->state_.compare_exchange_strong(expected, kParked, std::memory_order_acq_rel);
  }
  std::atomic<std::uint32_t> state_{kIdle};
  waiter waiter_;
};

}  // namespace goro::detail

// wait_group: an atomic counter+waiters word, a sema for the waiters (Go's design).
#include "goro/wait_group.hpp"

#include "goro/panic.hpp"

namespace goro {

void wait_group::add(int delta) {
  detail::note_plain_thread();
  const std::uint64_t step = static_cast<std::uint64_t>(static_cast<std::int64_t>(delta)) << 32;
  std::uint64_t s = state_.fetch_add(step, std::memory_order_acq_rel) + step;
  auto counter = static_cast<std::int32_t>(s >> 32);
  auto waiters = static_cast<std::uint32_t>(s);
  if (counter < 0) {
    state_.fetch_sub(step, std::memory_order_acq_rel);
    throw panic("sync: negative WaitGroup counter");
  }
  if (counter > 0 || waiters == 0) return;
  // The counter reached zero with waiters: nobody may add or wait concurrently now (Go's
  // rule), so reset and release each waiter.
  state_.store(0, std::memory_order_release);
  sema_.release(waiters);
}

void wait_group::wait() {
  std::uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((s >> 32) == 0) return;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      sema_.acquire(detail::wait_reason::wait_group);
      return;
    }
  }
}

}  // namespace goro

// goro::mutex: a lock word plus a FIFO of parked lockers. See include/goro/mutex.hpp.
#include "goro/mutex.hpp"

#include "goro/runtime.hpp"
#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/scheduler.hpp"

namespace goro {

struct mutex::waiter_node {
  detail::waiter w;
  waiter_node* next = nullptr;
  std::int64_t since_ns = 0;  // first enqueued (for the 1 ms starvation bound)
  bool handed_off = false;    // unlock gave us the lock directly
};

namespace {
constexpr std::int64_t kStarvationNs = 1'000'000;  // Go's starvationThresholdNs
constexpr int kSpins = 4;
}  // namespace

void mutex::lock_slow() {
  // Spin a little while another worker may be about to release it (multicore only).
  if (maxprocs() > 1) {
    for (int i = 0; i < kSpins; ++i) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if (!(s & kLocked) &&
          state_.compare_exchange_weak(s, s | kLocked, std::memory_order_acquire, std::memory_order_relaxed))
        return;
      for (int k = 0; k < 30; ++k) detail::cpu_relax();
    }
  }
  waiter_node me;
  bool requeue_front = false;
  for (;;) {
    queue_lock_.lock();
    // Take the lock if it is free; else announce a waiter with a CAS that also sees it
    // locked, so that an unlock can no longer take the fast path and miss us.
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    bool acquired = false;
    for (;;) {
      if (!(s & kLocked)) {
        if (state_.compare_exchange_weak(s, s | kLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
          acquired = true;
          break;
        }
      } else if (state_.compare_exchange_weak(s, s | kHasWaiters, std::memory_order_relaxed)) {
        break;
      }
    }
    if (acquired) {
      queue_lock_.unlock();
      return;
    }
    // Queue up. A waiter that lost the race after a wake-up keeps its place at the front.
    if (me.since_ns == 0) me.since_ns = detail::platform::now_ns();
    if (requeue_front) queue_.push_front(&me);
    else queue_.push_back(&me);
    detail::prepare_waiter(me.w);
    detail::park_waiter(me.w, detail::wait_reason::mutex_lock, &detail::unlock_after_park, &queue_lock_);
    if (me.handed_off) return;  // the lock is ours, held across the hand-off
    requeue_front = true;       // compete again; keep our place if we lose
  }
}

void mutex::unlock_slow() {
  queue_lock_.lock();
  std::uint32_t s = state_.load(std::memory_order_relaxed);
  if (!(s & kLocked)) {
    queue_lock_.unlock();
    detail::fatal("sync: unlock of unlocked mutex");
  }
  waiter_node* w = queue_.pop_front();
  if (queue_.empty()) state_.fetch_and(~kHasWaiters, std::memory_order_relaxed);
  if (w && detail::platform::now_ns() - w->since_ns > kStarvationNs) {
    // Starving: hand the lock over without releasing it, so nobody can barge in.
    w->handed_off = true;
    queue_lock_.unlock();
    detail::wake_waiter(w->w);
    return;
  }
  state_.fetch_and(~kLocked, std::memory_order_release);
  queue_lock_.unlock();
  if (w) detail::wake_waiter(w->w);
}

}  // namespace goro

// sysmon (Go's sysmon): a background thread that watches the workers while any of them
// is busy, and sleeps on a futex while all are idle. Its jobs today:
//  * fire the timers of a P whose worker is running a goroutine that does not park,
//    once they are overdue by a slack, so that sleeps, after() and timed waits still end
//    on time (whatever they ready goes to the global queue and wakes an idle worker);
//  * scavenge goroutine stacks: every stack_allocator::kScavengePeriodNs, give back the
//    memory of pooled stacks that stayed unused for a whole period (also while every
//    worker is idle: then it sleeps with that period as its timeout while any is left).
// Issue 5 adds the hand-off of such a hog's other runnable goroutines.
#include <thread>

#include "platform/clock.hpp"
#include "platform/futex.hpp"
#include "platform/stack_allocator.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

void scheduler::sysmon_loop() {
  mark_runtime_thread();
  auto& stacks = platform::stack_allocator::instance();
  std::int64_t last_scavenge = platform::now_ns();
  auto maybe_scavenge = [&](std::int64_t now) {
    if (now - last_scavenge < platform::stack_allocator::kScavengePeriodNs) return;
    last_scavenge = now;
    stacks.scavenge();
  };
  for (;;) {
    if (all_workers_parked()) {
      // Publish that we sleep, then look again: a worker that leaves idle after this
      // sees the flag and wakes us (wake_sysmon), one that left before is seen here.
      sysmon_sleeping_.store(1, std::memory_order_seq_cst);
      if (all_workers_parked())
        platform::futex_wait(&sysmon_sleeping_, 1,
                             stacks.has_excess() ? platform::stack_allocator::kScavengePeriodNs : -1);
      sysmon_sleeping_.store(0, std::memory_order_seq_cst);
      maybe_scavenge(platform::now_ns());
      continue;
    }
    std::this_thread::sleep_for(std::chrono::nanoseconds(kSysmonPeriodNs));
    std::int64_t now = platform::now_ns();
    maybe_scavenge(now);
    for (int i = 0, n = started_.load(std::memory_order_acquire); i < n; ++i) {
      processor* p = proc(i);
      std::int64_t d = p->timers.next_deadline();
      if (d == platform::kNever || d + kTimerStealSlackNs > now) continue;
      // Counted as a possible waker while firing: between taking a timer off its heap and
      // queueing what it readies, nothing else shows that progress is coming.
      active_plain_threads.fetch_add(1, std::memory_order_seq_cst);
      while (due_timer d = p->timers.pop_due(now)) fire(d);
      active_plain_threads.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
}

void scheduler::wake_sysmon() noexcept {
  if (sysmon_sleeping_.load(std::memory_order_seq_cst) == 1) {
    sysmon_sleeping_.store(0, std::memory_order_seq_cst);
    platform::futex_wake(&sysmon_sleeping_);
  }
}

}  // namespace goro::detail

// sysmon (Go's sysmon): a background thread that watches the workers while any of them
// is busy, and sleeps on a futex while all are idle. Its jobs today:
//  * fire the timers of a P whose worker is running a goroutine that does not park,
//    once they are overdue by a slack, so that sleeps, after() and timed waits still end
//    on time (whatever they ready goes to the global queue and wakes an idle worker);
//  * scavenge goroutine stacks: every stack_allocator::kScavengePeriodNs, give back the
//    memory of pooled stacks that stayed unused for a whole period (also while every
//    worker is idle: then it sleeps with that period as its timeout while any is left),
//    and, after a worker thread became a spare, the free memory of the malloc heap.
//  * poll the network when no worker has for kSysmonPollGapNs (every worker busy with
//    goroutines that do not park): what it readies goes to the global queue.
//  * hand off a slot whose worker has run one goroutine for kHogNs (a CPU hog, or a call
//    that blocks its thread; sched/hog_rule.hpp says how a thread the machine is not
//    running is told apart) while other goroutines wait: the slot gets another P and
//    thread (scheduler::hand_off), the hog keeps its thread until it parks. C++ code
//    cannot be preempted safely, so this is how one hog never starves the rest.
#include <thread>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>
#include <cstring>

#include "net/poller.hpp"
#include "platform/clock.hpp"
#include "platform/futex.hpp"
#include "platform/stack_allocator.hpp"
#include "sched/hog_rule.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

void scheduler::sysmon_loop() {
  runtime_thread_scope runtime_thread;
  auto& stacks = platform::stack_allocator::instance();
  std::int64_t last_scavenge = platform::now_ns();
  auto maybe_scavenge = [&](std::int64_t now) {
    if (now - last_scavenge < platform::stack_allocator::kScavengePeriodNs) return;
    last_scavenge = now;
    stacks.scavenge();
    if (heap_trim_wanted.exchange(false, std::memory_order_relaxed)) malloc_trim(0);
  };
  int idle_rounds = 0;
  for (;;) {
    if (all_workers_parked()) {
      // Publish that we sleep, then look again: a worker that leaves idle after this
      // sees the flag and may wake us (wake_sysmon), one that left before is seen here.
      // The first sleeps are short (10 ms, doubling) and workers do not wake us from
      // them: a runtime that goes idle and busy thousands of times a second (timers)
      // would otherwise pay a futex wake-up and a sysmon round for each. After ~1 s of
      // idleness we sleep until a worker wakes us.
      std::int64_t timeout = idle_rounds < kSysmonShortSleeps ? kSysmonIdleSleepNs << idle_rounds : -1;
      if (stacks.has_excess() && (timeout < 0 || timeout > platform::stack_allocator::kScavengePeriodNs))
        timeout = platform::stack_allocator::kScavengePeriodNs;
      if (std::int64_t watch = watch_deadlock(*this); watch >= 0 && (timeout < 0 || timeout > watch)) timeout = watch;
      sysmon_asleep_since_.store(platform::coarse_now_ns(), std::memory_order_relaxed);
      sysmon_sleeping_.store(1, std::memory_order_seq_cst);
      // A suspicion raised after watch_deadlock looked: its raiser saw sleeping_ == 0
      // or wakes us (Dekker on sleeping_ and deadlock_suspected).
      if (all_workers_parked() && !deadlock_suspected.load(std::memory_order_seq_cst))
        platform::futex_wait(&sysmon_sleeping_, 1, timeout);
      sysmon_sleeping_.store(0, std::memory_order_seq_cst);
      idle_rounds = all_workers_parked() ? idle_rounds + 1 : 0;
      maybe_scavenge(platform::now_ns());
      continue;
    }
    idle_rounds = 0;
    std::this_thread::sleep_for(std::chrono::nanoseconds(kSysmonPeriodNs));
    std::int64_t now = platform::now_ns();
    maybe_scavenge(now);
    if (poller* pl = poller::if_started();
        pl && pl->worth_polling() && platform::coarse_now_ns() - pl->last_poll_ns() > kSysmonPollGapNs) {
      active_plain_threads.fetch_add(1, std::memory_order_seq_cst);  // as for timers below
      pl->poll(0);
      active_plain_threads.fetch_sub(1, std::memory_order_seq_cst);
    }
    for_each_p([&](processor* p) {
      std::int64_t d = p->timers.next_deadline();
      if (d == platform::kNever || d + kTimerStealSlackNs > now) return;
      // Counted as a possible waker while firing: between taking a timer off its heap and
      // queueing what it readies, nothing else shows that progress is coming.
      active_plain_threads.fetch_add(1, std::memory_order_seq_cst);
      fire_due(p, now);
      active_plain_threads.fetch_sub(1, std::memory_order_seq_cst);
    });
    retake_hogs(now);
  }
}

namespace {
// A worker thread's CPU time in ns, or -1 if it cannot be read.
std::int64_t thread_cpu_ns(const worker& w) noexcept {
  timespec ts;
  if (!w.cpu_clock_set.load(std::memory_order_acquire) || clock_gettime(w.cpu_clock, &ts) != 0) return -1;
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
// A worker thread's scheduling state from /proc ('R' running or runnable, 'S' or 'D'
// asleep in the kernel), or '?' if it cannot be read.
char thread_state(const worker& w) noexcept {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", w.tid.load(std::memory_order_acquire));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return '?';
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return '?';
  buf[n] = 0;
  const char* paren = std::strrchr(buf, ')');  // the name may contain spaces and parentheses
  return paren && paren[1] == ' ' && paren[2] ? paren[2] : '?';
}
}  // namespace

void scheduler::retake_hogs(std::int64_t now) noexcept {
  for (int i = 0, n = nprocs(); i < n; ++i) {
    processor* p = proc(i);
    if (!p) continue;
    worker* w = p->owner;
    slot_watch& sw = watch_[i];
    std::uint64_t stamp = w->switch_stamp.load(std::memory_order_relaxed);
    if (sw.p != p || sw.stamp != stamp || !(stamp & 1)) {  // moved on, or not in a goroutine
      sw = {p, stamp, now};
      continue;
    }
    // The same goroutine since the last round: from now on, also count the CPU time its
    // thread gets (a clock read only for goroutines that have run a whole round).
    if (sw.cpu_from < 0) sw.cpu_from = thread_cpu_ns(*w);
    if (now - sw.since < kHogNs) continue;
    std::int64_t cpu = sw.cpu_from < 0 ? -1 : thread_cpu_ns(*w);
    if (!should_retake(cpu < 0 ? -1 : cpu - sw.cpu_from, [w] { return thread_state(*w); })) continue;
    // One goroutine has held this worker for kHogNs. Hand the slot off only if others
    // wait for it: in this P's queue, or in the global queue with no idle worker.
    bool waiting = p->has_work() || (!global_.empty() && nidle_.load(std::memory_order_seq_cst) == 0);
    if (waiting && hand_off(p)) {
      hog_handoffs.fetch_add(1, std::memory_order_relaxed);
      sw = {};
    }
  }
  // A detached P whose worker still runs its hog: what that goroutine readies or spawns
  // lands in this P's queue, which no thief sees any more. Move it on.
  for_each_p([this](processor* p) {
    if (p->id.load(std::memory_order_relaxed) == processor::kDetached &&
        p->owner->running_goroutine() && p->has_work())
      if (hand_over(p)) wakep();
  });
}

void scheduler::wake_sysmon_now() noexcept {
  if (sysmon_sleeping_.exchange(0, std::memory_order_seq_cst) == 1) platform::futex_wake(&sysmon_sleeping_);
}

void scheduler::wake_sysmon() noexcept {
  // Not from its first, short sleep (see sysmon_loop): it wakes soon by itself.
  if (sysmon_sleeping_.load(std::memory_order_seq_cst) == 1 &&
      platform::coarse_now_ns() - sysmon_asleep_since_.load(std::memory_order_relaxed) > kSysmonIdleSleepNs) {
    sysmon_sleeping_.store(0, std::memory_order_seq_cst);
    platform::futex_wake(&sysmon_sleeping_);
  }
}

}  // namespace goro::detail

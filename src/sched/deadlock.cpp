// The deadlock check (Go's checkdead). The last worker to go idle and the last active
// plain thread to block (while every worker is idle) call check_deadlock, which only
// notes a suspicion and wakes sysmon; sysmon confirms it in watch_deadlock, so no worker
// or thread ever waits out the grace, and a suspicion that could not be confirmed yet
// (a foreign thread about) is looked at again later. A library must
// never kill a healthy host program on a guess (settled detail 16), so it fires only
// when it is certain that nothing can ever make progress again: a run() main is still
// outstanding, every worker is idle with nothing queued, no P has a pending timer, no
// goroutine or thread waits for I/O, no signal is watched, every registered plain
// thread is blocked in goro, the state has held through a grace (below), and a census
// of the process's OS threads finds none but the runtime's own and those blocked plain
// threads. Any other thread (one that has not called goro yet or only took fast paths,
// one asleep, one blocked in a std::mutex or a foreign library) may still wake a
// goroutine: no report. Then, as GORO_DEADLOCK says: every goroutine is printed and the
// process exits with status 2, as Go does (fatal, the default); the report is printed
// once and the program runs on (warn); or nothing (off).
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>

#include "goro/signal.hpp"
#include "net/poller.hpp"
#include "platform/clock.hpp"
#include "sched/config.hpp"
#include "sched/fatal.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

namespace {

// A deadlock is reported only if it still holds after this grace with nothing moved
// meanwhile (parks, spawns and plain threads counted), so a state seen in passing, while
// a thread is between two of the counters the check reads, is never reported. A real
// deadlock is reported that much later.
constexpr auto kGrace = std::chrono::milliseconds(100);

// ThreadSanitizer runs one background thread of its own in every instrumented process.
#if defined(__SANITIZE_THREAD__)
constexpr int kSanitizerThreads = 1;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr int kSanitizerThreads = 1;
#else
constexpr int kSanitizerThreads = 0;
#endif
#else
constexpr int kSanitizerThreads = 0;
#endif

// The process's OS threads, or -1 if /proc cannot tell.
int process_threads() noexcept {
  DIR* d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n;
}

// The census: no thread but the runtime's own and the registered plain threads (all
// blocked in goro, since none is active). Unknown (no /proc), or a count that changed
// while the threads were listed, counts as a foreign thread (sysmon looks again).
bool no_foreign_thread() noexcept {
  const std::uint64_t before = accounted_threads();
  const int threads = process_threads();
  if (threads < 0 || accounted_threads() != before) return false;
  return threads <= accounted_count(before) + kSanitizerThreads;
}

bool looks_deadlocked(scheduler& s) {
  if (s.mains_outstanding.load(std::memory_order_seq_cst) == 0) return false;
  if (s.active_plain_threads.load(std::memory_order_seq_cst) > 0) return false;
  if (s.global_queue_length() != 0) return false;
  // A goroutine waiting for I/O can be woken by the network (Go does not call that a
  // deadlock either).
  if (poller* pl = poller::if_started(); pl && pl->waiters() > 0) return false;
  // Nor is one whose goroutines may be woken by a signal (goro::signal_notify).
  if (signals_watched()) return false;
  bool pending = false;
  s.for_each_p([&](processor* p) { pending = pending || p->has_work() || p->timers.size() > 0; });
  if (pending) return false;
  // Every worker is idle or retired: no one runs code that could change the state.
  return s.all_workers_parked();
}

// What changes whenever anything runs: parks and spawns on every P, plain threads counted.
std::uint64_t progress_mark(scheduler& s) {
  std::uint64_t mark = s.plain_threads_seen.load(std::memory_order_seq_cst);
  s.for_each_p([&](processor* p) {
    mark += static_cast<std::uint64_t>(p->parks.load(std::memory_order_relaxed)) +
            static_cast<std::uint64_t>(p->created.load(std::memory_order_relaxed));
  });
  return mark;
}

void report(scheduler& s, deadlock_action action) {
  std::fprintf(stderr, "%s: all goroutines are asleep - deadlock!\n\n",
               action == deadlock_action::fatal ? "fatal error" : "goro: warning (GORO_DEADLOCK=warn)");
  std::int64_t now = platform::coarse_now_ns();
  s.for_each_goroutine([&](const goroutine& g) {
    g_state st = g.state.load(std::memory_order_acquire);
    if (st != g_state::free && st != g_state::dead) print_goroutine(stderr, g, now);
  });
  std::fflush(stderr);
  if (action == deadlock_action::fatal) std::_Exit(2);
}

// sysmon's record of the state it is confirming (only sysmon touches it).
struct watch_state {
  bool active = false;
  bool reported = false;     // warn: once
  std::uint64_t mark = 0;    // progress_mark when the state was last seen to move
  std::int64_t next = 0;     // when to look again
  std::int64_t recheck = 0;  // the wait between censuses that found a foreign thread
};
watch_state watch;

constexpr std::int64_t kGraceNs = std::chrono::nanoseconds(kGrace).count();
// A foreign thread may make the deadlock certain later only by exiting; sysmon looks
// again after 100 ms, doubling up to this (one /proc read a second while it lasts).
constexpr std::int64_t kMaxRecheckNs = 1'000'000'000;

}  // namespace

void check_deadlock(scheduler& s) noexcept {
  if (config().on_deadlock == deadlock_action::off || !looks_deadlocked(s)) return;
  s.deadlock_suspected.store(true, std::memory_order_seq_cst);
  // A watch in progress looks again by itself (a foreign thread feeding goroutines makes
  // every idle transition look deadlocked: a futex wake-up each would cost).
  if (!s.deadlock_watching.load(std::memory_order_seq_cst)) s.wake_sysmon_now();
}

namespace {

// One step of sysmon's watch; how long it may sleep before the next (-1: until woken).
std::int64_t watch_step(scheduler& s, std::int64_t now) {
  const bool raised = s.deadlock_suspected.exchange(false, std::memory_order_seq_cst);
  if (!watch.active) {
    // Without a raise sysmon still looks once a second while a main is outstanding:
    // what kept the state from looking deadlocked to the last to park (an active plain
    // thread, a pending timer, a watched signal) can go away with nobody parking after
    // it (the thread exits; a foreign thread stops the last timer).
    const bool main_waits = s.mains_outstanding.load(std::memory_order_seq_cst) > 0;
    if (!(raised || main_waits) || !looks_deadlocked(s)) return main_waits ? kMaxRecheckNs : -1;
    watch.active = true;
    watch.mark = progress_mark(s);
    watch.next = now + kGraceNs;
    watch.recheck = kGraceNs;
  }
  if (!looks_deadlocked(s)) {
    watch.active = false;  // the next to park raises it again, or the once-a-second look
    return s.mains_outstanding.load(std::memory_order_seq_cst) > 0 ? kMaxRecheckNs : -1;
  }
  auto restart_grace = [&](std::uint64_t mark) {
    watch.mark = mark;
    watch.next = now + kGraceNs;
    watch.recheck = kGraceNs;
    return kGraceNs;
  };
  if (std::uint64_t mark = progress_mark(s); mark != watch.mark) return restart_grace(mark);
  if (now < watch.next) return watch.next - now;
  if (!no_foreign_thread()) {
    watch.recheck = std::min(2 * watch.recheck, kMaxRecheckNs);
    watch.next = now + watch.recheck;
    return watch.recheck;
  }
  // A thread the census no longer finds may have readied a goroutine (a channel's fast
  // path) just before it exited: what it did happened before it left /proc, so a last
  // look at the state sees it.
  if (!looks_deadlocked(s)) {
    watch.active = false;
    return kMaxRecheckNs;
  }
  if (std::uint64_t mark = progress_mark(s); mark != watch.mark) return restart_grace(mark);
  watch.active = false;
  watch.reported = true;
  report(s, config().on_deadlock);
  return -1;
}

}  // namespace

std::int64_t watch_deadlock(scheduler& s) {
  if (config().on_deadlock == deadlock_action::off || watch.reported) return -1;
  std::int64_t next = watch_step(s, platform::now_ns());
  s.deadlock_watching.store(watch.active, std::memory_order_seq_cst);
  return next;
}

}  // namespace goro::detail

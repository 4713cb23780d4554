// The deadlock check (Go's checkdead): called by the last worker to go idle, and by the
// last active plain thread when it blocks while every worker is idle. It fires
// when a run() main is still outstanding and nothing can ever make progress again: every
// worker idle with nothing queued, no pending timer on any P, no goroutine or thread waiting for I/O, no signal watched, and no plain thread that
// could still wake a goroutine (settled detail 16: a plain thread counts from its first
// goro call until it exits, except while it is itself blocked in goro). Then every
// goroutine is printed and the process exits with status 2, as Go does, once the state has
// held for a grace (below).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "goro/signal.hpp"
#include "net/poller.hpp"
#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

namespace {

// Settled detail 16 counts a plain thread as a possible waker only from its first goro
// call, and a thread that a goroutine starts to feed it a channel may make that call a
// few milliseconds later (thread start-up took ~2 ms here; 10 of 40 runs of such a test
// were reported as deadlocks). So a deadlock is reported only if it still holds after
// this grace and nothing moved meanwhile. A real deadlock is reported that much later.
constexpr auto kGrace = std::chrono::milliseconds(100);

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

}  // namespace

void check_deadlock(scheduler& s) {
  if (!looks_deadlocked(s)) return;
  const std::uint64_t before = progress_mark(s);
  std::this_thread::sleep_for(kGrace);
  // Something ran: whoever parks or goes idle last checks again.
  if (!looks_deadlocked(s) || progress_mark(s) != before) return;
  std::fprintf(stderr, "fatal error: all goroutines are asleep - deadlock!\n\n");
  std::int64_t now = platform::coarse_now_ns();
  s.for_each_goroutine([&](const goroutine& g) {
    g_state st = g.state.load(std::memory_order_acquire);
    if (st != g_state::free && st != g_state::dead) print_goroutine(stderr, g, now);
  });
  std::fflush(stderr);
  std::_Exit(2);
}

}  // namespace goro::detail

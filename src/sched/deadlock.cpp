// The deadlock check (Go's checkdead): called by the last worker to go idle, and by the
// last active plain thread when it blocks while every worker is idle. It fires
// when a run() main is still outstanding and nothing can ever make progress again: every
// worker idle with nothing queued, no pending timer on any P, no goroutine or thread waiting for I/O, no signal watched, and no plain thread that
// could still wake a goroutine (settled detail 16: a plain thread counts from its first
// goro call until it exits, except while it is itself blocked in goro). Then every
// goroutine is printed and the process exits with status 2, as Go does.
#include <cstdio>
#include <cstdlib>

#include "goro/signal.hpp"
#include "net/poller.hpp"
#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

void check_deadlock(scheduler& s) {
  if (s.mains_outstanding.load(std::memory_order_seq_cst) == 0) return;
  if (s.active_plain_threads.load(std::memory_order_seq_cst) > 0) return;
  if (!s.global_.empty()) return;
  // A goroutine waiting for I/O can be woken by the network (Go does not call that a
  // deadlock either).
  if (poller* pl = poller::if_started(); pl && pl->waiters() > 0) return;
  // Nor is one whose goroutines may be woken by a signal (goro::signal_notify).
  if (signals_watched()) return;
  bool pending = false;
  s.for_each_p([&](processor* p) { pending = pending || p->has_work() || p->timers.size() > 0; });
  if (pending) return;
  // Every worker is idle or retired: no one runs code that could change the state.
  if (!s.all_workers_parked()) return;
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

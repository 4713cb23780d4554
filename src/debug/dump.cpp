// Goroutine dumps, stats and the SIGQUIT dump. See include/goro/debug.hpp.
//
// Everything here reads the scheduler from outside, while goroutines run: the registry
// of control blocks (never freed), each block's relaxed-atomic fields, the Ps' atomic
// counters and queue lengths, and the stack allocator under its lock. Nothing stops.
// SIGQUIT: the handler only posts a semaphore (async-signal-safe); a dumper thread,
// started with the runtime, waits on it, writes the dump to stderr and exits with
// status 2.
#include "goro/debug.hpp"

#include <semaphore.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <ostream>
#include <thread>

#include "platform/clock.hpp"
#include "platform/stack_allocator.hpp"
#include "debug/stack_trace.hpp"
#include "net/poller.hpp"
#include "sched/fatal.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"
#include "sched/signals.hpp"

namespace goro {

namespace {

bool live(detail::g_state st) noexcept {
  return st == detail::g_state::runnable || st == detail::g_state::running || st == detail::g_state::waiting;
}

}  // namespace

std::vector<goroutine_info> goroutines() {
  std::vector<goroutine_info> out;
  detail::scheduler* s = detail::scheduler::if_started();
  if (!s) return out;
  std::int64_t now = detail::platform::coarse_now_ns();
  s->for_each_goroutine([&](const detail::goroutine& g) {
    detail::g_state st = g.state.load(std::memory_order_acquire);
    if (!live(st)) return;
    goroutine_info info;
    info.id = g.goid();
    info.state = detail::g_state_name(st);
    if (st == detail::g_state::waiting) {
      info.wait_reason = detail::wait_reason_name(g.reason.load(std::memory_order_relaxed));
      std::int64_t since = g.wait_since_ns.load(std::memory_order_relaxed);
      if (since > 0 && now > since) info.waiting = std::chrono::nanoseconds(now - since);
    }
    info.created_by = g.site_function.load(std::memory_order_relaxed);
    info.file = g.site_file.load(std::memory_order_relaxed);
    info.line = g.site_line.load(std::memory_order_relaxed);
    info.parent_id = g.parent_id.load(std::memory_order_relaxed);
    if (st == detail::g_state::waiting)
      for (const detail::stack_frame& f : detail::parked_stack(g)) {
        if (f.function.find("goroutine_entry") != std::string::npos) break;
        char off[32];
        std::snprintf(off, sizeof off, " +0x%llx", static_cast<unsigned long long>(f.offset));
        info.stack.push_back(f.function + off);
      }
    out.push_back(std::move(info));
  });
  std::sort(out.begin(), out.end(), [](const goroutine_info& a, const goroutine_info& b) { return a.id < b.id; });
  return out;
}

void dump(std::ostream& os) {
  detail::scheduler* s = detail::scheduler::if_started();
  if (!s) return;
  std::int64_t now = detail::platform::coarse_now_ns();
  std::vector<std::pair<std::uint64_t, std::string>> lines;
  s->for_each_goroutine([&](const detail::goroutine& g) {
    if (live(g.state.load(std::memory_order_acquire))) lines.emplace_back(g.goid(), detail::format_goroutine(g, now));
  });
  std::sort(lines.begin(), lines.end());
  for (auto& [id, text] : lines) os << text;
  os.flush();
}

runtime_stats stats() {
  runtime_stats r;
  detail::scheduler* s = detail::scheduler::if_started();
  auto& stacks = detail::platform::stack_allocator::instance();
  std::size_t pooled = stacks.pooled_count();
  r.stacks_pooled = pooled;
  r.stacks_in_use = stacks.carved_count() - pooled;
  r.stack_bytes_reserved = stacks.reserved_bytes();
  if (detail::poller* pl = detail::poller::if_started()) r.poller_fds = static_cast<std::size_t>(pl->descriptors());
  if (!s) return r;
  r.threads = s->thread_count();
  r.hog_handoffs = s->hog_handoffs.load(std::memory_order_relaxed);
  r.blocking_handoffs = s->blocking_handoffs.load(std::memory_order_relaxed);
  s->for_each_goroutine([&](const detail::goroutine& g) {
    switch (g.state.load(std::memory_order_acquire)) {
      case detail::g_state::runnable: ++r.runnable; break;
      case detail::g_state::running: ++r.running; break;
      case detail::g_state::waiting: ++r.waiting; break;
      default: break;
    }
  });
  r.goroutines = r.runnable + r.running + r.waiting;
  r.procs = s->nprocs();
  for (int i = 0; i < r.procs && i < s->started_procs(); ++i) {
    detail::processor* p = s->proc(i);
    r.local_queue.push_back(p->runq.size() + (p->runnext.load(std::memory_order_acquire) ? 1 : 0));
  }
  s->for_each_p([&](detail::processor* p) {  // detached Ps too: their counts stay
    r.steals += static_cast<std::uint64_t>(p->steals.load(std::memory_order_relaxed));
    r.parks += static_cast<std::uint64_t>(p->parks.load(std::memory_order_relaxed));
    r.timers += p->timers.size();
  });
  r.global_queue = s->global_queue_length();
  return r;
}

}  // namespace goro

namespace goro::detail {

namespace {
sem_t quit_sem;

void on_quit(int) { sem_post(&quit_sem); }

void dumper_main() {
  runtime_thread_scope runtime_thread;
  while (sem_wait(&quit_sem) != 0) {
  }
  std::fputs("SIGQUIT: quit\n\n", stderr);
  std::fflush(stderr);
  goro::dump(std::cerr);
  std::fflush(stderr);
  std::_Exit(2);
}
}  // namespace

void install_quit_dump() {
  sem_init(&quit_sem, 0, 0);
  std::thread(&dumper_main).detach();
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = &on_quit;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGQUIT, &sa, nullptr);
}

}  // namespace goro::detail

// park / wake for goroutines and plain threads. See include/goro/detail/park.hpp.
#include "goro/detail/park.hpp"

#include <atomic>
#include <cstdint>
#include <new>

#include "sched/fatal.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"
#include "sched/switch.hpp"

namespace goro::detail {

namespace {
thread_local bool tls_runtime_thread = false;
// The census's count (low 32 bits: runtime threads + registered plain threads) and a
// generation bumped by every change (high 32 bits), in one word so one load reads both.
std::atomic<std::uint64_t> accounted{0};
constexpr std::uint64_t kCounted = (std::uint64_t{1} << 32) + 1;
constexpr std::uint64_t kUncounted = (std::uint64_t{1} << 32) - 1;

struct plain_registration {
  thread_parker parker;
  bool counted = !tls_runtime_thread;
  plain_registration() {
    if (!counted) return;
    scheduler& s = scheduler::get();
    accounted.fetch_add(kCounted, std::memory_order_seq_cst);
    s.active_plain_threads.fetch_add(1, std::memory_order_seq_cst);
    s.plain_threads_seen.fetch_add(1, std::memory_order_seq_cst);
  }
  ~plain_registration() {
    if (!counted) return;
    if (scheduler* s = scheduler::if_started())
      s->active_plain_threads.fetch_sub(1, std::memory_order_seq_cst);
    accounted.fetch_add(kUncounted, std::memory_order_seq_cst);
  }
};
}  // namespace

runtime_thread_scope::runtime_thread_scope() noexcept {
  tls_runtime_thread = true;
  accounted.fetch_add(kCounted, std::memory_order_seq_cst);
}
runtime_thread_scope::~runtime_thread_scope() { accounted.fetch_add(kUncounted, std::memory_order_seq_cst); }

std::uint64_t accounted_threads() noexcept { return accounted.load(std::memory_order_seq_cst); }

thread_parker& plain_thread_parker() {
  thread_local plain_registration reg;
  return reg.parker;
}

namespace {
// A plain thread's first goro call registers it and may start the runtime; from the
// noexcept entry points below, failing to is fatal (Go's runtime cannot start either).
thread_parker& registered_parker() noexcept {
  try {
    return plain_thread_parker();
  } catch (const std::bad_alloc&) {
    fatal_out_of_memory("the runtime");
  } catch (...) {
    fatal("cannot start the runtime");
  }
}
}  // namespace

void note_plain_thread() noexcept {
  if (!current_worker()) registered_parker();
}

bool plain_thread_blocks() noexcept {
  scheduler& s = scheduler::get();
  // The last possible waker blocks while every worker is already idle: nobody else will
  // run the deadlock check, so this thread does (workers check when they go idle; the
  // seq_cst count and idle flags make sure one of the two sides sees the other).
  return s.active_plain_threads.fetch_sub(1, std::memory_order_seq_cst) == 1 && s.all_workers_parked();
}

void plain_thread_unblocked() noexcept {
  scheduler::get().active_plain_threads.fetch_add(1, std::memory_order_seq_cst);
}

void prepare_waiter(waiter& w) noexcept {
  worker* wk = current_worker();
  if (wk && wk->current) {
    w.g = wk->current;
    w.thread = nullptr;
    w.on = wk;  // no switch can happen before the park: the goroutine stays on wk
  } else {
    w.g = nullptr;
    w.thread = &registered_parker();
    w.on = nullptr;
  }
}

void park_waiter(waiter& w, wait_reason reason, bool (*commit)(void*), void* arg) {
  if (w.g) {
    park_on(w.on, reason, commit, arg);
    return;
  }
  bool check = plain_thread_blocks();
  if (commit && !commit(arg)) {
    plain_thread_unblocked();
    return;
  }
  // After the commit: this thread is then truly blocked, as sysmon's check will find it.
  if (check) check_deadlock(scheduler::get());
  w.thread->park();
}

void wake_waiter(waiter& w) noexcept {
  if (w.g) {
    scheduler::get().ready(w.g);
    return;
  }
  note_plain_thread();
  // Counted as active again before it can run, so the deadlock check never sees a gap.
  plain_thread_unblocked();
  w.thread->unpark();
}

}  // namespace goro::detail

// A P (Go's p): the right to run goroutines, held by one worker at a time. It owns a
// local run queue plus runnext (a goroutine readied by the running one runs next: this is
// what makes hand-offs between two goroutines cheap), a timer heap, and caches of free
// control blocks, stacks and goroutine ids so that spawn and exit touch no shared state
// in the common case.
//
// Private mode. Other workers touch a P's runq and runnext only to steal. While GORO_MAXPROCS
// is 1 nobody steals, so the owner then works its queue without atomic read-modify-writes
// ("private"). A would-be thief registers in `thieves` (seq_cst) and then reads `shared`
// (seq_cst); the owner going private stores shared=false (seq_cst) and then reads
// `thieves`, going back to shared if any: so either the thief sees private and backs off
// (leaving a steal_request the owner honours at its next scheduling point), or the owner
// sees the thief and stays shared. A P starts shared, and goes private only while
// nprocs == 1.
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/stack_allocator.hpp"
#include "sched/goroutine.hpp"
#include "sched/run_queue.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

struct worker;

struct alignas(64) processor {
  static constexpr int kStackCache = 32;
  static constexpr int kFreeGCache = 64;
  static constexpr std::uint64_t kIdBatch = 64;

  int id = 0;
  worker* owner = nullptr;  // the worker that holds this P

  // Touched by thieves and by idle workers' re-checks: a cache line of its own, apart
  // from the owner's hot fields above.
  alignas(64) std::atomic<goroutine*> runnext{nullptr};
  run_queue runq;
  timer_heap timers;
  std::uint32_t global_check_countdown = 61;
  std::uint32_t runnext_streak = 0;  // consecutive picks from runnext (fairness bound)

  // Free control blocks: reused newest first (warm in this core's cache); the oldest
  // half moves to the shared pool when full.
  goroutine* free_g[kFreeGCache];
  int free_g_count = 0;
  // Free default-size stacks.
  platform::stack stack_cache[kStackCache];
  int stack_cache_count = 0;
  // Goroutine ids [next_id, end_id).
  std::uint64_t next_id = 0, end_id = 0;

  // Goroutines created and exited on this P (num_goroutines sums them over all Ps).
  // Written only by the owner, so a plain load+store (no locked add) suffices.
  std::atomic<std::int64_t> created{0};
  std::atomic<std::int64_t> exited{0};
  static void bump(std::atomic<std::int64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Private-mode protocol (see above). The thief-facing atomics get their own line.
  bool private_mode = false;  // owner's view; owner-only
  alignas(64) std::atomic<bool> shared{true};
  std::atomic<bool> steal_request{false};
  std::atomic<int> thieves{0};

  // Owner: leave private mode if a thief asked.
  void honour_steal_request() noexcept {
    if (private_mode && steal_request.load(std::memory_order_relaxed)) {
      steal_request.store(false, std::memory_order_relaxed);
      shared.store(true, std::memory_order_seq_cst);
      private_mode = false;
    }
  }
  // Owner: try to enter private mode (call only when nprocs == 1).
  void try_go_private() noexcept {
    if (private_mode) return;
    steal_request.store(false, std::memory_order_relaxed);
    shared.store(false, std::memory_order_seq_cst);
    if (thieves.load(std::memory_order_seq_cst) != 0) {
      shared.store(true, std::memory_order_seq_cst);
      return;
    }
    private_mode = true;
  }
  // Thief: enter/leave. enter() returns false if the owner is private (try later).
  bool thief_enter() noexcept {
    thieves.fetch_add(1, std::memory_order_seq_cst);
    if (shared.load(std::memory_order_seq_cst)) return true;
    steal_request.store(true, std::memory_order_relaxed);
    thieves.fetch_sub(1, std::memory_order_release);
    return false;
  }
  void thief_leave() noexcept { thieves.fetch_sub(1, std::memory_order_release); }

  // Owner: take runnext / pop the local queue / put a goroutine in runnext (returning the
  // one it displaced), cheaply when private.
  goroutine* take_runnext() noexcept {
    if (runnext.load(std::memory_order_relaxed) == nullptr) return nullptr;
    if (private_mode) {
      goroutine* g = runnext.load(std::memory_order_relaxed);
      runnext.store(nullptr, std::memory_order_relaxed);
      return g;
    }
    return runnext.exchange(nullptr, std::memory_order_acq_rel);
  }
  goroutine* pop_local() noexcept { return private_mode ? runq.pop_private() : runq.pop(); }
  goroutine* put_runnext(goroutine* g) noexcept {
    if (private_mode) {
      goroutine* old = runnext.load(std::memory_order_relaxed);
      runnext.store(g, std::memory_order_release);
      return old;
    }
    return runnext.exchange(g, std::memory_order_seq_cst);
  }

  bool has_work() const noexcept {
    return runnext.load(std::memory_order_seq_cst) != nullptr || !runq.empty();
  }
};

}  // namespace goro::detail

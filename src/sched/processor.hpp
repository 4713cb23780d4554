// A P (Go's p): the right to run goroutines, held by one worker at a time. It owns a
// local run queue plus runnext (a goroutine readied by the running one runs next: this is
// what makes hand-offs between two goroutines cheap), a timer heap, and caches of free
// control blocks, stacks and goroutine ids so that spawn and exit touch no shared state
// in the common case.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

#include "platform/stack_allocator.hpp"
#include "sched/goroutine.hpp"
#include "sched/run_queue.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

struct worker;

// A thief's note of a victim's queue state (a runnext stint, a run-queue head) and of
// when a thief first saw it; thieves share it, so the grace runs from the first sight.
struct steal_note {
  std::atomic<std::uint32_t> mark{~0u};
  std::atomic<std::int64_t> since{0};
  // True once `current` has been seen unchanged for at least grace_ns (now: the
  // caller's clock reading, taken here on first use).
  bool waited(std::uint32_t current, std::int64_t& now, std::int64_t grace_ns) noexcept;
};

struct alignas(64) processor {
  static constexpr int kStackCache = 32;
  static constexpr int kFreeGCache = 64;
  static constexpr std::uint64_t kIdBatch = 64;

  // The run-queue slot (allp index) this P serves, or kDetached once the slot was handed
  // to another P while this P's worker kept running a goroutine (a hog or a blocking
  // call; see scheduler::hand_off). Every id >= nprocs routes the worker to retire().
  static constexpr int kDetached = 1 << 30;
  std::atomic<int> id{0};
  worker* owner = nullptr;  // the worker that holds this P, for the P's whole life
  bool spare = false;       // a detached P parked in retire(), reusable (scheduler::procs_mu_)

  // Touched by thieves and by idle workers' re-checks: a cache line of its own, apart
  // from the owner's hot fields above.
  alignas(64) std::atomic<goroutine*> runnext{nullptr};
  // Goroutines put in runnext so far (owner only): names each stint in runnext, so that a
  // goroutine that comes back to runnext (the two sides of a ping-pong take turns there)
  // starts a new grace instead of inheriting the old one's clock.
  std::atomic<std::uint32_t> runnext_puts{0};
  // Thieves' notes for the steal grace (scheduler::steal): the runnext stint and the
  // run-queue head they first saw unchanged, and since when.
  steal_note runnext_note;
  steal_note runq_note;
  run_queue runq;
  timer_heap timers;
  std::uint32_t global_check_countdown = 61;
  // A clock refreshed every kGlobalCheckInterval schedules and on waking: what a park
  // records as "waiting since" (for dumps) without reading the clock on every park.
  std::int64_t coarse_now = 0;
  std::uint32_t runnext_streak = 0;  // consecutive picks from runnext (fairness bound)
  // A clock reading taken just before a park (by sleep), taken and cleared by that
  // park's pick (find_runnable_fast) for its "is a timer due?" check; 0: none.
  std::int64_t now_hint = 0;

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
  std::atomic<std::int64_t> parks{0};   // goroutines parked on this P (stats)
  std::atomic<std::int64_t> steals{0};  // successful steals by this P's worker (stats)
  static void bump(std::atomic<std::int64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Owner: take runnext (a plain load first: it is usually empty on the yield path) /
  // put a goroutine in runnext, returning the one it displaced.
  goroutine* take_runnext() noexcept {
    if (runnext.load(std::memory_order_relaxed) == nullptr) return nullptr;
    return runnext.exchange(nullptr, std::memory_order_acq_rel);
  }
  goroutine* put_runnext(goroutine* g) noexcept {
    runnext_puts.store(runnext_puts.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return runnext.exchange(g, std::memory_order_seq_cst);
  }

  // Two or more queued: a backlog, which thieves split at once (scheduler::steal); a
  // lone one waits out the steal grace.
  static constexpr std::uint32_t kBacklog = 2;
  bool has_backlog() const noexcept { return runq.size() >= kBacklog; }

  bool has_work() const noexcept {
    return runnext.load(std::memory_order_seq_cst) != nullptr || !runq.empty();
  }
};

}  // namespace goro::detail

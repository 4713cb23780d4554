// A P (Go's p): the right to run goroutines, held by one worker at a time. It owns a
// local run queue plus runnext (a goroutine readied by the running one runs next: this is
// what makes hand-offs between two goroutines cheap), a timer heap, and caches of free
// control blocks, stacks and goroutine ids so that spawn and exit touch no shared state
// in the common case.
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/stack_allocator.hpp"
#include "sched/goroutine.hpp"
#include "sched/run_queue.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

struct worker;

struct processor {
  static constexpr int kStackCache = 32;
  static constexpr int kFreeGCache = 64;
  static constexpr std::uint64_t kIdBatch = 64;

  int id = 0;
  worker* owner = nullptr;  // the worker that holds this P

  std::atomic<goroutine*> runnext{nullptr};
  run_queue runq;
  timer_heap timers;
  std::uint32_t schedtick = 0;
  std::uint32_t runnext_streak = 0;  // consecutive picks from runnext (fairness bound)

  // Free control blocks (linked through next).
  goroutine* free_g = nullptr;
  int free_g_count = 0;
  // Free default-size stacks.
  platform::stack stack_cache[kStackCache];
  int stack_cache_count = 0;
  // Goroutine ids [next_id, end_id).
  std::uint64_t next_id = 0, end_id = 0;

  // Goroutines created and exited on this P (num_goroutines sums them over all Ps).
  std::atomic<std::int64_t> created{0};
  std::atomic<std::int64_t> exited{0};

  bool has_work() const noexcept {
    return runnext.load(std::memory_order_seq_cst) != nullptr || !runq.empty();
  }
};

}  // namespace goro::detail

// An M (Go's m): an OS thread that runs goroutines while it holds a P. Its own thread
// stack is "g0": the scheduler loop runs there when no goroutine is runnable, and the
// worker sleeps there on its futex when idle.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "platform/context_switch.hpp"
#include "platform/sanitizer.hpp"
#include "sched/goroutine.hpp"

namespace goro::detail {

struct processor;

struct worker {
  int id = 0;
  processor* p = nullptr;
  goroutine* current = nullptr;  // the goroutine running on this worker, or null on g0
  // A goroutine that never ran, picked by a parking one: g0 gives it its stack after the
  // park's commit (switch.cpp's leave) and runs it next.
  goroutine* run_after_commit = nullptr;

  platform::context g0_ctx = nullptr;  // the scheduler loop's saved context
  sanitizer::fiber_state g0_fiber;
  const void* g0_stack_lo = nullptr;
  std::size_t g0_stack_size = 0;

  bool spinning = false;       // looking for work, counted in scheduler::nspinning
  std::int64_t spin_budget_ns = 100000;  // how long to spin before sleeping (adaptive)
  bool batching_wakeups = false;            // ready() defers its wakep (scheduler::batch_wakeups_on)
  std::uint32_t readied_in_batch = 0;
  bool in_idle_list = false;   // guarded by the scheduler's idle mutex
  // Written on every switch: a count of switches (upper bits) and whether a goroutine
  // runs now (bit 0). sysmon sees a worker that has run one goroutine for too long: the
  // same odd stamp round after round.
  std::atomic<std::uint64_t> switch_stamp{0};
  bool running_goroutine() const noexcept { return switch_stamp.load(std::memory_order_relaxed) & 1; }
  // This worker thread's CPU-time clock (a negative clockid; valid once cpu_clock_set):
  // sysmon tells a goroutine that keeps the CPU from a thread the machine is not running.
  int cpu_clock = 0;
  std::atomic<bool> cpu_clock_set{false};
  std::atomic<int> tid{0};  // the worker thread's kernel id (0 until it runs)
  std::atomic<bool> sleeping{false};  // in go_idle's futex wait (it wakes for its own timers)
  std::atomic<bool> in_poll{false};   // in go_idle's blocking poll (woken by poller::break_poll)
  std::atomic<std::uint32_t> wake_word{0};
  std::atomic<std::uint32_t> start_gate{0};  // 1 once the pair is published (new_pair)
  std::uint64_t rng = 0;       // steal order
  void* altstack = nullptr;    // signal stack for stack-overflow reports
  void* trace_ring = nullptr;  // this worker's GORO_TRACE events (debug/trace.cpp)

  std::uint32_t next_random() noexcept {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return static_cast<std::uint32_t>(rng);
  }
};

// The calling thread's worker, or null on a plain thread. Not inlined: a goroutine may
// resume on another thread, and a compiler may otherwise keep a thread_local's address
// across a context switch.
worker* current_worker() noexcept;
void set_current_worker(worker* w) noexcept;

}  // namespace goro::detail

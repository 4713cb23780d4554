// A goroutine's control block (Go's g).
//
// Life: free -> runnable (spawned, on a run queue) -> running (on a worker) ->
//   waiting (parked) -> runnable -> ... -> dead (back on a free list, reused).
// Every transition is one atomic store by the one party that owns the goroutine at that
// moment: the spawner, the worker running it, or the single waker that removed its waiter
// from a wait queue. A goroutine's stack is taken when it first runs (so a million queued
// goroutines cost no stacks) and given back when it exits.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "goro/detail/park.hpp"
#include "goro/detail/source_site.hpp"
#include "platform/context_switch.hpp"
#include "platform/sanitizer.hpp"
#include "platform/stack_allocator.hpp"

namespace goro::detail {

enum class g_state : std::uint8_t { free, runnable, running, waiting, dead };
const char* g_state_name(g_state s) noexcept;

struct alignas(64) goroutine {
  static constexpr std::size_t kInlineTask = 64;
  static constexpr std::size_t kHeapTaskAlign = 64;  // tasks too big to be inline

  platform::context ctx = nullptr;  // saved context while not running; null before first run
  platform::stack stack;            // empty until first run
  std::atomic<g_state> state{g_state::free};
  // Read by dumps and stats while the goroutine runs elsewhere: relaxed atomics (plain
  // stores on x86), written only by the goroutine's owner of the moment.
  std::atomic<wait_reason> reason{wait_reason::none};
  std::atomic<std::uint64_t> id{0};
  std::size_t stack_request = 0;  // goro::stack_size, 0 = default

  void (*task_run)(void*) = nullptr;
  void* task = nullptr;  // points at inline_task or at a heap block
  alignas(std::max_align_t) unsigned char inline_task[kInlineTask];

  std::atomic<const char*> site_file{"?"};
  std::atomic<const char*> site_function{"?"};
  std::atomic<unsigned> site_line{0};
  std::atomic<std::uint64_t> parent_id{0};
  std::atomic<std::int64_t> wait_since_ns{0};
  // Bumped by every park: a stack walk from another thread checks that the goroutine
  // stayed parked at the same point while it copied the stack (debug/stack_trace.cpp).
  std::atomic<std::uint32_t> park_seq{0};

  sanitizer::fiber_state fiber;
  goroutine* all_next = nullptr;  // registry of every control block ever made

  bool task_on_heap() const noexcept { return task != inline_task; }
  std::uint64_t goid() const noexcept { return id.load(std::memory_order_relaxed); }
  void set_site(const source_site& s) noexcept {
    site_file.store(s.file, std::memory_order_relaxed);
    site_function.store(s.function, std::memory_order_relaxed);
    site_line.store(s.line, std::memory_order_relaxed);
  }
};

// Starts pulling a control block into this core's cache for writing (spawn and run
// touch blocks last written on another core).
inline void prefetch_block(const goroutine* g) noexcept {
  const char* c = reinterpret_cast<const char*>(g);
  __builtin_prefetch(c, 1);
  __builtin_prefetch(c + 64, 1);
  __builtin_prefetch(c + 128, 1);
  __builtin_prefetch(c + 192, 1);
}

}  // namespace goro::detail

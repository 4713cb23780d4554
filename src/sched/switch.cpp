// Switching between goroutines. See switch.hpp.
#include "sched/switch.hpp"

#include "debug/trace.hpp"

#include <new>
#include <thread>

#include "goro/runtime.hpp"

#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/scheduler.hpp"

namespace goro::detail {

namespace {

void goroutine_entry(platform::transfer t);

// Gives g a stack and an initial context the first time it runs.
void prepare_first_run(processor* p, goroutine* g) {
  if (g->stack_request == 0 && p->stack_cache_count > 0) {
    g->stack = p->stack_cache[--p->stack_cache_count];
  } else {
    auto& alloc = platform::stack_allocator::instance();
    if (g->stack_request == 0) {
      // Refill half the cache from the shared pool in one lock.
      std::size_t n = alloc.take_pooled(p->stack_cache, processor::kStackCache / 2);
      p->stack_cache_count = static_cast<int>(n);
    }
    if (g->stack_request == 0 && p->stack_cache_count > 0) {
      g->stack = p->stack_cache[--p->stack_cache_count];
    } else if (auto r = alloc.allocate(g->stack, g->stack_request); r != platform::alloc_result::ok) {
      fatal(r == platform::alloc_result::no_memory ? "out of memory allocating goroutine stack"
                                                   : alloc.guard_error());
    }
  }
  g->ctx = platform::make(g->stack.hi, g->stack.size(), &goroutine_entry);
  g->fiber.tsan_fiber = sanitizer::tsan_create_fiber();
}

void release_stack(processor* p, goroutine* g) noexcept {
  sanitizer::unpoison_stack(g->stack.lo, g->stack.size());
  if (g->stack.pooled) {
    if (p->stack_cache_count == processor::kStackCache) {
      constexpr int half = processor::kStackCache / 2;
      platform::stack_allocator::instance().give_pooled(p->stack_cache + half, half);
      p->stack_cache_count = half;
    }
    p->stack_cache[p->stack_cache_count++] = g->stack;
    g->stack = platform::stack{};
  } else {
    platform::stack_allocator::instance().release(g->stack);
  }
}

// Runs on the resumed side of every jump.
__attribute__((always_inline)) inline void finish_switch(platform::transfer t) noexcept {
  worker* w = current_worker();
  sanitizer::after_switch(w->current ? &w->current->fiber : &w->g0_fiber);
  // Copy the request: once the goroutine that left is requeued or committed it may run
  // elsewhere, and the request lives on its stack.
  const switch_request req = *static_cast<switch_request*>(t.data);
  goroutine* from = req.from;
  if (!from) {
    w->g0_ctx = t.fctx;
    return;
  }
  from->ctx = t.fctx;
  scheduler& s = scheduler::get();
  switch (req.kind) {
    case switch_kind::yield:
      from->state.store(g_state::runnable, std::memory_order_relaxed);
      s.push_local(w->p, from, false);
      break;
    case switch_kind::park:
      from->state.store(g_state::waiting, std::memory_order_release);
      if (req.commit && !req.commit(req.arg)) s.ready(from);
      break;
    case switch_kind::exit:
      sanitizer::tsan_destroy_fiber(from->fiber.tsan_fiber);
      release_stack(w->p, from);
      processor::bump(w->p->exited);
      s.free_g(w->p, from);
      break;
    case switch_kind::none:
      break;
  }
}

// GORO_TRACE: the end of req.from's run and the start of next's, on w.
__attribute__((noinline, cold)) void trace_switch(worker* w, const switch_request& req, goroutine* next) noexcept {
  if (req.from) {
    trace_kind k = req.kind == switch_kind::park ? trace_kind::park
                   : req.kind == switch_kind::exit ? trace_kind::exit
                                                   : trace_kind::yield;
    trace_record(w, k, req.from, 0, req.from->reason.load(std::memory_order_relaxed));
  }
  if (next) trace_record(w, trace_kind::begin, next, 0, wait_reason::none);
}

// Jumps from the current context (described by req) to next, or to g0 if next is null.
__attribute__((always_inline)) inline void resume(worker* w, goroutine* next, switch_request& req) {
  sanitizer::fiber_state* from_fiber = req.from ? &req.from->fiber : &w->g0_fiber;
  if (req.from && !req.from->stack.canary_intact()) stack_overflow(req.from);
  platform::context to;
  if (next) {
    if (!next->ctx) prepare_first_run(w->p, next);
    next->state.store(g_state::running, std::memory_order_relaxed);
    w->current = next;
    to = next->ctx;
    sanitizer::before_switch(from_fiber, req.kind == switch_kind::exit, next->stack.lo,
                             next->stack.size(), next->fiber.tsan_fiber);
  } else {
    w->current = nullptr;
    to = w->g0_ctx;
    sanitizer::before_switch(from_fiber, req.kind == switch_kind::exit, w->g0_stack_lo,
                             w->g0_stack_size, w->g0_fiber.tsan_fiber);
  }
  w->switch_stamp.store(((w->switch_stamp.load(std::memory_order_relaxed) | 1) + 1) | (next != nullptr),
                        std::memory_order_relaxed);
  if (__builtin_expect(trace_enabled, 0)) trace_switch(w, req, next);
  platform::transfer t = platform::jump(to, &req);
  finish_switch(t);
}

// On a goroutine running on w: hands w to the next runnable goroutine, or to g0.
// A parking goroutine's commit (which releases its wait queue's lock) runs only after
// the switch, so on its way out it does nothing slow: no timers, no global queue
// (find_runnable_fast), and no stack for a goroutine that never ran, which goes to g0
// to be prepared after the commit.
template <bool kParking>
void leave(worker* w, switch_request& req) {
  goroutine* next = scheduler::get().find_runnable_fast<kParking>(w);
  if constexpr (kParking) {
    if (next && !next->ctx) {
      w->run_after_commit = next;
      next = nullptr;
    }
  }
  resume(w, next, req);
}

// noexcept: an exception escaping the task calls std::terminate, with GCC before any
// unwinding, so the runtime's terminate handler (install_panic_handler) reports the panic
// with the stack at the throw.
void run_task(goroutine* g) noexcept { g->task_run(g->task); }

void goroutine_entry(platform::transfer t) {
  finish_switch(t);
  run_task(current_worker()->current);
  exit_current();
}

}  // namespace

void run_from_g0(worker* w, goroutine* g) {
  switch_request req{};
  resume(w, g, req);
}

__attribute__((always_inline)) inline void yield_current_inline(worker* w) {
  goroutine* next = scheduler::get().find_runnable_fast(w);
  if (!next) return;  // nothing else to run here: keep going
  switch_request req{w->current, switch_kind::yield, nullptr, nullptr};
  resume(w, next, req);
}

}  // namespace goro::detail

// goro::yield lives here, next to the switch, so that the whole hand-off inlines.
void goro::yield() {
  detail::worker* w = detail::current_worker();
  if (!w || !w->current) {
    detail::note_plain_thread();
    std::this_thread::yield();
    return;
  }
  detail::yield_current_inline(w);
}

namespace goro::detail {

void park_on(worker* w, wait_reason reason, bool (*commit)(void*), void* arg) {
  goroutine* g = w->current;
  g->reason.store(reason, std::memory_order_relaxed);
  processor::bump(w->p->parks);
  g->wait_since_ns.store(w->p->coarse_now, std::memory_order_relaxed);
  g->park_seq.store(g->park_seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  switch_request req{g, switch_kind::park, commit, arg};
  leave<true>(w, req);
  g->reason.store(wait_reason::none, std::memory_order_relaxed);
}

void yield_to_scheduler(worker* w) {
  switch_request req{w->current, switch_kind::yield, nullptr, nullptr};
  resume(w, nullptr, req);
}

void exit_current() {
  worker* w = current_worker();
  goroutine* g = w->current;
  if (g->task_on_heap()) ::operator delete(g->task, std::align_val_t{goroutine::kHeapTaskAlign});
  g->task = nullptr;
  switch_request req{g, switch_kind::exit, nullptr, nullptr};
  leave<false>(w, req);
  __builtin_unreachable();
}

}  // namespace goro::detail

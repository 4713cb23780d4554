// The public runtime API (goro/runtime.hpp) on top of the scheduler.
#include "goro/runtime.hpp"

#include <new>
#include <thread>

#include "debug/trace.hpp"
#include "sched/config.hpp"
#include "sched/oneshot.hpp"
#include "sched/plain_thread.hpp"
#include "sched/scheduler.hpp"
#include "sched/switch.hpp"

namespace goro {

namespace detail {

spawn_slot prepare_spawn(std::size_t task_size, std::size_t task_align, std::size_t stack_bytes) {
  scheduler& s = scheduler::get();
  worker* w = current_worker();
  if (!w) plain_thread_parker();  // a plain thread that spawns counts as a possible waker
  goroutine* g = s.alloc_g(w ? w->p : nullptr);
  g->stack_request = stack_bytes;
  if (task_size <= goroutine::kInlineTask && task_align <= alignof(std::max_align_t)) {
    g->task = g->inline_task;
  } else {
    static_assert(goroutine::kHeapTaskAlign >= alignof(std::max_align_t));
    if (task_align > goroutine::kHeapTaskAlign) {
      s.free_g(w ? w->p : nullptr, g);
      throw std::bad_alloc();
    }
    try {
      g->task = ::operator new(task_size, std::align_val_t{goroutine::kHeapTaskAlign});
    } catch (...) {
      s.free_g(w ? w->p : nullptr, g);
      throw;
    }
  }
  return {g, g->task};
}

void cancel_spawn(spawn_slot slot) noexcept {
  goroutine* g = slot.g;
  if (g->task_on_heap()) ::operator delete(g->task, std::align_val_t{goroutine::kHeapTaskAlign});
  g->task = nullptr;
  worker* w = current_worker();
  scheduler::get().free_g(w ? w->p : nullptr, g);
}

void commit_spawn(spawn_slot slot, void (*run)(void*), const source_site& site) noexcept {
  scheduler& s = scheduler::get();
  goroutine* g = slot.g;
  worker* w = current_worker();
  processor* p = w ? w->p : nullptr;
  g->task_run = run;
  g->set_site(site);
  g->parent_id.store(w && w->current ? w->current->goid() : 0, std::memory_order_relaxed);
  g->id.store(s.new_id(p), std::memory_order_relaxed);
  g->reason.store(wait_reason::none, std::memory_order_relaxed);
  g->state.store(g_state::runnable, std::memory_order_relaxed);
  trace_create(w, g);
  if (p) {
    processor::bump(p->created);
    s.push_local(p, g, true);
  } else {
    s.created_off_worker.fetch_add(1, std::memory_order_relaxed);
    s.push_global(g);
  }
  s.wakep();
}

namespace {
struct main_record {
  void (*body)(void*, int*);
  void* fn;
  int* result;
  oneshot done;
};
}  // namespace

void run_main(void (*body)(void*, int*), void* fn, int* result, const source_site& site) {
  scheduler& s = scheduler::get();
  main_record rec{body, fn, result, {}};
  // A plain caller counts as a possible waker before main counts as outstanding: else
  // workers that just started and went idle could see main outstanding, no goroutine
  // and no waker, and report a deadlock before main even exists.
  note_plain_thread();
  s.mains_outstanding.fetch_add(1, std::memory_order_seq_cst);
  try {
    spawn(0, site, [&rec] {
      rec.body(rec.fn, rec.result);
      scheduler::get().mains_outstanding.fetch_sub(1, std::memory_order_seq_cst);
      rec.done.signal();
    });
  } catch (...) {  // no main (out of memory): none outstanding either
    s.mains_outstanding.fetch_sub(1, std::memory_order_seq_cst);
    throw;
  }
  rec.done.wait(wait_reason::run_main);
  trace_flush();  // main returned: the trace so far is on disk
}

}  // namespace detail

std::size_t num_goroutines() {
  detail::scheduler* s = detail::scheduler::if_started();
  return s ? s->goroutine_count() : 0;
}

int maxprocs() {
  detail::scheduler* s = detail::scheduler::if_started();
  return s ? s->nprocs() : detail::preset_or_config_maxprocs();
}

int set_maxprocs(int n) { return detail::scheduler::set_maxprocs_anytime(n); }

namespace this_goroutine {
std::uint64_t id() {
  detail::worker* w = detail::current_worker();
  if (w && w->current) return w->current->goid();
  detail::note_plain_thread();
  return 0;
}
}  // namespace this_goroutine

}  // namespace goro

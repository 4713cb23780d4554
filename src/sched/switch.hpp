// Switching between goroutines (and a worker's g0).
//
// A goroutine that gives up its worker (yield, park, exit) picks the next goroutine itself
// and jumps straight to it, or to g0 when there is none: one jump per hand-off. What must
// happen to the goroutine that left (save its context; requeue it, mark it waiting and run
// the park's commit, or free it) is described by a switch_request and done by
// finish_switch() on the side that was resumed, after the jump, so nobody can resume a
// goroutine whose context is not saved yet.
#pragma once

#include "goro/detail/park.hpp"
#include "sched/goroutine.hpp"
#include "sched/worker.hpp"

namespace goro::detail {

enum class switch_kind : std::uint8_t { none, yield, park, exit };

struct switch_request {
  goroutine* from = nullptr;  // null: g0
  switch_kind kind = switch_kind::none;
  bool (*commit)(void*) = nullptr;
  void* arg = nullptr;
};

// On g0: runs g until it gives the worker back to g0.
void run_from_g0(worker* w, goroutine* g);
// On a goroutine (w->current):

// Parks the goroutine running on w; commit(arg) runs once it is switched out.
void park_on(worker* w, wait_reason reason, bool (*commit)(void*), void* arg);
[[noreturn]] void exit_current();
// Requeues the goroutine running on w and switches to g0 (which, on a detached P, hands
// it to the global queue: how a goroutine leaves a P it no longer has a slot for).
void yield_to_scheduler(worker* w);

}  // namespace goro::detail

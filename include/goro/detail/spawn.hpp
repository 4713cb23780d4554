// The type-erasing half of goro::go(): decay-copies the callable and its arguments into
// storage owned by a new goroutine (inline in its control block when small, else on the
// heap) and hands the goroutine to the scheduler. The runtime half lives in src/sched/.
//
// Guarantees: if copying f or an argument throws, no goroutine is created and the
// exception propagates to the caller of go(); the task object is destroyed on the
// goroutine, after it ran.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goro/detail/source_site.hpp"

namespace goro::detail {

struct goroutine;  // defined in src/sched/goroutine.hpp

// A goroutine being created: its control block and the storage for its task.
struct spawn_slot {
  goroutine* g;
  void* storage;
};

// Reserves a control block with room for a task of the given size and alignment.
// stack_bytes == 0 means the runtime's default stack size.
spawn_slot prepare_spawn(std::size_t task_size, std::size_t task_align, std::size_t stack_bytes);
// Gives back a control block whose task could not be constructed.
void cancel_spawn(spawn_slot slot) noexcept;
// Makes the goroutine runnable. run(storage) invokes the task and destroys it.
void commit_spawn(spawn_slot slot, void (*run)(void*), const source_site& site) noexcept;

template <class Tuple>
void run_and_destroy(void* storage) {
  Tuple& task = *static_cast<Tuple*>(storage);
  struct destroy_on_exit {
    Tuple& t;
    ~destroy_on_exit() { t.~Tuple(); }
  } guard{task};
  std::apply([](auto& f, auto&... args) { std::invoke(std::move(f), std::move(args)...); }, task);
}

template <class F, class... Args>
void spawn(std::size_t stack_bytes, const source_site& site, F&& f, Args&&... args) {
  using task_t = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
  static_assert(std::is_invocable_v<std::decay_t<F>, std::decay_t<Args>...>,
                "goro::go(f, args...): f must be callable with decay-copies of args (as std::thread)");
  spawn_slot slot = prepare_spawn(sizeof(task_t), alignof(task_t), stack_bytes);
  try {
    ::new (slot.storage) task_t(std::forward<F>(f), std::forward<Args>(args)...);
  } catch (...) {
    cancel_spawn(slot);
    throw;
  }
  commit_spawn(slot, &run_and_destroy<task_t>, site);
}

}  // namespace goro::detail

// goro::blocking(f): runs f(), a call that blocks its OS thread (a legacy library, a file
// read, a DNS lookup, a sleep in C code), without stalling other goroutines.
//
//   std::string text = goro::blocking([&] { return read_whole_file(path); });
//
// Before f runs, the calling goroutine's P, with every goroutine queued on it, is handed
// to another thread (a spare one, or a new one), so the other goroutines keep running
// while this thread is blocked; afterwards the goroutine goes back to the run queues and
// resumes on a worker of its own (Go's entersyscallblock/exitsyscall). f runs on the
// calling thread, so its thread_locals are the caller's. Returns what f returns; an
// exception from f propagates (after the goroutine is back on a worker). From a plain
// thread it simply calls f. Each call costs a hand-off (a few microseconds): use it for
// calls that really block, not for short ones. A goroutine that blocks without it is
// still rescued by sysmon after ~10 ms (see docs/ARCHITECTURE.md), only later.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace goro {

namespace detail {
void enter_blocking() noexcept;
void exit_blocking() noexcept;
}  // namespace detail

template <class F>
std::invoke_result_t<F&> blocking(F&& f) {
  using R = std::invoke_result_t<F&>;
  std::exception_ptr error;  // caught here: never unwind across the switch in exit
  detail::enter_blocking();
  if constexpr (std::is_void_v<R>) {
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
    detail::exit_blocking();
    if (error) std::rethrow_exception(error);
  } else if constexpr (std::is_reference_v<R>) {
    std::remove_reference_t<R>* r = nullptr;
    try {
      r = &f();
    } catch (...) {
      error = std::current_exception();
    }
    detail::exit_blocking();
    if (error) std::rethrow_exception(error);
    return static_cast<R>(*r);
  } else {
    std::optional<R> r;
    try {
      r.emplace(f());
    } catch (...) {
      error = std::current_exception();
    }
    detail::exit_blocking();
    if (error) std::rethrow_exception(error);
    return std::move(*r);
  }
}

}  // namespace goro

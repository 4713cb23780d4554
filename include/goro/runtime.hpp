// Goroutines and the runtime: go, run, yield, num_goroutines, maxprocs, set_maxprocs,
// this_goroutine::id, stack_size. Semantics follow Go (see docs/ and shared/API.md).
//
// go(f, args...) takes its caller's source location through a defaulted argument after
// the last argument; C++ forbids one after a parameter pack, so go() is a set of fixed
// arity overloads (up to kMaxGoArgs arguments after f; wrap more in a lambda). A function
// template (unlike a class template with a deduction guide) keeps `goro::go(worker);` an
// expression rather than a declaration of a variable named `worker`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "goro/detail/source_site.hpp"
#include "goro/detail/spawn.hpp"

namespace goro {

// Per-goroutine stack size: goro::go(goro::stack_size(1 << 20), f, args...).
// Stacks never grow (C++ frames cannot move), so deep recursion needs a bigger one.
struct stack_size {
  explicit constexpr stack_size(std::size_t b) noexcept : bytes(b) {}
  std::size_t bytes;
};

inline constexpr int kMaxGoArgs = 6;

namespace detail {
using site_arg = source_site;
template <class T>
concept not_stack_size = !std::is_same_v<std::remove_cvref_t<T>, stack_size>;
}  // namespace detail

// go(f, args...): start f(args...) in a new goroutine. Callable from a goroutine or from a
// plain thread; f and args are decay-copied (as std::thread).
template <detail::not_stack_size F>
void go(F&& f, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f));
}
template <detail::not_stack_size F, class A1>
void go(F&& f, A1&& a1, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1));
}
template <detail::not_stack_size F, class A1, class A2>
void go(F&& f, A1&& a1, A2&& a2, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2));
}
template <detail::not_stack_size F, class A1, class A2, class A3>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3));
}
template <detail::not_stack_size F, class A1, class A2, class A3, class A4>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, A4&& a4,
        detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3), std::forward<A4>(a4));
}
template <detail::not_stack_size F, class A1, class A2, class A3, class A4, class A5>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5,
        detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3), std::forward<A4>(a4), std::forward<A5>(a5));
}
template <detail::not_stack_size F, class A1, class A2, class A3, class A4, class A5, class A6>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, A4&& a4, A5&& a5, A6&& a6,
        detail::site_arg s = detail::source_site::current()) {
  detail::spawn(0, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3), std::forward<A4>(a4), std::forward<A5>(a5),
                std::forward<A6>(a6));
}

// go(stack_size(n), f, args...): the same with a stack of at least n bytes.
template <class F>
void go(stack_size ss, F&& f, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(ss.bytes, s, std::forward<F>(f));
}
template <class F, class A1>
void go(stack_size ss, F&& f, A1&& a1, detail::site_arg s = detail::source_site::current()) {
  detail::spawn(ss.bytes, s, std::forward<F>(f), std::forward<A1>(a1));
}
template <class F, class A1, class A2>
void go(stack_size ss, F&& f, A1&& a1, A2&& a2,
        detail::site_arg s = detail::source_site::current()) {
  detail::spawn(ss.bytes, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2));
}
template <class F, class A1, class A2, class A3>
void go(stack_size ss, F&& f, A1&& a1, A2&& a2, A3&& a3,
        detail::site_arg s = detail::source_site::current()) {
  detail::spawn(ss.bytes, s, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3));
}

namespace detail {
// Runs main_task as a goroutine and waits for it (parks a calling goroutine, blocks a
// calling plain thread). *result receives main's int result.
void run_main(void (*body)(void*, int*), void* fn, int* result, const source_site& site);

template <class F>
void invoke_main(void* fn, int* result) {
  F& f = *static_cast<F*>(fn);
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    f();
    *result = 0;
  } else {
    *result = static_cast<int>(f());
  }
}
}  // namespace detail

// run(main): runs main as a goroutine and returns its int result (0 for void) as soon as
// main returns, without waiting for other goroutines (Go's main). Starts the runtime if
// needed; may be called again, from several plain threads at once, or from a goroutine.
template <class F>
int run(F&& main, detail::site_arg s = detail::source_site::current()) {
  std::decay_t<F> fn(std::forward<F>(main));
  int result = 0;
  detail::run_main(&detail::invoke_main<std::decay_t<F>>, &fn, &result, s);
  return result;
}

// runtime.Gosched: lets other goroutines run; a plain thread calls std::this_thread::yield.
void yield();
// runtime.NumGoroutine: goroutines that exist now (running, runnable or blocked).
std::size_t num_goroutines();
// runtime.GOMAXPROCS(): the number of workers running goroutines.
int maxprocs();
// runtime.GOMAXPROCS(n): sets the worker count (n >= 1), returns the previous value;
// works before or after the runtime starts. n <= 0 only queries.
int set_maxprocs(int n);

namespace this_goroutine {
// The current goroutine's id (1, 2, ...), or 0 on a plain thread.
std::uint64_t id();
}  // namespace this_goroutine

}  // namespace goro

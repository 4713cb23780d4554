// Fatal paths, as Go reports them: every message goes to stderr and the process exits
// with status 2 at once (no atexit handlers, no unwinding: other goroutines may hold
// anything).
//   fatal("msg")                -> "fatal error: msg"
//   fatal_out_of_memory(what)   -> "fatal error: runtime: out of memory: cannot allocate what"
//   goroutine_panic(g, what)    -> "panic: what" + goroutine id and creation site
//   stack_overflow(g)           -> "fatal error: goroutine N stack overflow"
//   the deadlock report         -> see deadlock.cpp
#pragma once

#include <cstdio>
#include <string>

#include <vector>

#include "debug/stack_trace.hpp"
#include "sched/goroutine.hpp"

namespace goro::detail {

[[noreturn]] void fatal(const char* msg) noexcept;
// The runtime needed memory on a path that cannot report failure to a caller (a timer's
// fire, a noexcept step of the scheduler): Go's "runtime: out of memory" throw. Paths
// that can report it throw std::bad_alloc to their caller instead, before changing any
// state. Allocates nothing.
[[noreturn]] void fatal_out_of_memory(const char* what) noexcept;
// Makes std::terminate on a goroutine a panic (an exception escaping it lands there).
void install_panic_handler();
// frames: the panicking goroutine's stack at the throw, if it was captured.
[[noreturn]] void goroutine_panic(goroutine* g, const char* what,
                                  const std::vector<stack_frame>* frames = nullptr) noexcept;
[[noreturn]] void stack_overflow(goroutine* g) noexcept;
// Writes one goroutine's header and creation site (the dump format of deadlock reports).
void print_goroutine(std::FILE* out, const goroutine& g, std::int64_t now_ns);
// A waiting goroutine's stack is walked (debug/stack_trace.hpp) unless frames are given.
std::string format_goroutine(const goroutine& g, std::int64_t now_ns,
                             const std::vector<stack_frame>* frames = nullptr);

}  // namespace goro::detail

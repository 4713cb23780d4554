// Plain OS threads (not workers) that use goro. Each is counted as a possible waker of
// goroutines from its first goro call until it exits, except while it is blocked in goro
// (the deadlock check relies on this count; settled detail 16 of API.md).
#pragma once

#include <cstdint>

#include "platform/thread_parker.hpp"

namespace goro::detail {

// Registers the calling plain thread (once) and returns its parker.
thread_parker& plain_thread_parker();
// The calling plain thread blocks / a waker is about to unblock such a thread.
// plain_thread_blocks returns true if this was the last possible waker while every
// worker is idle: the caller then runs the deadlock check after its park's commit.
bool plain_thread_blocks() noexcept;
void plain_thread_unblocked() noexcept;
// One of the runtime's own threads (worker, sysmon, signal delivery, SIGQUIT dumper),
// held for the whole life of its thread function: the thread is counted in
// accounted_threads() and is never a plain thread (sysmon fires timers that wake
// goroutines or threads; counted as a plain thread it would keep the deadlock check
// from ever firing). Construct it first thing, before any goro use.
class runtime_thread_scope {
 public:
  runtime_thread_scope() noexcept;
  ~runtime_thread_scope();
  runtime_thread_scope(const runtime_thread_scope&) = delete;
  runtime_thread_scope& operator=(const runtime_thread_scope&) = delete;
};

// The threads the runtime can account for (settled detail 16's census): its own, and
// the plain threads registered from their first goro call until they exit. A thread is
// counted only while it exists (after it starts, until before it is gone). Low 32 bits:
// the count; high 32 bits: a generation that every change bumps. A census that reads
// the same value before and after listing the process's threads knows that every thread
// counted existed throughout the listing, so was listed: comparing the two then never
// mistakes a foreign thread for an accounted one.
std::uint64_t accounted_threads() noexcept;
inline int accounted_count(std::uint64_t snapshot) noexcept { return static_cast<int>(snapshot & 0xffffffffu); }

}  // namespace goro::detail

// Plain OS threads (not workers) that use goro. Each is counted as a possible waker of
// goroutines from its first goro call until it exits, except while it is blocked in goro
// (the deadlock check relies on this count; settled detail 16 of API.md).
#pragma once

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
// runtime_threads() and is never a plain thread (sysmon fires timers that wake
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
// the plain threads registered from their first goro call until they exit. Both counts
// err only towards too few (a thread is counted after it exists and uncounted before it
// is gone), so comparing them with the process's threads can miss a deadlock but never
// mistakes a foreign thread for an accounted one.
int runtime_threads() noexcept;
int registered_plain_threads() noexcept;

}  // namespace goro::detail

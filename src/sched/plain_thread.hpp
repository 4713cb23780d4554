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
// worker is idle: the caller then runs the deadlock check, once it holds no lock (after
// its park's commit), since the check may wait out a grace.
bool plain_thread_blocks() noexcept;
void plain_thread_unblocked() noexcept;
// Marks the calling thread as one of the runtime's own (sysmon): it fires timers that
// wake goroutines or threads, or spawn goroutines, but it is never counted as a plain
// thread, which would keep the deadlock check from ever firing. Call before any goro use.
void mark_runtime_thread() noexcept;

}  // namespace goro::detail

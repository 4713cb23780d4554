// park / wake: the one blocking primitive every goro synchronization type is built on
// (Go's gopark/goready, with a sudog-like waiter record).
//
// A waiter is prepared on the blocking side (it records whether that side is a goroutine
// or a plain OS thread), published in some wait queue, and then blocked with
// park_waiter(w, reason, commit, arg):
//   * on a goroutine, the goroutine is switched out first and only then commit(arg) runs
//     (on the next goroutine's or the scheduler's stack); commit typically unlocks the
//     lock that protects the wait queue. So a waker that finds the waiter can never
//     resume a goroutine that has not finished switching out: no lost and no double
//     wake-ups. If commit returns false the goroutine is resumed at once (it gave up).
//   * on a plain thread, commit(arg) runs at once and the thread sleeps on a futex; only
//     that thread blocks.
// wake_waiter(w) makes the blocked side runnable again; it must be called exactly once
// per park_waiter that committed, by whoever removes w from the wait queue.
#pragma once

#include <cstdint>

namespace goro::detail {

struct goroutine;

// Why a goroutine waits (shown in dumps and deadlock reports, Go's names).
enum class wait_reason : std::uint8_t {
  none,
  chan_receive,
  chan_send,
  select,
  select_no_cases,
  chan_receive_nil,
  chan_send_nil,
  sleep,
  mutex_lock,
  rw_mutex_lock,
  rw_mutex_rlock,
  cond_wait,
  wait_group,
  semaphore,
  io_wait,
  run_main,
  timer_goroutine,
};
const char* wait_reason_name(wait_reason r) noexcept;

struct thread_parker;  // a plain thread's futex (src/platform/thread_parker.hpp)
struct worker;         // src/sched/worker.hpp

struct waiter {
  goroutine* g = nullptr;             // the goroutine that waits, or null
  thread_parker* thread = nullptr;    // the plain thread that waits, if g is null
  worker* on = nullptr;               // g's worker, from prepare_waiter until it parks
};

// Counts the calling plain thread (once, until it exits) as a possible waker for the
// deadlock check; a no-op on a goroutine. Every goro entry point a plain thread can use
// calls it (API.md settled detail 16).
void note_plain_thread() noexcept;

// Fills w for the calling goroutine or plain thread.
void prepare_waiter(waiter& w) noexcept;
// Blocks until wake_waiter(w). commit(arg) runs once the waiter can be woken safely;
// returning false from it cancels the wait (park_waiter returns at once).
void park_waiter(waiter& w, wait_reason reason, bool (*commit)(void*), void* arg);
// Makes w's goroutine runnable or wakes w's thread. Callable from anywhere.
void wake_waiter(waiter& w) noexcept;

}  // namespace goro::detail

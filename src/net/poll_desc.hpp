// poll_desc (Go's pollDesc): the poller's record of one descriptor. It holds, for each
// direction (read, write), a word that is one of
//   kNil    nothing happened, nobody waits
//   kReady  the descriptor became ready (an edge) and nobody has consumed it yet
//   kWait   a waiter is about to park (it set this before re-checking closing/expiry)
//   waiter* that waiter is parked and must be woken
// plus the descriptor's closing flag, its deadlines and their timers.
//
// Records are never given back to the system: a freed record goes on a free list and is
// reused, and its seq is bumped. The epoll registration carries the record's address
// tagged with the low 16 bits of seq, so an event for a descriptor that was closed while
// another thread sat in epoll_wait with it is recognised as stale and dropped.
#pragma once

#include <atomic>
#include <cstdint>

#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"
#include "platform/clock.hpp"
#include "sched/timer_heap.hpp"

namespace goro::detail {

struct processor;

enum class io_mode : std::uint8_t { read, write };

// How a wait for readiness ended.
enum class io_status : std::uint8_t { ready, closed, timed_out };

struct poll_desc {
  static constexpr std::uintptr_t kNil = 0, kReady = 1, kWait = 2;

  // One direction's deadline timer (Go's rt/wt). Guarded by poll_desc::lock. in_heap is
  // true from add() until a remove() that succeeds or the start of fire(): while it is
  // true the entry is never added again, so an entry that a firer popped but has not
  // fired yet (it will take the lock and re-read the deadline) is never in two places.
  // Its home is the P whose heap it goes to, with a claimed slot in that heap
  // (timer_heap.hpp), set by the first deadline that needs a timer and kept through any
  // reuse of the record; a deadline armed on another P moves it there while the entry is
  // in no heap (poller::arm), as Go's modtimer does.
  struct deadline_timer {
    timer_entry entry;
    processor* home = nullptr;
    bool in_heap = false;
    std::int64_t when = platform::kNever;  // kNever: no deadline
  };

  int fd = -1;
  std::atomic<std::uint32_t> seq{0};
  std::atomic<std::uintptr_t> rg{kNil}, wg{kNil};
  std::atomic<bool> closing{false};
  std::atomic<bool> r_expired{false}, w_expired{false};
  spinlock lock;  // deadlines and their timers
  deadline_timer rt, wt;
  poll_desc* next_free = nullptr;

  std::atomic<std::uintptr_t>& slot(io_mode m) noexcept { return m == io_mode::read ? rg : wg; }
  std::atomic<bool>& expired(io_mode m) noexcept { return m == io_mode::read ? r_expired : w_expired; }
  deadline_timer& timer(io_mode m) noexcept { return m == io_mode::read ? rt : wt; }
  // Why an operation in direction m cannot proceed now, if it cannot.
  bool blocked_status(io_mode m, io_status& why) const noexcept {
    if (closing.load(std::memory_order_seq_cst)) {
      why = io_status::closed;
      return true;
    }
    if ((m == io_mode::read ? r_expired : w_expired).load(std::memory_order_seq_cst)) {
      why = io_status::timed_out;
      return true;
    }
    return false;
  }
};

}  // namespace goro::detail

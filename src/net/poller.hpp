// The network poller (Go's netpoll): one epoll instance for the process, edge-triggered,
// each descriptor registered once for both directions when it is opened.
//
// A goroutine (or plain thread) that finds its descriptor not ready calls wait(): it
// parks on the descriptor's read or write word (see poll_desc.hpp) and costs no thread.
// The scheduler calls poll(): an idle worker blocks in it (only one at a time, with its
// nearest timer as the timeout, see scheduler::go_idle), a worker that runs out of work
// polls without blocking, and sysmon polls when nobody has for 10 ms. poll() wakes the
// waiters of every descriptor that became ready. break_poll() makes a blocked poll
// return at once (an eventfd), for wakep() and timer pokes.
//
// Guarantees: a readiness edge is never lost (it is kept as kReady until a waiter
// consumes it); a waiter is woken exactly once per park, by whichever of readiness,
// close (evict) or a deadline comes first; after close() no event for the descriptor is
// acted on, even one already returned by an epoll_wait in progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "net/poll_desc.hpp"

namespace goro::detail {

class poller {
 public:
  // The process's poller, created on first use (by the first descriptor opened).
  static poller& get();
  // The poller if one was created, else null (the scheduler asks without creating).
  static poller* if_started() noexcept { return instance_.load(std::memory_order_acquire); }

  // Registers fd (already non-blocking). Null and ec set on failure.
  poll_desc* open(int fd, std::error_code& ec) noexcept;
  // Deregisters pd, closes its descriptor and recycles the record. No waiter may remain
  // (evict first) and no operation may be using the descriptor any more.
  void close(poll_desc* pd) noexcept;
  // Marks pd closing and wakes its waiters, which then report io_status::closed.
  void evict(poll_desc* pd) noexcept;

  // Blocks the caller until pd is ready in direction m, is closing, or the direction's
  // deadline passes. The caller retries its system call after io_status::ready.
  io_status wait(poll_desc* pd, io_mode m);

  // Sets the deadline of the given directions (kNever clears it). A deadline in the past
  // expires at once and wakes the direction's waiter; a later one re-arms it, also while
  // a call is blocked (it takes effect at once). False, with nothing changed, if a
  // direction's timer could not get its heap slot (out of memory).
  bool set_deadline(poll_desc* pd, bool read, bool write, std::int64_t when_ns) noexcept;

  // Waits up to timeout_ns (< 0: forever, 0: not at all) for events and wakes their
  // waiters. Returns how many waiters it woke.
  int poll(std::int64_t timeout_ns) noexcept;
  // Makes a poll blocked in another thread return soon (or the next blocking poll, if
  // none is blocked now). The wake-up is kept until a blocking poll consumes it:
  // non-blocking polls see it but leave it, so they can never swallow it.
  void break_poll() noexcept;

  // Goroutines and threads parked in wait() (the deadlock check and the idle workers
  // look at it: a parked I/O waiter can be woken by the network).
  int waiters() const noexcept { return waiters_.load(std::memory_order_seq_cst); }
  // Registered descriptors (stats).
  int descriptors() const noexcept { return descriptors_.load(std::memory_order_relaxed); }

  // The one-blocker rule: a worker claims the right to block in poll() and gives it back.
  bool claim_blocking() noexcept {
    bool expected = false;
    return blocking_.compare_exchange_strong(expected, true, std::memory_order_seq_cst);
  }
  void release_blocking() noexcept { blocking_.store(false, std::memory_order_seq_cst); }
  bool someone_blocking() const noexcept { return blocking_.load(std::memory_order_seq_cst); }
  // A non-blocking poll can find something: a descriptor has a waiter and no worker is
  // blocked in poll() already (which would take the events itself).
  bool worth_polling() const noexcept { return waiters() > 0 && !someone_blocking(); }
  // When poll() last ran (sysmon polls when nobody has for a while).
  std::int64_t last_poll_ns() const noexcept { return last_poll_.load(std::memory_order_relaxed); }

 private:
  poller();
  poll_desc* alloc_desc() noexcept;  // null when out of memory
  // Gives t its home P and a claimed slot in that P's heap, the first time it needs one
  // (pd->lock held); false when out of memory.
  static bool claim_home(poll_desc::deadline_timer& t) noexcept;
  void free_desc(poll_desc* pd) noexcept;
  // Go's netpollunblock: moves direction m's word to kReady (io_ready) or kNil and
  // returns the parked waiter to wake, if any.
  static waiter* unblock(poll_desc* pd, io_mode m, bool io_ready) noexcept;
  // Arms, re-arms or disarms one direction's timer (pd->lock held); returns a waiter to
  // wake if the new deadline has already passed.
  waiter* arm(poll_desc* pd, io_mode m, std::int64_t when, std::int64_t now) noexcept;
  static void fire_read_deadline(timer_entry* e);
  static void fire_write_deadline(timer_entry* e);
  static void fire_deadline(poll_desc* pd, io_mode m);

  static std::atomic<poller*> instance_;
  int epfd_ = -1;
  int eventfd_ = -1;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> blocking_{false};
  std::atomic<int> waiters_{0};
  std::atomic<int> descriptors_{0};
  std::atomic<std::int64_t> last_poll_{0};
  std::mutex free_mu_;
  poll_desc* free_ = nullptr;
};

}  // namespace goro::detail

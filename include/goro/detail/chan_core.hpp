// chan_core: the type-erased heart of goro::chan<T> (Go's hchan). One spinlock guards a
// ring buffer of `capacity` elements, the queue of parked receivers and the queue of
// parked senders, and the closed flag. The element type is known only through elem_ops.
//
// Invariants (as Go's runtime/chan.go):
//  * at most one of sendq and recvq is non-empty;
//  * a buffered channel has parked senders only when the buffer is full, and parked
//    receivers only when it is empty;
//  * a value moves exactly once, from the sender's object to the receiver's optional or
//    to a buffer slot, and from a slot to a receiver; direct hand-off to a parked peer
//    skips the buffer;
//  * whoever performs a move under the lock gets its exception; the parked peer is put
//    back as it was (a select that was already chosen is woken to run its selection
//    again), so no value is lost or duplicated when T's move constructor throws;
//  * close wakes every waiter: receivers with "closed", senders with closed_channel.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <new>
#include <utility>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/park.hpp"
#include "goro/detail/spinlock.hpp"

namespace goro::detail {

// How to move and destroy one element; one static instance per element type.
struct elem_ops {
  void (*move_to_slot)(void* slot, void* src);       // placement-move into raw storage
  void (*move_to_optional)(void* opt, void* src);    // std::optional<T>::emplace(move(src))
  void (*destroy)(void* slot) noexcept;
  std::size_t size;
  std::size_t align;
};

template <class T>
inline constexpr elem_ops elem_ops_for{
    [](void* slot, void* src) { ::new (slot) T(std::move(*static_cast<T*>(src))); },
    [](void* opt, void* src) { static_cast<std::optional<T>*>(opt)->emplace(std::move(*static_cast<T*>(src))); },
    [](void* slot) noexcept { static_cast<T*>(slot)->~T(); },
    sizeof(T),
    alignof(T),
};

// A select in progress: the first case to fire claims it (done: 0 -> case index + 1).
struct select_state {
  std::atomic<std::uint32_t> done{0};
};

// A parked sender or receiver (Go's sudog). One per channel operation or select case.
struct chan_waiter {
  enum class outcome : std::uint8_t { pending, completed, closed, retry, failed };

  waiter w;
  void* elem = nullptr;  // sender: the T to move from; receiver: the std::optional<T> to fill
  chan_waiter* next = nullptr;
  chan_waiter* prev = nullptr;
  bool queued = false;
  select_state* sel = nullptr;  // non-null for a select case
  std::uint32_t case_index = 0;
  outcome result = outcome::pending;
  std::exception_ptr error;  // outcome::failed: the exception of the move that took it
};

// FIFO of parked waiters, guarded by the channel's lock.
class wait_queue {
 public:
  void push_back(chan_waiter* w) noexcept { list_.push_back(w); }
  void push_front(chan_waiter* w) noexcept { list_.push_front(w); }
  void remove(chan_waiter* w) noexcept { list_.remove(w); }  // no-op if not queued
  // The first waiter that can still be taken: plain waiters always, select waiters only
  // if this claims their select. Stale select waiters met on the way are dropped.
  chan_waiter* pop_claimable() noexcept { return list_.empty() ? nullptr : pop_claimable_slow(); }
  bool empty() const noexcept { return list_.empty(); }

 private:
  chan_waiter* pop_claimable_slow() noexcept;
  intrusive_list<chan_waiter> list_;
};

// Two cache lines: the one every operation writes (lock, closed, queues, ring indices),
// and the one written only when a handle is copied or dropped (the count, beside what
// never changes after make). With them mixed over two lines, producers and consumers on
// different cores moved both lines on every operation (W5 4p4c with two workers).
class alignas(64) chan_core {
 public:
  static chan_core* make(std::size_t capacity, const elem_ops* ops);
  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a handle's reference. The last one deletes the channel, unless it has an
  // owner: then the owner's orphaned(owner) is called instead, and the owner deletes
  // the channel later with destroy() (a timer's channel: the timer stops once nothing
  // can receive its values, and the channel lives until the timer's last fire is done).
  void release() noexcept;
  void set_owner(void (*orphaned)(void* owner) noexcept, void* owner) noexcept {
    orphaned_ = orphaned;
    owner_ = owner;
  }
  void destroy() noexcept { delete this; }  // an owned channel, once orphaned
  // Handles that refer to this channel.
  std::size_t use_count() const noexcept { return refs_.load(std::memory_order_acquire); }

  // Blocks until the value at `value` is delivered (moved from). Throws closed_channel.
  void send(void* value);
  // Delivers without blocking or returns false, leaving the value untouched.
  bool try_send(void* value);
  // Fills the std::optional<T> at `out` (left empty once closed and drained). With
  // block=false returns false if nothing is ready (and out is left empty).
  bool recv(void* out, bool block);
  void close();
  std::size_t size() noexcept;
  std::size_t capacity() const noexcept { return capacity_; }

  // For select (select.cpp): the lock, and single steps under it.
  enum class step { done, closed, blocked };
  step try_send_locked(void* value, chan_waiter** wake);
  step try_recv_locked(void* out, chan_waiter** wake);

  // ---- the hot line ----
  spinlock lock;
  bool closed = false;
  wait_queue sendq, recvq;

 private:
  std::size_t count_ = 0;
  std::size_t recvx_ = 0;
  std::size_t sendx_ = 0;

  // ---- the cold line ----
  alignas(64) std::atomic<std::size_t> refs_{1};
  const std::size_t capacity_;
  const elem_ops* ops_;
  unsigned char* buf_;
  void (*orphaned_)(void*) noexcept = nullptr;
  void* owner_ = nullptr;

  chan_core(std::size_t capacity, const elem_ops* ops, void* buf) noexcept
      : capacity_(capacity), ops_(ops), buf_(static_cast<unsigned char*>(buf)) {}
  ~chan_core();
  void* slot(std::size_t i) const noexcept { return buf_ + i * ops_->size; }
  static void requeue(wait_queue& q, chan_waiter* w) noexcept;
};
static_assert(sizeof(chan_core) == 128, "chan_core: one hot and one cold cache line");

// Wakes a waiter taken off a queue (after the lock is released). Copies the waiter
// first: once woken, its record may be gone.
inline void wake_chan_waiter(chan_waiter* w) noexcept {
  waiter target = w->w;
  wake_waiter(target);
}
// Blocks the caller forever (an operation on a nil channel, or an empty select).
[[noreturn]] void block_forever(wait_reason reason);

}  // namespace goro::detail

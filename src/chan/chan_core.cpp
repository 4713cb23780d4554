// chan_core: the channel algorithm (Go's chansend / chanrecv / closechan), type-erased.
// See include/goro/detail/chan_core.hpp for the invariants.
#include "goro/detail/chan_core.hpp"

#include <cstdlib>
#include <new>

#include "goro/panic.hpp"

namespace goro::detail {

// ---- wait_queue --------------------------------------------------------------------------

chan_waiter* wait_queue::pop_claimable_slow() noexcept {
  while (chan_waiter* w = list_.front()) {
    list_.remove(w);
    if (!w->sel) return w;
    std::uint32_t expected = 0;
    if (w->sel->done.compare_exchange_strong(expected, w->case_index + 1, std::memory_order_acq_rel))
      return w;
    // Another case of that select already fired; it will not look at this one again.
  }
  return nullptr;
}

// ---- chan_core ---------------------------------------------------------------------------

namespace {
// Holds a channel's lock; on scope exit unlocks, then wakes the waiter a step took.
struct locked_op {
  explicit locked_op(chan_core* c) : c(c) { c->lock.lock(); }
  ~locked_op() {
    if (locked) c->lock.unlock();
    if (wake) wake_chan_waiter(wake);
  }
  chan_core* c;
  chan_waiter* wake = nullptr;
  bool locked = true;
};
}  // namespace

chan_core* chan_core::make(std::size_t capacity, const elem_ops* ops) {
  void* buf = nullptr;
  if (capacity > 0) {
    if (capacity > (std::size_t{1} << 40) / (ops->size ? ops->size : 1)) throw std::bad_alloc();
    buf = ::operator new(capacity * ops->size, std::align_val_t{ops->align});
  }
  try {
    return new chan_core(capacity, ops, buf);
  } catch (const std::bad_alloc&) {
    if (buf) ::operator delete(buf, std::align_val_t{ops->align});
    throw;
  }
}

chan_core::~chan_core() {
  for (std::size_t i = 0, x = recvx_; i < count_; ++i) {
    ops_->destroy(slot(x));
    if (++x == capacity_) x = 0;
  }
  if (buf_) ::operator delete(buf_, std::align_val_t{ops_->align});
}

void chan_core::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (orphaned_) orphaned_(owner_);
  else delete this;
}

std::size_t chan_core::size() noexcept {
  lock.lock();
  std::size_t n = count_;
  lock.unlock();
  return n;
}

// A waiter taken off a queue whose element could not be moved: a plain waiter goes back
// where it was; a select, already claimed, is woken to select again.
void chan_core::requeue(wait_queue& q, chan_waiter* w) noexcept {
  if (w->sel) {
    w->result = chan_waiter::outcome::retry;
    return;
  }
  q.push_front(w);
}

chan_core::step chan_core::try_send_locked(void* value, chan_waiter** wake) {
  if (closed) return step::closed;
  if (chan_waiter* r = recvq.pop_claimable()) {
    try {
      ops_->move_to_optional(r->elem, value);
    } catch (...) {
      requeue(recvq, r);
      if (r->sel) *wake = r;
      throw;
    }
    r->result = chan_waiter::outcome::completed;
    *wake = r;
    return step::done;
  }
  if (count_ < capacity_) {
    ops_->move_to_slot(slot(sendx_), value);  // if it throws, nothing changed
    if (++sendx_ == capacity_) sendx_ = 0;
    ++count_;
    return step::done;
  }
  return step::blocked;
}

chan_core::step chan_core::try_recv_locked(void* out, chan_waiter** wake) {
  if (chan_waiter* s = sendq.pop_claimable()) {
    // A parked sender: the channel is unbuffered, or its buffer is full.
    void* from = capacity_ == 0 ? s->elem : slot(recvx_);
    try {
      ops_->move_to_optional(out, from);
    } catch (...) {
      requeue(sendq, s);
      if (s->sel) *wake = s;
      throw;
    }
    *wake = s;
    if (capacity_ > 0) {
      // The head went to the receiver; the sender's value takes its slot at the tail.
      ops_->destroy(from);
      if (++recvx_ == capacity_) recvx_ = 0;
      --count_;
      try {
        ops_->move_to_slot(from, s->elem);
      } catch (...) {
        // The receiver has its value; the sender's send fails with the exception.
        s->result = chan_waiter::outcome::failed;
        s->error = std::current_exception();
        sendx_ = recvx_ == 0 ? capacity_ - 1 : recvx_ - 1;
        return step::done;
      }
      ++count_;
      sendx_ = recvx_;
    }
    s->result = chan_waiter::outcome::completed;
    return step::done;
  }
  if (count_ > 0) {
    ops_->move_to_optional(out, slot(recvx_));  // if it throws, nothing changed
    ops_->destroy(slot(recvx_));
    if (++recvx_ == capacity_) recvx_ = 0;
    --count_;
    return step::done;
  }
  return closed ? step::closed : step::blocked;
}

void chan_core::send(void* value) {
  locked_op op(this);
  step s = try_send_locked(value, &op.wake);
  if (s == step::done) return;
  if (s == step::closed) throw closed_channel("send on closed channel");
  chan_waiter me;
  prepare_waiter(me.w);
  me.elem = value;
  sendq.push_back(&me);
  op.locked = false;  // the park's commit unlocks, once this goroutine is switched out
  park_waiter(me.w, wait_reason::chan_send, &unlock_after_park, &lock);
  switch (me.result) {
    case chan_waiter::outcome::completed: return;
    case chan_waiter::outcome::failed: std::rethrow_exception(me.error);
    default: throw closed_channel("send on closed channel");
  }
}

bool chan_core::try_send(void* value) {
  locked_op op(this);
  step s = try_send_locked(value, &op.wake);
  if (s == step::closed) throw closed_channel("send on closed channel");
  return s == step::done;
}

bool chan_core::recv(void* out, bool block) {
  locked_op op(this);
  step s = try_recv_locked(out, &op.wake);
  if (s != step::blocked) return true;
  if (!block) return false;
  chan_waiter me;
  prepare_waiter(me.w);
  me.elem = out;
  recvq.push_back(&me);
  op.locked = false;
  park_waiter(me.w, wait_reason::chan_receive, &unlock_after_park, &lock);
  return true;  // completed: out holds the value; closed: out is empty
}

void chan_core::close() {
  chan_waiter* woken = nullptr;
  {
    lock.lock();
    if (closed) {
      lock.unlock();
      throw closed_channel("close of closed channel");
    }
    closed = true;
    for (wait_queue* q : {&recvq, &sendq}) {
      while (chan_waiter* w = q->pop_claimable()) {
        w->result = chan_waiter::outcome::closed;
        w->next = woken;
        woken = w;
      }
    }
    lock.unlock();
  }
  wake_chain(woken);
}

void block_forever(wait_reason reason) {
  waiter w;
  prepare_waiter(w);
  park_waiter(w, reason, nullptr, nullptr);
  std::abort();  // nobody holds this waiter: unreachable
}

}  // namespace goro::detail

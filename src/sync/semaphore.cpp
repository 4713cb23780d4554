// goro::semaphore: a unit count and a FIFO of weighted waiters under a spinlock; release
// grants units to waiters from the head while they fit. A plain acquire parks on its
// waiter record; acquire(ctx, k) waits in a select on a grant channel and ctx.done(),
// and withdraws its record if ctx wins. See include/goro/semaphore.hpp.
#include "goro/semaphore.hpp"

#include <stdexcept>

#include "goro/context.hpp"
#include "goro/select.hpp"
#include "sched/fatal.hpp"

namespace goro {

struct semaphore::waiter_node {
  detail::waiter w;
  std::int64_t k = 0;
  chan<unit> granted;  // acquire(ctx, k): signalled here instead of waking w
  waiter_node* next = nullptr;
  waiter_node* prev = nullptr;
  bool queued = false;
};

namespace {
void wake_granted(semaphore::waiter_node* n) noexcept {
  while (n) {
    semaphore::waiter_node* next = n->next;  // read first: a woken node dies with its frame
    if (n->granted) n->granted.try_send(unit{});
    else detail::wake_waiter(n->w);
    n = next;
  }
}
}  // namespace

// Under the lock: takes the waiters that now fit, from the head, FIFO (stops at the
// first that does not), as a chain through next.
semaphore::waiter_node* semaphore::grant_locked() noexcept {
  waiter_node* wake = nullptr;
  waiter_node** tail = &wake;
  while (waiter_node* w = waiters_.front()) {
    if (size_ - used_ < w->k) break;
    used_ += w->k;
    waiters_.remove(w);
    *tail = w;
    tail = &w->next;
  }
  *tail = nullptr;
  return wake;
}

void semaphore::check_request(std::int64_t k) const {
  if (k < 0 || k > size_) throw std::invalid_argument("goro::semaphore: acquire of more than the capacity");
}

bool semaphore::take_locked(std::int64_t k) noexcept {
  bool ok = size_ - used_ >= k && waiters_.empty();  // FIFO: nobody may pass a waiter
  if (ok) used_ += k;
  return ok;
}

void semaphore::acquire(std::int64_t k) {
  check_request(k);
  lock_.lock();
  if (take_locked(k)) {
    lock_.unlock();
    return;
  }
  waiter_node me;
  me.k = k;
  detail::prepare_waiter(me.w);
  waiters_.push_back(&me);
  // Woken only once release() has granted our k units.
  detail::park_waiter(me.w, detail::wait_reason::semaphore, &detail::unlock_after_park, &lock_);
}

bool semaphore::try_acquire(std::int64_t k) noexcept {
  lock_.lock();
  bool ok = k >= 0 && take_locked(k);
  lock_.unlock();
  return ok;
}

void semaphore::release(std::int64_t k) {
  lock_.lock();
  used_ -= k;
  if (k < 0 || used_ < 0) {
    lock_.unlock();
    detail::fatal("semaphore: released more than held");
  }
  waiter_node* wake = grant_locked();
  lock_.unlock();
  wake_granted(wake);
}

bool semaphore::acquire(const context& ctx, std::int64_t k) {
  recv_chan<unit> done = ctx.done();
  if (!done) {
    acquire(k);
    return true;
  }
  check_request(k);
  if (ctx.err()) return false;  // Go checks ctx first, even if units are free
  lock_.lock();
  if (take_locked(k)) {
    lock_.unlock();
    return true;
  }
  lock_.unlock();
  // The grant channel is made outside the lock (a std::bad_alloc under it would leave
  // the semaphore locked for good); then the units may have come meanwhile.
  waiter_node me;
  me.k = k;
  me.granted = make_chan<unit>(1);
  lock_.lock();
  if (take_locked(k)) {
    lock_.unlock();
    return true;
  }
  waiters_.push_back(&me);
  lock_.unlock();
  bool got = false;
  select(recv_case(me.granted, [&] { got = true; }), recv_case(done));
  if (got) return true;
  lock_.lock();
  if (!me.queued) {
    // Granted while ctx ended: keep the units rather than undo the grant (Go's rule).
    lock_.unlock();
    return true;
  }
  bool was_head = waiters_.front() == &me;
  waiters_.remove(&me);
  // Leaving the head may let the requests behind it fit now.
  waiter_node* wake = was_head ? grant_locked() : nullptr;
  lock_.unlock();
  wake_granted(wake);
  return false;
}

}  // namespace goro

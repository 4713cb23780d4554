// goro::semaphore: a unit count and a FIFO of weighted waiters under a spinlock; release
// grants units to waiters from the head while they fit. See include/goro/semaphore.hpp.
#include "goro/semaphore.hpp"

#include <stdexcept>

#include "sched/fatal.hpp"

namespace goro {

struct semaphore::waiter_node {
  detail::waiter w;
  std::int64_t k = 0;
  waiter_node* next = nullptr;
};

void semaphore::acquire(std::int64_t k) {
  if (k < 0 || k > size_) throw std::invalid_argument("goro::semaphore: acquire of more than the capacity");
  lock_.lock();
  if (size_ - used_ >= k && waiters_.empty()) {
    used_ += k;
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
  bool ok = k >= 0 && size_ - used_ >= k && waiters_.empty();
  if (ok) used_ += k;
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
  // Grant from the head, FIFO: stop at the first waiter that does not fit.
  waiter_node* wake = nullptr;
  waiter_node** tail = &wake;
  while (waiter_node* w = waiters_.front()) {
    if (size_ - used_ < w->k) break;
    used_ += w->k;
    waiters_.pop_front();
    *tail = w;
    tail = &w->next;
  }
  lock_.unlock();
  detail::wake_chain(wake);
}

}  // namespace goro

// sema. See include/goro/detail/sema.hpp.
#include "goro/detail/sema.hpp"

namespace goro::detail {

void sema::acquire(wait_reason reason) {
  lock_.lock();
  if (count_ > 0) {
    --count_;
    lock_.unlock();
    return;
  }
  node n;
  prepare_waiter(n.w);
  waiters_.push_back(&n);
  park_waiter(n.w, reason, &unlock_after_park, &lock_);
}

void sema::release(std::uint32_t n) noexcept {
  node* wake_list = nullptr;
  node** wake_tail = &wake_list;
  lock_.lock();
  count_ += n;
  while (count_ > 0 && !waiters_.empty()) {
    node* x = waiters_.pop_front();
    *wake_tail = x;
    wake_tail = &x->next;
    --count_;
  }
  lock_.unlock();
  // Wake outside the lock; read next before waking: a woken waiter's node dies with it.
  while (wake_list) {
    node* x = wake_list;
    wake_list = x->next;
    wake_waiter(x->w);
  }
}

}  // namespace goro::detail

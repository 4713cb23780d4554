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
  node* wake = nullptr;
  node** tail = &wake;
  lock_.lock();
  count_ += n;
  while (count_ > 0 && !waiters_.empty()) {
    *tail = waiters_.pop_front();
    tail = &(*tail)->next;
    --count_;
  }
  lock_.unlock();
  wake_chain(wake);
}

}  // namespace goro::detail

// goro::shared_mutex: counts and two FIFOs under a spinlock; ownership is handed to the
// woken waiters. See include/goro/shared_mutex.hpp.
#include "goro/shared_mutex.hpp"

#include "sched/fatal.hpp"

namespace goro {

struct shared_mutex::waiter_node {
  detail::waiter w;
  waiter_node* next = nullptr;
};

namespace {
}  // namespace

// Called with lock_ held; returns with the lock granted (by whoever woke us).
void shared_mutex::wait_in(queue& q, detail::wait_reason reason) {
  waiter_node me;
  detail::prepare_waiter(me.w);
  q.push_back(&me);
  detail::park_waiter(me.w, reason, &detail::unlock_after_park, &lock_);
}

void shared_mutex::lock() {
  lock_.lock();
  if (!writer_ && readers_ == 0 && writers_waiting_.empty()) {
    writer_ = true;
    lock_.unlock();
    return;
  }
  wait_in(writers_waiting_, detail::wait_reason::rw_mutex_lock);
}

bool shared_mutex::try_lock() noexcept {
  lock_.lock();
  bool ok = !writer_ && readers_ == 0 && writers_waiting_.empty();
  if (ok) writer_ = true;
  lock_.unlock();
  return ok;
}

void shared_mutex::unlock() {
  lock_.lock();
  if (!writer_) {
    lock_.unlock();
    detail::fatal("sync: Unlock of unlocked RWMutex");
  }
  writer_ = false;
  waiter_node* wake = nullptr;
  if (!readers_waiting_.empty()) {
    // Every reader that queued during the write gets in.
    wake = readers_waiting_.take_all();
    for (waiter_node* n = wake; n; n = n->next) ++readers_;
  } else if ((wake = writers_waiting_.pop_front())) {
    writer_ = true;
  }
  lock_.unlock();
  detail::wake_chain(wake);
}

void shared_mutex::lock_shared() {
  lock_.lock();
  if (!writer_ && writers_waiting_.empty()) {
    ++readers_;
    lock_.unlock();
    return;
  }
  wait_in(readers_waiting_, detail::wait_reason::rw_mutex_rlock);
}

bool shared_mutex::try_lock_shared() noexcept {
  lock_.lock();
  bool ok = !writer_ && writers_waiting_.empty();
  if (ok) ++readers_;
  lock_.unlock();
  return ok;
}

void shared_mutex::unlock_shared() {
  lock_.lock();
  if (readers_ == 0) {
    lock_.unlock();
    detail::fatal("sync: RUnlock of unlocked RWMutex");
  }
  waiter_node* wake = nullptr;
  if (--readers_ == 0 && (wake = writers_waiting_.pop_front())) writer_ = true;
  lock_.unlock();
  detail::wake_chain(wake);
}

}  // namespace goro

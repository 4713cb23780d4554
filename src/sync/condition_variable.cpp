// goro::condition_variable: a FIFO of waiter nodes under a spinlock; each node is a
// oneshot event (so a notify between enqueueing and parking is not lost) and, for a
// timed wait, a timer entry on a P's heap. Whoever takes a node off the queue (notify or
// the timer) signals it, exactly once. See include/goro/condition_variable.hpp.
#include "goro/condition_variable.hpp"

#include <atomic>

#include "platform/clock.hpp"
#include "sched/oneshot.hpp"
#include "sched/scheduler.hpp"
#include "sched/timer_heap.hpp"
#include "sched/timer_home.hpp"

namespace goro {

struct condition_variable::waiter_node {
  detail::oneshot event;  // signalled exactly once, by notify or by the timer
  waiter_node* next = nullptr;
  waiter_node* prev = nullptr;
  bool queued = false;
  bool timed_out = false;
  condition_variable* cv = nullptr;
  detail::timer_entry timer;
  detail::timer_heap* heap = nullptr;
  std::atomic<bool> timer_fired{false};  // set when a firing timer is done with the node
};

void condition_variable::on_timer(detail::timer_entry* e) {
  auto* n = static_cast<waiter_node*>(e->arg);
  n->cv->timed_out(n);
  n->timer_fired.store(true, std::memory_order_release);  // last touch of the node
}

void condition_variable::timed_out(waiter_node* n) noexcept {
  lock_.lock();
  bool mine = n->queued;
  if (mine) {
    waiters_.remove(n);
    n->timed_out = true;
  }
  lock_.unlock();
  if (mine) n->event.signal();
}

void condition_variable::notify_one() noexcept {
  lock_.lock();
  waiter_node* n = waiters_.front();
  if (n) waiters_.remove(n);
  lock_.unlock();
  if (n) n->event.signal();
}

void condition_variable::notify_all() noexcept {
  lock_.lock();
  waiter_node* n = waiters_.take_all();
  lock_.unlock();
  while (n) {
    waiter_node* next = n->next;  // read before signalling: the node dies with its frame
    n->event.signal();
    n = next;
  }
}

bool condition_variable::wait_until_ns(std::unique_lock<mutex>& lock, std::int64_t deadline_ns) {
  // A timed wait claims its timer's slot first: a std::bad_alloc leaves it unqueued.
  detail::processor* home = nullptr;
  if (deadline_ns != kNoDeadline) {
    home = detail::timer_home();
    home->timers.claim();
  }
  waiter_node n;
  n.cv = this;
  lock_.lock();
  waiters_.push_back(&n);
  lock_.unlock();
  if (home) {
    n.timer.when_ns = deadline_ns;
    n.timer.arg = &n;
    n.timer.fire = &on_timer;
    n.heap = &home->timers;
    detail::add_timer_to(home, &n.timer);
  }
  lock.unlock();
  n.event.wait(detail::wait_reason::cond_wait);
  // Signalled by a notify or by the timer. A pending timer must be gone before n is.
  if (n.heap) {
    if (!n.heap->remove(&n.timer))
      while (!n.timer_fired.load(std::memory_order_acquire)) detail::cpu_relax();
    n.heap->unclaim();
  }
  lock.lock();
  return !n.timed_out;
}

}  // namespace goro

// goro::condition_variable: a FIFO of waiter nodes under a spinlock; each node is a
// one-shot event (so a notify between enqueueing and parking is not lost) and, for a
// timed wait, a timer entry on a P's heap. Whoever takes a node off the queue (notify or
// the timer) signals it, exactly once. See include/goro/condition_variable.hpp.
#include "goro/condition_variable.hpp"

#include <atomic>

#include "platform/clock.hpp"
#include "sched/scheduler.hpp"
#include "sched/timer_heap.hpp"

namespace goro {

struct condition_variable::waiter_node {
  static constexpr std::uint32_t kIdle = 0, kParked = 1, kSignalled = 2;
  detail::waiter w;
  std::atomic<std::uint32_t> state{kIdle};
  waiter_node* next = nullptr;
  waiter_node* prev = nullptr;
  bool queued = false;
  bool timed_out = false;
  condition_variable* cv = nullptr;
  detail::timer_entry timer;
  detail::timer_heap* heap = nullptr;
  std::atomic<bool> timer_fired{false};  // set when a firing timer is done with the node
};

struct cv_access {
  using node = condition_variable::waiter_node;
  static void push(condition_variable& cv, node* n) {
    n->next = nullptr;
    n->prev = cv.tail_;
    if (cv.tail_) cv.tail_->next = n; else cv.head_ = n;
    cv.tail_ = n;
    n->queued = true;
  }
  static void remove(condition_variable& cv, node* n) {
    if (n->prev) n->prev->next = n->next; else cv.head_ = n->next;
    if (n->next) n->next->prev = n->prev; else cv.tail_ = n->prev;
    n->next = n->prev = nullptr;
    n->queued = false;
  }
  static void signal(node* n) noexcept {
    detail::waiter target = n->w;  // n may be gone once signalled
    if (n->state.exchange(node::kSignalled, std::memory_order_acq_rel) == node::kParked)
      detail::wake_waiter(target);
  }
  static bool commit(void* p) {
    auto* n = static_cast<node*>(p);
    std::uint32_t expected = node::kIdle;
    return n->state.compare_exchange_strong(expected, node::kParked, std::memory_order_acq_rel);
  }
  static void on_timer(detail::timer_entry* e) {
    auto* n = static_cast<node*>(e->arg);
    condition_variable& cv = *n->cv;
    cv.lock_.lock();
    bool mine = n->queued;
    if (mine) {
      remove(cv, n);
      n->timed_out = true;
    }
    cv.lock_.unlock();
    detail::waiter target = n->w;
    if (mine && n->state.exchange(node::kSignalled, std::memory_order_acq_rel) == node::kParked)
      detail::wake_waiter(target);
    n->timer_fired.store(true, std::memory_order_release);  // last touch of the node
  }
};

void condition_variable::notify_one() noexcept {
  lock_.lock();
  waiter_node* n = head_;
  if (n) cv_access::remove(*this, n);
  lock_.unlock();
  if (n) cv_access::signal(n);
}

void condition_variable::notify_all() noexcept {
  lock_.lock();
  waiter_node* list = head_;
  for (waiter_node* n = head_; n; n = n->next) n->queued = false;
  head_ = tail_ = nullptr;
  lock_.unlock();
  while (list) {
    waiter_node* next = list->next;  // read before signalling
    cv_access::signal(list);
    list = next;
  }
}

bool condition_variable::wait_until_ns(std::unique_lock<mutex>& lock, std::int64_t deadline_ns) {
  waiter_node n;
  n.cv = this;
  detail::prepare_waiter(n.w);
  lock_.lock();
  cv_access::push(*this, &n);
  lock_.unlock();
  if (deadline_ns != kNoDeadline) {
    n.timer.when_ns = deadline_ns;
    n.timer.arg = &n;
    n.timer.fire = &cv_access::on_timer;
    detail::scheduler& s = detail::scheduler::get();
    detail::worker* w = detail::current_worker();
    detail::processor* p = w ? w->p : s.proc(0);
    n.heap = &p->timers;
    if (n.heap->add(&n.timer) && !w) s.poke(p);
  }
  lock.unlock();
  detail::park_waiter(n.w, detail::wait_reason::cond_wait, &cv_access::commit, &n);
  // Signalled by a notify or by the timer. A pending timer must be gone before n is.
  if (n.heap && !n.heap->remove(&n.timer)) {
    while (!n.timer_fired.load(std::memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
  lock.lock();
  return !n.timed_out;
}

}  // namespace goro

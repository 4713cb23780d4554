// The network poller. See poller.hpp and poll_desc.hpp.
#include "net/poller.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <new>

#include "sched/fatal.hpp"
#include "sched/timer_home.hpp"
#include "platform/syscalls.hpp"

namespace goro::detail {

namespace {
constexpr int kEventBatch = 128;
constexpr int kTagShift = 48;
constexpr std::uint64_t kPtrMask = (std::uint64_t{1} << kTagShift) - 1;
constexpr int kDescChunk = 64;

std::uint64_t tagged(poll_desc* pd) noexcept {
  auto p = reinterpret_cast<std::uint64_t>(pd);
  return p | (static_cast<std::uint64_t>(pd->seq.load(std::memory_order_relaxed) & 0xffff) << kTagShift);
}

std::mutex instance_mu;

[[noreturn]] void fatal_errno(const char* what, int err) noexcept {
  char msg[160];
  std::snprintf(msg, sizeof msg, "%s: %s", what, std::strerror(err));
  fatal(msg);
}
}  // namespace

std::atomic<poller*> poller::instance_{nullptr};

poller& poller::get() {
  if (poller* p = instance_.load(std::memory_order_acquire)) return *p;
  std::lock_guard lk(instance_mu);
  poller* p = instance_.load(std::memory_order_relaxed);
  if (!p) {
    p = new poller();  // never destroyed: workers may poll while the process exits
    instance_.store(p, std::memory_order_release);
  }
  return *p;
}

poller::poller() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) fatal_errno("epoll_create1 failed", platform::sys::last_errno());
  eventfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventfd_ < 0) fatal_errno("eventfd failed", platform::sys::last_errno());
  // Level-triggered, unlike every socket: a pending wake-up stays visible to every poll
  // until a blocking poll drains it (see poll()).
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;  // the wake-up descriptor; no poll_desc is at address 0
  if (platform::sys::epoll_ctl(epfd_, EPOLL_CTL_ADD, eventfd_, &ev) < 0)
    fatal_errno("epoll_ctl(eventfd) failed", platform::sys::last_errno());
  last_poll_.store(platform::coarse_now_ns(), std::memory_order_relaxed);
}

poll_desc* poller::alloc_desc() noexcept {
  std::lock_guard lk(free_mu_);
  if (!free_) {
    auto* chunk = new (std::nothrow) poll_desc[kDescChunk];  // never freed: see poll_desc.hpp
    if (!chunk) return nullptr;
    for (int i = 0; i < kDescChunk; ++i) {
      chunk[i].rt.entry.fire = &fire_read_deadline;
      chunk[i].rt.entry.arg = &chunk[i];
      chunk[i].wt.entry.fire = &fire_write_deadline;
      chunk[i].wt.entry.arg = &chunk[i];
      chunk[i].next_free = free_;
      free_ = &chunk[i];
    }
  }
  poll_desc* pd = free_;
  free_ = pd->next_free;
  pd->next_free = nullptr;
  return pd;
}

void poller::free_desc(poll_desc* pd) noexcept {
  std::lock_guard lk(free_mu_);
  pd->next_free = free_;
  free_ = pd;
}

poll_desc* poller::open(int fd, std::error_code& ec) noexcept {
  poll_desc* pd = alloc_desc();
  if (!pd) {
    ec = std::make_error_code(std::errc::not_enough_memory);
    return nullptr;
  }
  pd->fd = fd;
  pd->rg.store(poll_desc::kNil, std::memory_order_relaxed);
  pd->wg.store(poll_desc::kNil, std::memory_order_relaxed);
  pd->closing.store(false, std::memory_order_relaxed);
  pd->r_expired.store(false, std::memory_order_relaxed);
  pd->w_expired.store(false, std::memory_order_relaxed);
  {
    std::lock_guard lk(pd->lock);
    pd->rt.when = platform::kNever;  // in_heap may still be true: a stale fire is pending
    pd->wt.when = platform::kNever;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = tagged(pd);
  if (platform::sys::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
    ec.assign(platform::sys::last_errno(), std::system_category());
    pd->fd = -1;
    free_desc(pd);
    return nullptr;
  }
  descriptors_.fetch_add(1, std::memory_order_relaxed);
  return pd;
}

void poller::close(poll_desc* pd) noexcept {
  {
    std::lock_guard lk(pd->lock);
    for (poll_desc::deadline_timer* t : {&pd->rt, &pd->wt}) {
      t->when = platform::kNever;
      if (t->in_heap && t->home->timers.remove(&t->entry)) t->in_heap = false;
    }
  }
  epoll_ctl(epfd_, EPOLL_CTL_DEL, pd->fd, nullptr);
  ::close(pd->fd);
  pd->fd = -1;
  pd->seq.fetch_add(1, std::memory_order_relaxed);  // events still in flight are stale now
  descriptors_.fetch_sub(1, std::memory_order_relaxed);
  free_desc(pd);
}

waiter* poller::unblock(poll_desc* pd, io_mode m, bool io_ready) noexcept {
  std::atomic<std::uintptr_t>& word = pd->slot(m);
  std::uintptr_t old = word.load(std::memory_order_seq_cst);
  for (;;) {
    if (old == poll_desc::kReady) return nullptr;
    if (old == poll_desc::kNil && !io_ready) return nullptr;
    std::uintptr_t next = io_ready ? poll_desc::kReady : poll_desc::kNil;
    if (word.compare_exchange_weak(old, next, std::memory_order_seq_cst)) break;
  }
  if (old == poll_desc::kNil || old == poll_desc::kWait) return nullptr;  // not parked yet
  return reinterpret_cast<waiter*>(old);
}

void poller::evict(poll_desc* pd) noexcept {
  pd->closing.store(true, std::memory_order_seq_cst);
  waiter* r = unblock(pd, io_mode::read, false);
  waiter* w = unblock(pd, io_mode::write, false);
  if (r) wake_waiter(*r);
  if (w) wake_waiter(*w);
}

namespace {
struct io_commit_arg {
  std::atomic<std::uintptr_t>* word;
  waiter* w;
};
// Publishes the parked waiter, unless readiness, close or expiry came since kWait.
bool commit_io_park(void* p) {
  auto* a = static_cast<io_commit_arg*>(p);
  std::uintptr_t expected = poll_desc::kWait;
  return a->word->compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(a->w),
                                          std::memory_order_seq_cst);
}
}  // namespace

io_status poller::wait(poll_desc* pd, io_mode m) {
  std::atomic<std::uintptr_t>& word = pd->slot(m);
  std::uintptr_t old = word.load(std::memory_order_seq_cst);
  for (;;) {
    if (old == poll_desc::kReady) {
      if (word.compare_exchange_weak(old, poll_desc::kNil, std::memory_order_seq_cst)) return io_status::ready;
      continue;
    }
    if (old != poll_desc::kNil)
      fatal("goro: two goroutines wait for the same descriptor in the same direction at once");
    if (word.compare_exchange_weak(old, poll_desc::kWait, std::memory_order_seq_cst)) break;
  }
  // Counted before the re-check, so a deadlock check that runs while we park sees us.
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  io_status why;
  // Re-check after publishing kWait: evict() and an expiring deadline store their flag
  // before they look at the word, so one of the two sides sees the other.
  if (!pd->blocked_status(m, why)) {
    waiter w;
    prepare_waiter(w);
    io_commit_arg arg{&word, &w};
    park_waiter(w, wait_reason::io_wait, &commit_io_park, &arg);
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  old = word.exchange(poll_desc::kNil, std::memory_order_seq_cst);
  if (old == poll_desc::kReady) return io_status::ready;
  if (pd->blocked_status(m, why)) return why;
  return io_status::ready;  // woken for a deadline that moved: the caller retries
}

waiter* poller::arm(poll_desc* pd, io_mode m, std::int64_t when, std::int64_t now) noexcept {
  poll_desc::deadline_timer& t = pd->timer(m);
  t.when = when;
  if (t.in_heap && t.home->timers.remove(&t.entry)) t.in_heap = false;
  if (when != platform::kNever && when <= now) {
    pd->expired(m).store(true, std::memory_order_seq_cst);
    return unblock(pd, m, false);
  }
  pd->expired(m).store(false, std::memory_order_seq_cst);
  // Still in_heap: a firer popped it and will re-read t.when under the lock.
  if (t.in_heap || when == platform::kNever) return nullptr;
  if (processor* here = claim_here_to_move(t.home)) {  // in no heap: free to move
    t.home->timers.unclaim();
    t.home = here;
  }
  t.entry.when_ns = when;
  add_timer_to(t.home, &t.entry);
  t.in_heap = true;
  return nullptr;
}

bool poller::claim_home(poll_desc::deadline_timer& t) noexcept {
  if (t.home) return true;
  try {
    processor* home = timer_home();
    home->timers.claim();
    t.home = home;
    return true;
  } catch (...) {  // out of memory, or a runtime that could not start
    return false;
  }
}

bool poller::set_deadline(poll_desc* pd, bool read, bool write, std::int64_t when_ns) noexcept {
  std::int64_t now = platform::now_ns();
  waiter* r = nullptr;
  waiter* w = nullptr;
  {
    std::lock_guard lk(pd->lock);
    // A deadline that needs a timer needs its heap slot first; a past one (or none) does not.
    if (when_ns != platform::kNever && when_ns > now &&
        ((read && !claim_home(pd->rt)) || (write && !claim_home(pd->wt))))
      return false;
    if (read) r = arm(pd, io_mode::read, when_ns, now);
    if (write) w = arm(pd, io_mode::write, when_ns, now);
  }
  if (r) wake_waiter(*r);
  if (w) wake_waiter(*w);
  return true;
}

void poller::fire_read_deadline(timer_entry* e) { fire_deadline(static_cast<poll_desc*>(e->arg), io_mode::read); }
void poller::fire_write_deadline(timer_entry* e) { fire_deadline(static_cast<poll_desc*>(e->arg), io_mode::write); }

void poller::fire_deadline(poll_desc* pd, io_mode m) {
  waiter* w = nullptr;
  {
    std::lock_guard lk(pd->lock);
    poll_desc::deadline_timer& t = pd->timer(m);
    t.in_heap = false;
    if (t.when == platform::kNever) return;  // cleared, or the descriptor was closed
    if (t.when <= platform::now_ns()) {
      pd->expired(m).store(true, std::memory_order_seq_cst);
      w = unblock(pd, m, false);
    } else {  // moved later while this fire was pending
      t.entry.when_ns = t.when;
      add_timer_to(t.home, &t.entry);
      t.in_heap = true;
    }
  }
  if (w) wake_waiter(*w);
}

int poller::poll(std::int64_t timeout_ns) noexcept {
  epoll_event events[kEventBatch];
  int n;
  if (timeout_ns <= 0) {
    n = epoll_wait(epfd_, events, kEventBatch, timeout_ns < 0 ? -1 : 0);
  } else {
    timespec ts{static_cast<time_t>(timeout_ns / 1000000000), static_cast<long>(timeout_ns % 1000000000)};
    n = epoll_pwait2(epfd_, events, kEventBatch, &ts, nullptr);
    if (n < 0 && platform::sys::last_errno() == ENOSYS)  // kernels before 5.11: whole milliseconds, rounded up
      n = epoll_wait(epfd_, events, kEventBatch, static_cast<int>((timeout_ns + 999999) / 1000000));
  }
  last_poll_.store(platform::coarse_now_ns(), std::memory_order_relaxed);
  int woke = 0;
  for (int i = 0; i < n; ++i) {
    std::uint64_t data = events[i].data.u64;
    if (data == 0) {
      // Only a poll that could have blocked consumes a wake-up (Go's netpoll): it is
      // meant for the worker blocked in epoll_wait, and a busy worker's or sysmon's
      // non-blocking poll that drained it would leave that worker asleep while the
      // scheduler counts it as spinning.
      if (timeout_ns == 0) continue;
      std::uint64_t count;
      while (::read(eventfd_, &count, sizeof count) > 0) {
      }
      wake_pending_.store(false, std::memory_order_seq_cst);
      continue;
    }
    auto* pd = reinterpret_cast<poll_desc*>(data & kPtrMask);
    if ((pd->seq.load(std::memory_order_relaxed) & 0xffff) != data >> kTagShift) continue;  // closed since
    std::uint32_t ev = events[i].events;
    waiter* r = nullptr;
    waiter* w = nullptr;
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) r = unblock(pd, io_mode::read, true);
    if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) w = unblock(pd, io_mode::write, true);
    if (r) {
      wake_waiter(*r);
      ++woke;
    }
    if (w) {
      wake_waiter(*w);
      ++woke;
    }
  }
  return woke;
}

void poller::break_poll() noexcept {
  if (wake_pending_.exchange(true, std::memory_order_seq_cst)) return;
  std::uint64_t one = 1;
  while (::write(eventfd_, &one, sizeof one) < 0 && platform::sys::last_errno() == EINTR) {
  }
}

}  // namespace goro::detail

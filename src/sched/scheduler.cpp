// The scheduler: run queues, stealing, idle workers, control blocks. See scheduler.hpp.
#include "sched/scheduler.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>

#include "goro/blocking.hpp"
#include "goro/detail/spinlock.hpp"
#include "debug/trace.hpp"
#include "net/poller.hpp"
#include "platform/clock.hpp"
#include "platform/futex.hpp"
#include "platform/stack_allocator.hpp"
#include "sched/plain_thread.hpp"
#include "sched/config.hpp"
#include "sched/fatal.hpp"
#include "sched/signals.hpp"
#include "sched/switch.hpp"

namespace goro::detail {

namespace {
thread_local worker* tls_worker = nullptr;
std::mutex start_mu;

constexpr int kStealRounds = 4;
constexpr std::int64_t kStealGraceNs = 50000;  // see steal()
// A worker spins up to spin_budget_ns before sleeping: it doubles (up to kSpinMaxNs)
// each time a spin finds work and halves (down to kSpinMinNs) each time one finds none.
constexpr std::int64_t kSpinMaxNs = 100000;
constexpr std::int64_t kSpinMinNs = 2000;
constexpr std::int64_t kTimerGrainNs = 1'000'000;  // an idle worker wakes on whole ms
constexpr std::int64_t kSpinPollGapNs = 1000;

void spin_for_ns(std::int64_t ns) noexcept {
  std::int64_t until = platform::now_ns() + ns;
  while (platform::now_ns() < until) cpu_relax();
}

// Sleeps up to ns on w's wake word (a poke, which makes w re-read its timers, ends it
// early); the word is cleared after, and the caller looks at every queue again.
void nap(worker* w, std::int64_t ns) noexcept {
  if (w->wake_word.load(std::memory_order_acquire) == 0) platform::futex_wait(&w->wake_word, 0, ns);
  w->wake_word.store(0, std::memory_order_relaxed);
}
}  // namespace

std::atomic<scheduler*> the_scheduler{nullptr};

__attribute__((noinline)) worker* current_worker() noexcept {
  worker* w = tls_worker;
  asm volatile("" ::: "memory");
  return w;
}
__attribute__((noinline)) void set_current_worker(worker* w) noexcept { tls_worker = w; }

scheduler* scheduler::if_started() noexcept { return the_scheduler.load(std::memory_order_acquire); }

scheduler& scheduler::start() {
  std::lock_guard lk(start_mu);
  scheduler* s = the_scheduler.load(std::memory_order_relaxed);
  if (!s) {
    s = new scheduler();  // never destroyed: workers outlive static destruction
    int n = s->nprocs();
    for (int i = 0; i < n; ++i) s->start_worker(i);
    std::thread([s] { s->sysmon_loop(); }).detach();
    // Published only now: a thread that finds the runtime finds its Ps too (a plain
    // thread's timer goes to P 0). Threads that come meanwhile wait on start_mu, and
    // the new workers and sysmon use `s` itself.
    the_scheduler.store(s, std::memory_order_release);
  }
  return *s;
}

int scheduler::set_maxprocs_anytime(int n) {
  if (scheduler* s = if_started()) return s->set_nprocs(n);
  std::lock_guard lk(start_mu);
  if (scheduler* s = the_scheduler.load(std::memory_order_relaxed)) return s->set_nprocs(n);
  int old = preset_or_config_maxprocs();
  if (n > 0) preset_maxprocs(n > kMaxProcs ? kMaxProcs : n);
  return old;
}

scheduler::scheduler() {
  const runtime_config& cfg = config();
  platform::stack_allocator::instance().set_default_size(cfg.stack_size);
  platform::stack_allocator::instance().set_guard_policy(cfg.stack_guard_required, cfg.stack_guard_budget);
  raise_file_limit();
  trace_start();
  install_signal_handlers();
  install_panic_handler();
  install_quit_dump();
  nprocs_.store(preset_or_config_maxprocs(), std::memory_order_release);
}

void scheduler::start_worker(int i) {
  processor* p = new_pair(i);
  if (!p) fatal("cannot start a worker thread");
  allp_[i].store(p, std::memory_order_release);
  started_.store(i + 1, std::memory_order_release);
}

processor* scheduler::new_pair(int slot) {
  int k = npairs_.load(std::memory_order_relaxed);  // callers hold procs_mu_ (or start_mu)
  if (k >= kMaxPairs) return nullptr;
  // Out of memory or threads (RLIMIT_AS, RLIMIT_NPROC): no pair, and the caller goes on
  // without it (a hand-off leaves the hog where it is) instead of terminating in a
  // noexcept path. The thread starts before the pair is published (readers walk the
  // pairs, and all_workers_parked counts them) and waits for that at its start gate.
  std::unique_ptr<processor> owned_p;
  std::unique_ptr<worker> owned_w;
  std::thread t;
  try {
    owned_p = std::make_unique<processor>();
    owned_w = std::make_unique<worker>();
    t = std::thread([this, w = owned_w.get()] {
      runtime_thread_scope runtime_thread;
      while (w->start_gate.load(std::memory_order_acquire) == 0) platform::futex_wait(&w->start_gate, 0);
      worker_main(w);
    });
  } catch (const std::exception&) {
    return nullptr;
  }
  processor* p = owned_p.release();
  worker* w = owned_w.release();
  p->id.store(slot, std::memory_order_relaxed);
  w->id = k;
  w->p = p;
  p->owner = w;
  w->rng = 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(k + 1);
  pairs_[k].store(p, std::memory_order_release);
  npairs_.store(k + 1, std::memory_order_seq_cst);
  w->start_gate.store(1, std::memory_order_release);
  platform::futex_wake(&w->start_gate);
  clockid_t cpu;
  if (pthread_getcpuclockid(t.native_handle(), &cpu) == 0) {
    w->cpu_clock = cpu;
    w->cpu_clock_set.store(true, std::memory_order_release);
  }
  t.detach();
  return p;
}

bool scheduler::hand_over(processor* p) noexcept {
  bool moved = false;
  if (p->runnext.load(std::memory_order_relaxed))
    if (goroutine* g = p->runnext.exchange(nullptr, std::memory_order_acq_rel)) {
      push_global(g);
      moved = true;
    }
  run_queue scratch;
  while (goroutine* g = p->runq.steal_into(scratch)) {
    push_global(g);
    while (goroutine* h = scratch.pop()) push_global(h);
    moved = true;
  }
  return moved;
}

bool scheduler::hand_off(processor* p) noexcept {
  std::lock_guard lk(procs_mu_);
  int slot = p->id.load(std::memory_order_relaxed);
  if (slot >= nprocs() || proc(slot) != p) return false;  // already retired or detached
  processor* q = nullptr;
  if (!spares_.empty()) {
    q = spares_.back();
    spares_.pop_back();
    q->spare = false;
    q->id.store(slot, std::memory_order_seq_cst);
  } else if (!(q = new_pair(slot))) {
    return false;
  }
  p->id.store(processor::kDetached, std::memory_order_seq_cst);
  allp_[slot].store(q, std::memory_order_seq_cst);
  poke(q);  // a spare waits in retire() until its id is a slot again
  if (hand_over(p)) wakep();
  return true;
}

// goro::blocking's two halves (include/goro/blocking.hpp): hand off the calling
// goroutine's P, and afterwards get the goroutine back onto a P that has a slot.
void enter_blocking() noexcept {
  worker* w = current_worker();
  if (!w || !w->current) return;  // a plain thread blocks only itself anyway
  scheduler& s = scheduler::get();
  if (s.hand_off(w->p)) s.blocking_handoffs.fetch_add(1, std::memory_order_relaxed);
}

void exit_blocking() noexcept {
  worker* w = current_worker();
  if (!w || !w->current) return;
  if (w->p->id.load(std::memory_order_relaxed) >= scheduler::get().nprocs()) yield_to_scheduler(w);
}

int scheduler::set_nprocs(int n) {
  std::lock_guard lk(procs_mu_);
  int old = nprocs_.load(std::memory_order_relaxed);
  n = std::min(n, kMaxProcs);
  if (n <= 0 || n == old) return old;
  nprocs_.store(n, std::memory_order_seq_cst);
  for (int i = started_.load(std::memory_order_relaxed); i < n; ++i) start_worker(i);
  // Workers with an id >= n retire at their next scheduling point; workers in [old, n)
  // that retired earlier wake up and come back.
  for (int i = 0; i < started_.load(std::memory_order_relaxed); ++i) poke(proc(i));
  return old;
}

void scheduler::worker_main(worker* w) {
  set_current_worker(w);
  w->tid.store(static_cast<int>(gettid()), std::memory_order_release);
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr;
    std::size_t size;
    pthread_attr_getstack(&attr, &addr, &size);
    w->g0_stack_lo = addr;
    w->g0_stack_size = size;
    pthread_attr_destroy(&attr);
  }
  w->g0_fiber.tsan_fiber = sanitizer::tsan_current_fiber();
  w->altstack = install_alt_stack();
  for (;;) {
    goroutine* g = std::exchange(w->run_after_commit, nullptr);
    run_from_g0(w, g ? g : find_runnable(w));
  }
}

// ---- run queues -------------------------------------------------------------------------

void scheduler::spill(processor* p, goroutine* g) noexcept {
  // The local queue is full: move half of it and g to the global queue in one batch.
  goroutine* batch[run_queue::kCapacity / 2 + 1];
  std::uint32_t n = p->runq.take_half(batch);
  batch[n++] = g;
  global_.push_batch(batch, n);
}

void scheduler::push_global(goroutine* g) noexcept { global_.push(g); }

void scheduler::ready(goroutine* g) noexcept {
  g->state.store(g_state::runnable, std::memory_order_release);
  worker* w = current_worker();
  trace_ready(w, g);
  if (w) {
    push_local(w->p, g, true);
    if (w->batching_wakeups) {  // this worker runs one of them next; wakep once, after
      ++w->readied_in_batch;
      return;
    }
  } else {
    push_global(g);
  }
  wakep();
}

// Fires timers on w (fire_all), deferring ready()'s wake-ups: w itself runs the first
// goroutine they ready, so an idle worker is woken only if they ready more than one.
// A wake-up per timer woke a worker that found nothing to steal (the goroutine sits in
// this P's runnext) and slept again: with 2,000 sleepers (W10), futex traffic was 60% of
// the CPU.
template <class F>
bool scheduler::batch_wakeups_on(worker* w, F&& fire_all) noexcept {
  w->batching_wakeups = true;
  w->readied_in_batch = 0;
  bool fired = fire_all();
  w->batching_wakeups = false;
  if (w->readied_in_batch > 1) wakep();
  return fired;
}

void scheduler::wakep() noexcept {
  if (nidle_.load(std::memory_order_seq_cst) == 0) return;
  if (nspinning_.load(std::memory_order_seq_cst) != 0) return;
  int expected = 0;
  if (!nspinning_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst)) return;
  worker* w = nullptr;
  {
    std::lock_guard lk(idle_mu_);
    if (!idle_.empty()) {
      // The most recently idle worker, but not the one blocked in the poller while
      // another is asleep: breaking its poll would leave nobody watching the network.
      auto it = idle_.end() - 1;
      if ((*it)->in_poll.load(std::memory_order_relaxed) && it != idle_.begin()) --it;
      w = *it;
      idle_.erase(it);
      w->in_idle_list = false;
      w->spinning = true;  // it carries the nspinning count we took
      nidle_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }
  if (!w) {
    nspinning_.fetch_sub(1, std::memory_order_seq_cst);
    return;
  }
  wake_worker(w);
}

void scheduler::wake_worker(worker* w) noexcept {
  // Dekker with idle_sleep: it sets in_poll before it reads wake_word, we the reverse.
  w->wake_word.store(1, std::memory_order_seq_cst);
  if (w->in_poll.load(std::memory_order_seq_cst))
    poller::get().break_poll();
  else
    platform::futex_wake(&w->wake_word);
}

void scheduler::poke(processor* p) noexcept {
  if (p) wake_worker(p->owner);
}

bool scheduler::poll_network(worker* w) noexcept {
  poller* pl = poller::if_started();
  if (!pl || !pl->worth_polling()) return false;
  return batch_wakeups_on(w, [&] { return pl->poll(0) > 0; });
}

goroutine* scheduler::take_global(processor* p) noexcept {
  int n = nprocs();
  std::uint32_t room = run_queue::kCapacity - p->runq.size();
  std::uint32_t want = std::min<std::uint32_t>(global_.size() / static_cast<std::uint32_t>(n) + 1,
                                              std::min<std::uint32_t>(room, run_queue::kCapacity / 2));
  if (want == 0) want = 1;
  goroutine* batch[run_queue::kCapacity / 2];
  std::uint32_t taken = global_.pop_batch(batch, want);
  if (taken == 0) return nullptr;
  for (std::uint32_t i = 1; i < taken; ++i)
    if (!p->runq.push(batch[i])) push_global(batch[i]);
  return batch[0];
}

std::int64_t scheduler::run_timers(processor* p) noexcept {
  std::int64_t next = p->timers.next_deadline();
  if (next == platform::kNever) return next;
  std::int64_t now = platform::now_ns();
  batch_wakeups_on(p->owner, [&] { return fire_due(p, now); });
  return p->timers.next_deadline();
}

goroutine* scheduler::find_runnable_slow(processor* p, bool tick, bool parking, std::int64_t now_hint) noexcept {
  std::int64_t next = p->timers.next_deadline();
  if (next != platform::kNever) {
    if (!parking) {
      run_timers(p);
    } else if (next <= (now_hint ? now_hint : platform::now_ns())) {
      if (tick) p->global_check_countdown = 1;  // the look at the global queue comes next
      return nullptr;                           // to g0, which fires them after the commit
    }
  }
  if (tick) {
    p->coarse_now = platform::coarse_now_ns();
    if (!global_.empty()) {
      if (parking) {  // to g0, which takes from the global queue after the commit
        p->global_check_countdown = 1;
        return nullptr;
      }
      p->global_check_countdown = kGlobalCheckInterval;
      if (goroutine* g = take_global(p)) return g;
    } else {
      p->global_check_countdown = kGlobalCheckInterval;
    }
  }
  return parking ? pick_local<true>(p) : pick_local(p);
}

bool steal_note::waited(std::uint32_t current, std::int64_t& now, std::int64_t grace_ns) noexcept {
  if (now == 0) now = platform::now_ns();
  if (mark.load(std::memory_order_relaxed) != current) {
    mark.store(current, std::memory_order_relaxed);
    since.store(now, std::memory_order_relaxed);
    return false;
  }
  return now - since.load(std::memory_order_relaxed) >= grace_ns;
}

// Work that is about to run where it is must not be stolen: a goroutine just readied by
// a running one (in runnext) typically runs as soon as the readier parks (ping-pong,
// pipelines, producer/consumer), and a lone queued one (typically the runnext that such
// a hand-off displaced) as soon as the owner's current goroutine parks. Taking either at
// once bounces communicating goroutines between cores on every hand-off (W6 with two
// workers: 12% of its messages moved a goroutine, at 2.5x the time per message). So a
// thief takes them only once they have waited the grace period (Go's rule for runnext,
// whose usleep(3) lasts ~80 us on Linux): a victim that runs them meanwhile changes its
// runnext stint or its queue head and the clock starts over. A queue of two or more is
// a backlog: half of it is stolen at once.
goroutine* scheduler::steal(worker* w, bool& under_grace) noexcept {
  processor* own = w->p;
  int n = nprocs();
  std::int64_t now = 0;  // read once, when a grace is first checked
  for (int round = 0; round < kStealRounds; ++round) {
    int start = static_cast<int>(w->next_random() % static_cast<std::uint32_t>(n));
    for (int k = 0; k < n; ++k) {
      processor* victim = proc((start + k) % n);
      if (!victim || victim == own) continue;
      const std::uint32_t queued = victim->runq.size();
      if (queued >= processor::kBacklog ||
          (queued > 0 && victim->runq_note.waited(victim->runq.head_mark(), now, kStealGraceNs))) {
        if (goroutine* g = victim->runq.steal_into(own->runq)) {
          processor::bump(own->steals);
          return g;
        }
      } else if (queued > 0) {
        under_grace = true;
      }
      // Last round: the victim's runnext too, under the same grace.
      if (round == kStealRounds - 1) {
        if (goroutine* g = victim->runnext.load(std::memory_order_acquire)) {
          if (!victim->runnext_note.waited(victim->runnext_puts.load(std::memory_order_relaxed), now, kStealGraceNs)) {
            under_grace = true;
          } else if (victim->runnext.compare_exchange_strong(g, nullptr, std::memory_order_acq_rel)) {
            processor::bump(own->steals);
            return g;
          }
        }
      }
    }
    if (goroutine* g = take_global(own)) return g;
  }
  return nullptr;
}

bool scheduler::fire_due(processor* q, std::int64_t now) noexcept {
  bool fired = false;
  while (due_timer d = q->timers.pop_due(now)) {
    fire(d);
    fired = true;
  }
  return fired;
}

bool scheduler::run_overdue_timers_elsewhere(processor* own) noexcept {
  return batch_wakeups_on(own->owner, [&] {
    std::int64_t now = 0;
    bool fired = false;
    for (int i = 0, n = nprocs(); i < n; ++i) {
      processor* q = proc(i);
      if (!q || q == own) continue;
      std::int64_t d = q->timers.next_deadline();
      if (d == platform::kNever) continue;
      if (now == 0) now = platform::now_ns();
      if (d + kTimerStealSlackNs <= now) fired |= fire_due(q, now);  // readied onto own
    }
    return fired;
  });
}

scheduler::work_seen scheduler::any_work(processor* own) const noexcept {
  if (!global_.empty()) return work_seen::stealable;
  work_seen seen = work_seen::none;
  int n = nprocs();
  for (int i = 0; i < n; ++i) {
    processor* p = proc(i);
    if (!p || p == own) continue;
    if (p->has_backlog()) return work_seen::stealable;
    if (p->has_work()) seen = work_seen::under_grace;
  }
  if (own->has_work() || own->timers.next_deadline() <= platform::now_ns()) return work_seen::stealable;
  return seen;
}

void scheduler::stop_spinning(worker* w) noexcept {
  if (!w->spinning) return;
  w->spinning = false;
  // The last spinner found work: readiers skipped their wake-ups while it spun, so wake
  // another worker if work is left for it (Go's resetspinning). Only then: after the
  // seq_cst decrement a new readier sees nspinning == 0 and wakes one itself, and one
  // that published before is seen here. Waking unconditionally woke a worker that found
  // nothing and slept again on every timer wake-up (futex traffic: 60% of W10's CPU at
  // 2,000 sleepers).
  if (nspinning_.fetch_sub(1, std::memory_order_seq_cst) == 1 && any_work(w->p) != work_seen::none) wakep();
}

goroutine* scheduler::find_runnable(worker* w) noexcept {
  for (;;) {
    processor* p = w->p;
    if (p->id >= nprocs()) {
      retire(w);
      continue;
    }
    if (goroutine* g = find_runnable_fast(w)) {
      stop_spinning(w);
      return g;
    }
    // Timers of a P whose goroutine does not park would wait for it: fire them here.
    if (run_overdue_timers_elsewhere(p)) continue;
    // Descriptors that became ready (Go's findrunnable polls here too).
    if (poll_network(w)) continue;
    int n = nprocs();
    if (!w->spinning && 2 * nspinning_.load(std::memory_order_relaxed) <
                            n - nidle_.load(std::memory_order_relaxed)) {
      w->spinning = true;
      nspinning_.fetch_add(1, std::memory_order_seq_cst);
    }
    if (w->spinning && n > 1) {
      // Keep looking for a while before sleeping: while this worker spins, readiers see
      // nspinning > 0 and skip the futex wake-up, which costs microseconds here and
      // would land on every hand-off of a ping-pong or pipeline running on another P.
      // The budget adapts: hand-offs between Ps (ping-pong, pipelines) find work while
      // spinning and keep it long; work that arrives only by timers or rarely finds
      // nothing, and then spinning would only burn the CPU (W10 with 2,000 sleepers:
      // 6x Go's CPU with a fixed 100 us).
      std::int64_t give_up = platform::now_ns() + w->spin_budget_ns;
      bool under_grace = false;
      do {
        goroutine* g = steal(w, under_grace);
        if (!g) g = find_runnable_fast(w);
        if (g) {
          w->spin_budget_ns = std::min(kSpinMaxNs, w->spin_budget_ns * 2);
          stop_spinning(w);
          return g;
        }
        if (under_grace) break;
        spin_for_ns(kSpinPollGapNs);  // poll other Ps' queues gently: they are hot lines
      } while (platform::now_ns() < give_up && p->id < nprocs());
      if (under_grace) {
        // The only work in sight waits out its steal grace on a busy P (see steal()):
        // sleep through the grace, still counted as spinning (so readiers still skip
        // their wake-ups), then look again, as Go's usleep(3) does. Polling instead kept
        // the victim's hot lines bouncing: W6 ran at 1.4x its one-worker time per message.
        nap(w, kStealGraceNs);
        continue;
      }
      w->spin_budget_ns = std::max(kSpinMinNs, w->spin_budget_ns / 2);
    }
    go_idle(w);
  }
}

void scheduler::go_idle(worker* w) {
  // Once on the idle list, w->spinning belongs to wakep() (under idle_mu_).
  bool was_spinning = w->spinning;
  w->spinning = false;
  {
    std::lock_guard lk(idle_mu_);
    w->in_idle_list = true;
    idle_.push_back(w);
    nidle_.fetch_add(1, std::memory_order_seq_cst);
  }
  if (was_spinning) nspinning_.fetch_sub(1, std::memory_order_seq_cst);
  auto leave_idle_list = [&] {
    std::lock_guard lk(idle_mu_);
    if (w->in_idle_list) {
      w->in_idle_list = false;
      idle_.erase(std::find(idle_.begin(), idle_.end(), w));
      nidle_.fetch_sub(1, std::memory_order_seq_cst);
    }
    // else a waker took us off the list and made us spinning (under idle_mu_).
  };
  // Re-check after publishing ourselves as idle: a readier that saw no idle worker has
  // published its goroutine before looking.
  work_seen seen = any_work(w->p);
  if (seen == work_seen::stealable || w->p->id >= nprocs()) {
    leave_idle_list();
    wake_sysmon();
    return;
  }
  if (all_workers_parked()) check_deadlock(*this);
  // Wake for this P's next timer, or for another P's once it is overdue by the slack
  // while its owner is busy (maybe with a goroutine that does not park). A P whose
  // owner sleeps too wakes for its own timers: waking for them here as well cost a
  // useless wake-up of this worker per timer (W10 with 2,000 sleepers).
  std::int64_t deadline = w->p->timers.next_deadline();
  for (int i = 0, n = nprocs(); i < n; ++i) {
    processor* q = proc(i);
    if (!q || q == w->p || q->owner->sleeping.load(std::memory_order_seq_cst)) continue;
    std::int64_t d = q->timers.next_deadline();
    if (d != platform::kNever) deadline = std::min(deadline, d + kTimerStealSlackNs);
  }
  // Timers that come due close together are fired by one wake-up: the sleep ends on the
  // next kTimerGrainNs boundary of the clock at or after the deadline.
  if (deadline != platform::kNever && deadline < platform::kNever - kTimerGrainNs)
    deadline = (deadline + kTimerGrainNs - 1) / kTimerGrainNs * kTimerGrainNs;
  // Work under its steal grace elsewhere: look again once the grace is over, in case
  // its P stays busy (its owner then never gets to it).
  if (seen == work_seen::under_grace) deadline = std::min(deadline, platform::now_ns() + kStealGraceNs);
  w->sleeping.store(true, std::memory_order_seq_cst);
  w->batching_wakeups = true;  // what a blocking poll readies lands here; wake others after
  w->readied_in_batch = 0;
  idle_sleep(w, deadline);
  w->batching_wakeups = false;
  w->sleeping.store(false, std::memory_order_seq_cst);
  w->wake_word.store(0, std::memory_order_relaxed);
  w->p->coarse_now = platform::coarse_now_ns();
  leave_idle_list();
  if (w->readied_in_batch > 1) wakep();
  wake_sysmon();  // a worker is busy again: sysmon watches
}

void scheduler::idle_sleep(worker* w, std::int64_t deadline) noexcept {
  auto timeout_now = [&]() -> std::int64_t {
    if (deadline == platform::kNever) return -1;
    return std::max<std::int64_t>(0, deadline - platform::now_ns());
  };
  // One worker at a time blocks in the poller, and only while a goroutine waits for I/O
  // (Go's rule): it is woken by the network, by its timeout, or by wake_worker.
  poller* pl = poller::if_started();
  if (pl && pl->waiters() > 0 && pl->claim_blocking()) {
    w->in_poll.store(true, std::memory_order_seq_cst);
    while (w->wake_word.load(std::memory_order_seq_cst) == 0) {
      std::int64_t timeout = timeout_now();
      if (pl->poll(timeout) > 0 || timeout == 0) break;
    }
    w->in_poll.store(false, std::memory_order_seq_cst);
    pl->release_blocking();
    return;
  }
  while (w->wake_word.load(std::memory_order_acquire) == 0) {
    std::int64_t timeout = timeout_now();
    if (timeout == 0) break;
    platform::futex_wait(&w->wake_word, 0, timeout);
  }
}

void scheduler::release_caches(processor* p) noexcept {
  platform::stack_allocator::instance().give_pooled(p->stack_cache, static_cast<std::size_t>(p->stack_cache_count));
  p->stack_cache_count = 0;
  free_.put(p->free_g, static_cast<std::size_t>(p->free_g_count));
  p->free_g_count = 0;
}

void scheduler::retire(worker* w) {
  processor* p = w->p;
  hand_over(p);  // every runnable goroutine of this P, to the others
  release_caches(p);
  stop_spinning(w);
  wakep();
  // Timers stay in this P's heap; its worker keeps firing them while retired and hands
  // what they ready to the other Ps.
  while (p->id >= nprocs()) {
    if (p->id.load(std::memory_order_relaxed) == processor::kDetached) {
      std::lock_guard lk(procs_mu_);
      if (!p->spare && p->id.load(std::memory_order_relaxed) == processor::kDetached) {
        p->spare = true;  // hand_off may now give it a slot again
        spares_.push_back(p);
        heap_trim_wanted.store(true, std::memory_order_relaxed);
      }
    }
    std::int64_t deadline = run_timers(p);
    if (hand_over(p)) wakep();  // what they readied landed on this P, which no thief sees
    std::int64_t timeout = deadline == platform::kNever ? -1 : std::max<std::int64_t>(0, deadline - platform::now_ns());
    // Counted as retired only while asleep: firing a timer is progress.
    nretired_.fetch_add(1, std::memory_order_seq_cst);
    if (all_workers_parked()) check_deadlock(*this);  // this may be the last worker to park
    if (w->wake_word.load(std::memory_order_acquire) == 0) platform::futex_wait(&w->wake_word, 0, timeout);
    nretired_.fetch_sub(1, std::memory_order_seq_cst);
    wake_sysmon();
    w->wake_word.store(0, std::memory_order_relaxed);
  }
}

}  // namespace goro::detail

// The scheduler (Go's sched): the Ps and their workers, the global run queue, the idle
// and spinning bookkeeping, and the registry of every goroutine control block.
//
// Invariants that keep wake-ups from being lost:
//  * A readier publishes the goroutine (runnext exchange or a global-queue push, both
//    seq_cst) before it reads nidle/nspinning in wakep(); a worker going idle publishes
//    itself in nidle (seq_cst) before it re-checks every queue. So either the readier sees
//    the idle worker and wakes one, or the worker sees the goroutine.
//  * At most one worker is woken to spin at a time (nspinning 0 -> 1 by CAS), and a
//    spinning worker that finds work and was the last spinner wakes another (Go's
//    resetspinning), so an idle runtime has every worker asleep and uses no CPU.
// Workers are never destroyed (the process may exit while goroutines still run).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "platform/clock.hpp"
#include "sched/block_pool.hpp"
#include "sched/goroutine_fifo.hpp"
#include "sched/goroutine.hpp"
#include "sched/processor.hpp"
#include "sched/worker.hpp"

namespace goro::detail {

class scheduler;
extern std::atomic<scheduler*> the_scheduler;

// An empty vector with room for n: lists the noexcept paths push onto (a worker going
// idle, a P becoming a spare) get their room when the runtime starts, so they never
// allocate there.
template <class T>
std::vector<T> with_capacity(std::size_t n) {
  std::vector<T> v;
  v.reserve(n);
  return v;
}

class scheduler {
 public:
  static constexpr int kMaxProcs = 1024;
  // Ps ever created, each with its worker thread: the slots' Ps plus those detached by
  // hand-offs (Go's default limit of 10,000 threads). Beyond it, no more hand-offs.
  static constexpr int kMaxPairs = 10000;
  // sysmon hands a slot off when its worker has run one goroutine this long while other
  // goroutines wait (Go's sysmon retakes a P after 10 ms, too).
  static constexpr std::int64_t kHogNs = 10'000'000;

  // The runtime, started on first use.
  static scheduler& get() {
    scheduler* s = the_scheduler.load(std::memory_order_acquire);
    if (__builtin_expect(s != nullptr, 1)) return *s;
    return start();
  }
  // The runtime if it has started, else null.
  static scheduler* if_started() noexcept;

  int nprocs() const noexcept { return nprocs_.load(std::memory_order_acquire); }
  int set_nprocs(int n);
  // runtime.GOMAXPROCS from any thread, started or not: a start in progress is waited
  // for (else the preset it already read would lose n).
  static int set_maxprocs_anytime(int n);
  processor* proc(int i) const noexcept { return allp_[i].load(std::memory_order_acquire); }

  // Makes g runnable: on the calling worker's runnext (it runs next), or on the global
  // queue from a plain thread; then wakes an idle worker if none is spinning.
  void ready(goroutine* g) noexcept;
  static constexpr std::uint32_t kGlobalCheckInterval = 61;  // schedules between global-queue looks
  static constexpr std::uint32_t kMaxRunnextStreak = 64;     // runnext picks before the queue's turn

  // Puts g on p (owner only): in runnext if next (the displaced one goes to the tail).
  void push_local(processor* p, goroutine* g, bool next) noexcept {
    if (next) {
      g = p->put_runnext(g);
      if (!g) return;
    }
    if (__builtin_expect(!p->runq.push(g), 0)) spill(p, g);
  }
  void push_global(goroutine* g) noexcept;
  void wakep() noexcept;

  // A goroutine to run on w without blocking: timers, runnext, local, global. Null if none.
  // Inline: this is the hand-off path of every yield, park and exit.
  // kParking: the caller is a parking goroutine, which still holds the locks its commit
  // releases (a select's channel locks, say), and a timer's fire may need them (a timer
  // whose channel that select waits on). So then due timers are not fired here: the
  // result is null, the switch goes to g0, where the commit runs first and the
  // scheduler loop fires them (Go too runs timers only after park's unlock).
  template <bool kParking = false>
  goroutine* find_runnable_fast(worker* w) noexcept {
    processor* p = w->p;
    // A parking sleep left its clock reading for this park's due-timer check; it is
    // good for this park only.
    std::int64_t now_hint = 0;
    if constexpr (kParking) {
      now_hint = p->now_hint;
      if (now_hint) p->now_hint = 0;  // no store on the usual park, which has none
    }
    int n = nprocs_.load(std::memory_order_relaxed);
    if (__builtin_expect(p->id >= n, 0)) return nullptr;
    bool tick = --p->global_check_countdown == 0;
    if (__builtin_expect(tick || p->timers.next_deadline() != platform::kNever, 0))
      return find_runnable_slow(p, tick, kParking, now_hint);
    return pick_local<kParking>(p);
  }
  // A parking goroutine's pick (kParking) takes only from this P's own queue: its park
  // commits after the switch, so anything slow here (the global queue's mutex) would be
  // done with its wait queue's lock held. Null then sends it to g0, which commits first.
  template <bool kParking = false>
  goroutine* pick_local(processor* p) noexcept {
    goroutine* g;
    if (p->runnext_streak < kMaxRunnextStreak && (g = p->take_runnext())) {
      ++p->runnext_streak;
      return g;
    }
    if ((g = p->runq.pop())) {
      p->runnext_streak = 0;
      if (goroutine* nx = p->runq.peek()) prefetch_block(nx);
      return g;
    }
    if ((g = p->take_runnext())) {
      p->runnext_streak = 1;
      return g;
    }
    if constexpr (kParking) return nullptr;
    return global_.empty() ? nullptr : take_global(p);
  }
  // Blocks (on g0) until there is a goroutine for w.
  goroutine* find_runnable(worker* w) noexcept;
  // Fires one due timer: readies its sleeper or runs its entry's fire().
  void fire(due_timer d) noexcept {
    if (d.sleeper) {
      // Its saved context is on a stack nobody touched for the whole sleep: start
      // fetching it now (it runs soon, after the rest of this burst of timers).
      __builtin_prefetch(d.sleeper->ctx);
      ready(d.sleeper);
    } else {
      d.entry->fire(d.entry);
    }
  }
  // Fires due timers of p. Returns the earliest remaining deadline.
  std::int64_t run_timers(processor* p) noexcept;
  // Wakes p's worker if it sleeps, so that it re-reads its timers.
  void poke(processor* p) noexcept;

  // Control blocks.
  goroutine* alloc_g(processor* p);
  void free_g(processor* p, goroutine* g) noexcept;
  std::uint64_t new_id(processor* p) noexcept;
  // Every P ever created (slots' and detached ones).
  template <class F>
  void for_each_p(F&& f) const {
    for (int i = 0, n = npairs_.load(std::memory_order_acquire); i < n; ++i) f(pairs_[i].load(std::memory_order_acquire));
  }

  // Hands p's slot to another P (a spare one, or a new one with a new worker thread), with
  // p's runnable goroutines, so that p's worker can go on running its current goroutine (a
  // CPU hog or a blocking call) without stalling the rest. p becomes detached: its worker
  // retires at its next scheduling point and waits as a spare. False if p has no slot or
  // the thread limit is reached.
  bool hand_off(processor* p) noexcept;
  // Gives p's free stacks and control blocks to the shared pools (where sysmon's scavenger
  // returns idle stacks' memory): a P without a slot must not sit on them. Owner only.
  void release_caches(processor* p) noexcept;
  // Set when a worker thread becomes a spare: the memory its malloc arena holds free is
  // worth returning at sysmon's next scavenge (malloc_trim), as Go's scavenger returns
  // free heap. Without it each thread a hand-off added kept ~1 MiB resident (the soak).
  std::atomic<bool> heap_trim_wanted{false};
  int thread_count() const noexcept { return npairs_.load(std::memory_order_acquire); }
  std::atomic<std::uint64_t> hog_handoffs{0};       // by sysmon's retake_hogs
  std::atomic<std::uint64_t> blocking_handoffs{0};  // by goro::blocking

  template <class F>
  void for_each_goroutine(F&& f) const {
    for (goroutine* g = all_.load(std::memory_order_acquire); g; g = g->all_next) f(*g);
  }

  // Deadlock accounting (see deadlock.cpp).
  std::atomic<int> active_plain_threads{0};  // plain threads that may still wake someone
  std::atomic<std::uint64_t> plain_threads_seen{0};  // plain threads ever counted
  std::atomic<int> mains_outstanding{0};     // run() mains not yet returned
  std::atomic<std::int64_t> created_off_worker{0};  // spawned from plain threads
  // Set by the last to park when the state looks deadlocked; sysmon confirms or clears.
  std::atomic<bool> deadlock_suspected{false};
  // sysmon is confirming one and looks again by itself: raisers need not wake it.
  std::atomic<bool> deadlock_watching{false};
  // Wakes sysmon from any sleep (a suspected deadlock is its to confirm).
  void wake_sysmon_now() noexcept;

  std::size_t goroutine_count() const noexcept;
  std::size_t global_queue_length() const noexcept { return global_.size(); }
  int started_procs() const noexcept { return started_.load(std::memory_order_acquire); }

  static constexpr std::int64_t kTimerStealSlackNs = 1'000'000;  // a busy P's timer overdue by this
  static constexpr std::int64_t kSysmonPeriodNs = 2'000'000;
  static constexpr std::int64_t kSysmonPollGapNs = 10'000'000;  // as Go's sysmon: poll if nobody did for 10 ms

  // True when no worker runs goroutine code: all idle or retired.
  bool all_workers_parked() const noexcept {
    return nidle_.load(std::memory_order_seq_cst) + nretired_.load(std::memory_order_seq_cst) >=
           npairs_.load(std::memory_order_seq_cst);
  }

 private:
  scheduler();
  static scheduler& start();
  void start_worker(int i);
  // A new P with its own worker thread, serving slot `slot`; null at kMaxPairs.
  processor* new_pair(int slot);
  // sysmon: hands off the slots whose worker runs a hog while work waits.
  void retake_hogs(std::int64_t now) noexcept;
  void worker_main(worker* w);
  goroutine* take_global(processor* p) noexcept;
  __attribute__((cold, noinline)) goroutine* find_runnable_slow(processor* p, bool tick, bool parking,
                                                                std::int64_t now_hint) noexcept;
  __attribute__((noinline)) void spill(processor* p, goroutine* g) noexcept;
  // One goroutine taken from another P (or the global queue), or null; under_grace is
  // set if it passed over work that waits out its steal grace (see steal()).
  goroutine* steal(worker* w, bool& under_grace) noexcept;
  // What is runnable anywhere: nothing, only work under another P's steal grace, or
  // work a thief may take now (global queue, a backlog, own P's work or due timers).
  enum class work_seen { none, under_grace, stealable };
  work_seen any_work(processor* own) const noexcept;
  // Fires other Ps' timers that are overdue by more than a slack (their owners are busy).
  bool run_overdue_timers_elsewhere(processor* own) noexcept;
  // Fires every timer of q due at now; true if there was one.
  bool fire_due(processor* q, std::int64_t now) noexcept;
  // Moves p's runnext and run queue to the global queue; true if it moved any. Safe from
  // any thread (it takes them as a thief does): the owner retiring, sysmon, a hand-off.
  bool hand_over(processor* p) noexcept;
  template <class F>
  bool batch_wakeups_on(worker* w, F&& fire_all) noexcept;
  // Sets w's wake word and wakes it from its futex or its blocking poll.
  static void wake_worker(worker* w) noexcept;
  // Polls the network without blocking if descriptors have waiters and no worker is
  // blocked in the poller; true if it readied a goroutine (onto w's P).
  bool poll_network(worker* w) noexcept;
  // go_idle's sleep until woken or deadline: in the poller if w may block there, else on
  // its futex.
  void idle_sleep(worker* w, std::int64_t deadline) noexcept;
  void go_idle(worker* w);
  void retire(worker* w);
  void stop_spinning(worker* w) noexcept;
  void sysmon_loop();
  void wake_sysmon() noexcept;

  std::atomic<int> nprocs_{0};
  std::atomic<int> started_{0};  // Ps (and workers) created so far
  std::array<std::atomic<processor*>, kMaxProcs> allp_{};
  goroutine_fifo global_;

  std::atomic<int> nspinning_{0};
  std::atomic<int> nidle_{0};
  std::atomic<int> nretired_{0};  // workers parked in retire() (their P id >= nprocs)
  std::atomic<std::uint32_t> sysmon_sleeping_{0};
  std::atomic<std::int64_t> sysmon_asleep_since_{0};  // coarse clock, when it last slept
  static constexpr std::int64_t kSysmonIdleSleepNs = 10'000'000;
  static constexpr int kSysmonShortSleeps = 7;  // 10 ms .. 640 ms, then until woken
  std::mutex idle_mu_;
  std::vector<worker*> idle_ = with_capacity<worker*>(kMaxPairs);  // at most every worker
  std::mutex procs_mu_;  // set_nprocs, hand_off, spares_
  std::array<std::atomic<processor*>, kMaxPairs> pairs_{};
  std::atomic<int> npairs_{0};
  // Detached Ps parked in retire(), ready for a slot (at most every P).
  std::vector<processor*> spares_ = with_capacity<processor*>(kMaxPairs);
  // sysmon's view of each slot: the P it saw there, its worker's switch stamp, and when
  // that stamp last changed.
  struct slot_watch {
    processor* p = nullptr;
    std::uint64_t stamp = 0;
    std::int64_t since = 0;
    std::int64_t cpu_from = -1;  // the worker's CPU time when the stamp was seen again
  };
  std::array<slot_watch, kMaxProcs> watch_{};

  block_pool free_;  // shared pool of free control blocks
  std::atomic<goroutine*> all_{nullptr};
  std::atomic<std::uint64_t> next_id_{1};

};

// The deadlock check (deadlock.cpp). check_deadlock: called by the last to park (a
// worker going idle or retiring, a plain thread blocking); cheap and never blocks: if
// the state looks deadlocked it hands the question to sysmon. watch_deadlock: sysmon's
// step while every worker is parked; returns how long sysmon may sleep before the next
// step (-1: until woken).
void check_deadlock(scheduler& s) noexcept;
std::int64_t watch_deadlock(scheduler& s);

}  // namespace goro::detail

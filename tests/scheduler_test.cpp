// Tests for the scheduler: parallelism over every P, stealing, wake-ups from plain
// threads, idle workers using no CPU, and goroutines never holding a thread while parked.
#include <goro/goro.hpp>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "sched/scheduler.hpp"
#include "support/scale.hpp"

using namespace std::chrono_literals;

namespace {

// Busy-waits (never parks) until `arrived` reaches n, or gives up after 10 s.
bool spin_until_all(std::atomic<int>& arrived, int n) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (arrived.load() < n)
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

TEST(Scheduler, WorkSpreadsOverEveryP) {
  // n goroutines that each spin until all n are running at once: possible only if the
  // scheduler runs them in parallel on n different workers.
  int n = goro::maxprocs();
  std::atomic<int> arrived{0};
  std::atomic<int> ok{0};
  std::mutex mu;
  std::set<std::thread::id> threads;
  goro::run([&] {
    goro::wait_group wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      goro::go([&] {
        arrived.fetch_add(1);
        if (spin_until_all(arrived, n)) ok.fetch_add(1);
        {
          std::lock_guard lk(mu);
          threads.insert(std::this_thread::get_id());
        }
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(ok.load(), n);
  EXPECT_EQ(threads.size(), static_cast<std::size_t>(n));
}

TEST(Scheduler, IdleWorkersStealQueuedWork) {
  // One goroutine spawns many without ever parking; others must run them meanwhile.
  if (goro::maxprocs() < 2) GTEST_SKIP() << "needs two workers";
  std::atomic<int> ran_elsewhere{0};
  std::atomic<bool> spawner_done{false};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(1000);
    auto spawner = std::this_thread::get_id();
    for (int i = 0; i < 1000; ++i)
      goro::go([&] {
        if (std::this_thread::get_id() != spawner && !spawner_done.load()) ran_elsewhere.fetch_add(1);
        wg.done();
      });
    // Keep this worker busy (no park) until a thief has run at least one.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ran_elsewhere.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    }
    spawner_done = true;
    wg.wait();
  });
  EXPECT_GT(ran_elsewhere.load(), 0);
}

TEST(StealNote, TheGraceRunsFromTheFirstSightOfOneStint) {
  // A thief's note of a victim's runnext stint (or queue head): the grace counts from
  // the first sight of that stint, and a new stint starts it over, even when the same
  // goroutine is back in runnext (the two sides of a ping-pong take turns there; going
  // by the goroutine, a thief stole it the moment it came back after 50 us).
  goro::detail::steal_note note;
  constexpr std::int64_t grace = 50'000;
  std::int64_t now = 1'000'000;
  EXPECT_FALSE(note.waited(7, now, grace));  // first sight: the clock starts
  now += grace - 1;
  EXPECT_FALSE(note.waited(7, now, grace));
  now += 1;
  EXPECT_TRUE(note.waited(7, now, grace));  // the same stint, a whole grace later
  now += 10 * grace;
  EXPECT_FALSE(note.waited(8, now, grace));  // a new stint starts over
  now += grace / 2;
  EXPECT_FALSE(note.waited(8, now, grace));
  now += grace / 2;
  EXPECT_TRUE(note.waited(8, now, grace));
  std::int64_t unread = 0;  // 0: waited() reads the clock itself
  EXPECT_FALSE(note.waited(9, unread, grace));
  EXPECT_GT(unread, 0);
}

// A goroutine that spawns one or two others and then runs without parking: what it
// readied (its runnext, and the runnext that displaced into its queue) waits out the
// steal grace and is then run by another worker, not left until the spinner parks.
void expect_readied_work_is_stolen_from_a_busy_p(int spawned) {
  std::atomic<int> ran_elsewhere{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(spawned);
    auto spinner = std::this_thread::get_id();
    for (int i = 0; i < spawned; ++i)
      goro::go([&] {
        if (std::this_thread::get_id() != spinner) ran_elsewhere.fetch_add(1);
        wg.done();
      });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ran_elsewhere.load() < spawned && std::chrono::steady_clock::now() < deadline) {
    }
    wg.wait();
  });
  EXPECT_EQ(ran_elsewhere.load(), spawned);
}

TEST(Scheduler, ARunnextIsStolenFromABusyPAfterItsGrace) {
  if (goro::maxprocs() < 2) GTEST_SKIP() << "needs two workers";
  expect_readied_work_is_stolen_from_a_busy_p(1);
}

TEST(Scheduler, ALoneQueuedGoroutineIsStolenFromABusyPAfterItsGrace) {
  if (goro::maxprocs() < 2) GTEST_SKIP() << "needs two workers";
  expect_readied_work_is_stolen_from_a_busy_p(2);
}

TEST(Scheduler, GoroutinesThatHandOffToEachOtherAreNotSplitAcrossWorkers) {
  // W6's shape: two producers on unbuffered channels and a consumer selecting over both.
  // Every hand-off readies a goroutine into its P's runnext, often displacing another
  // into the queue; an idle worker that took those at once moved a goroutine to the
  // other core on 12% of the messages (and ran 2.5x slower per message). Now they wait
  // out the steal grace, which a P that keeps handing off never lets run out: a steal
  // is left only for a worker the machine stalls (a loaded host), hence the slack.
  if (goro::maxprocs() < 2) GTEST_SKIP() << "needs two workers";
  const long per_producer = goro::test::scaled(20000, 5);
  std::uint64_t steals = 0;
  goro::run([&] {
    goro::chan<long> a = goro::make_chan<long>(), b = goro::make_chan<long>();
    std::uint64_t before = goro::stats().steals;
    for (const auto& c : {a, b})
      goro::go([c, per_producer] {
        for (long i = 0; i < per_producer; ++i) c.send(i);
        c.close();
      });
    long received = 0;
    while (a || b) {
      bool closed = false;
      auto take = [&](std::optional<long> v) {
        if (v) ++received;
        else closed = true;
      };
      std::size_t i = goro::select(goro::recv_case(a, take), goro::recv_case(b, take));
      if (closed) (i == 0 ? a : b) = goro::chan<long>{};
    }
    EXPECT_EQ(received, 2 * per_producer);
    steals = goro::stats().steals - before;
  });
  EXPECT_LT(steals, static_cast<std::uint64_t>(2 * per_producer / 50)) << "goroutines moved between workers";
}

// Polls until goroutine `id` is parked (white-box: reads the scheduler's registry).
void wait_until_parked(std::uint64_t id) {
  for (;;) {
    bool parked = false;
    goro::detail::scheduler::get().for_each_goroutine([&](const goro::detail::goroutine& g) {
      if (g.id == id && g.state.load() == goro::detail::g_state::waiting) parked = true;
    });
    if (parked) return;
    std::this_thread::yield();
  }
}

TEST(Scheduler, ReadyFromAPlainThreadWakesAParkedGoroutine) {
  for (int round = 0; round < 50; ++round) {
    goro::wait_group gate, finished, started;
    gate.add(1);
    finished.add(1);
    started.add(1);
    std::atomic<std::uint64_t> id{0};
    goro::go([&] {
      id = goro::this_goroutine::id();
      started.done();
      gate.wait();  // parks the goroutine
      finished.done();
    });
    started.wait();
    std::thread t([&] {
      wait_until_parked(id.load());
      gate.done();  // readies it from a plain thread
    });
    t.join();
    finished.wait();
  }
}

TEST(Scheduler, ParkedGoroutinesHoldNoThread) {
  // More parked goroutines than workers, then one more that must still run.
  int n = goro::maxprocs() * 4;
  goro::run([&] {
    goro::wait_group release, parked, finished;
    release.add(1);
    parked.add(n);
    finished.add(n);
    for (int i = 0; i < n; ++i)
      goro::go([&] {
        parked.done();
        release.wait();
        finished.done();
      });
    parked.wait();
    bool ran = false;
    goro::wait_group one;
    one.add(1);
    goro::go([&] {
      ran = true;
      one.done();
    });
    one.wait();
    EXPECT_TRUE(ran);
    release.done();
    finished.wait();
  });
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

TEST(Scheduler, AnIdleRuntimeSleeps) {
  // Behaviour, not speed: with nothing to run every worker must be asleep. A spinning
  // worker would burn the whole window; the bound is 20x what idle costs.
  int old = goro::set_maxprocs(8);
  goro::run([] {
    goro::wait_group wg;
    wg.add(100);
    for (int i = 0; i < 100; ++i) goro::go([&] { wg.done(); });
    wg.wait();
  });
  std::this_thread::sleep_for(100ms);  // let the workers settle (not synchronization)
  double before = cpu_seconds();
  std::this_thread::sleep_for(1s);
  double used = cpu_seconds() - before;
  goro::set_maxprocs(old);
  EXPECT_LT(used, 0.2) << "an idle runtime used " << used * 1000 << " ms of CPU in 1 s";
}

}  // namespace

namespace {

// A park's commit (which releases the lock of the wait queue the goroutine is on: a
// channel's, a mutex's) runs before the worker looks for the next goroutine anywhere
// slow: before a goroutine that never ran gets its stack (maybe an mmap), and before
// the global queue's mutex. Checked from inside the commit: the worker is on g0 then,
// with nothing switched in yet.
struct park_probe {
  goro::detail::waiter self;
  bool on_g0_at_commit = false;
  std::size_t global_at_commit = 0;
};

bool probe_commit(void* arg) {
  auto* probe = static_cast<park_probe*>(arg);
  goro::detail::worker* w = goro::detail::current_worker();
  probe->on_g0_at_commit = w && w->current == nullptr;
  probe->global_at_commit = goro::detail::scheduler::get().global_queue_length();
  goro::detail::wake_waiter(probe->self);  // wake at once: the park itself is the test
  return true;
}

void park_with_probe(park_probe& probe) {
  goro::detail::prepare_waiter(probe.self);
  goro::detail::park_waiter(probe.self, goro::detail::wait_reason::chan_receive, &probe_commit, &probe);
}

TEST(Park, CommitsBeforeANewGoroutineGetsItsStack) {
  int previous = goro::set_maxprocs(1);
  goro::run([] {
    goro::wait_group ran;
    ran.add(1);
    goro::go([&] { ran.done(); });  // never ran: in this P's runnext, with no stack yet
    park_probe probe;
    park_with_probe(probe);
    EXPECT_TRUE(probe.on_g0_at_commit) << "the new goroutine was switched in before the commit";
    ran.wait();
  });
  goro::set_maxprocs(previous);
}

TEST(Park, CommitsBeforeTakingFromTheGlobalQueue) {
  int previous = goro::set_maxprocs(1);
  goro::run([] {
    goro::wait_group ran;
    ran.add(1);
    // Spawned by a plain thread: the global queue, which this busy single worker does not
    // look at until it schedules.
    std::thread([&] { goro::go([&] { ran.done(); }); }).join();
    ASSERT_EQ(goro::detail::scheduler::get().global_queue_length(), 1u);
    park_probe probe;
    park_with_probe(probe);
    EXPECT_EQ(probe.global_at_commit, 1u) << "the global queue was taken from before the commit";
    ran.wait();
  });
  goro::set_maxprocs(previous);
}

}  // namespace

// Tests for goro::timer, ticker, tick and after_func (Go 1.23 semantics): delivery
// times, stop/reset results and "no stale value" after either, drained values, zero,
// negative and huge durations, misuse, plain threads, tickers that nobody references,
// and a seeded stress of stop racing the fire and a receiver (exactly one of "received"
// and "stop() reported active" happens for every timer).
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include <unistd.h>

#include "sched/scheduler.hpp"
#include "support/process_stats.hpp"
#include "support/scale.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {


// Waits (parking, bounded) until pred() holds; false if it never did within the bound.
template <class Pred>
bool eventually(Pred pred, clk::duration bound = 10s) {
  auto give_up = clk::now() + bound;
  while (!pred()) {
    if (clk::now() > give_up) return false;
    goro::sleep(1ms);
  }
  return true;
}

// Nothing arrives on c within `window` (a bounded check of absence, not a synchronization).
bool stays_empty(const goro::recv_chan<clk::time_point>& c, clk::duration window = 40ms) {
  bool got = false;
  goro::select(goro::recv_case(c, [&] { got = true; }), goro::recv_case(goro::after(window)));
  return !got;
}

TEST(Timer, DeliversTheTimeOnceTheDurationHasPassed) {
  goro::run([] {
    auto start = clk::now();
    goro::timer t(20ms);
    auto v = t.c().recv();
    ASSERT_TRUE(v);
    EXPECT_GE(*v, start + 20ms);
    EXPECT_GE(clk::now(), start + 20ms);
    EXPECT_FALSE(t.stop()) << "received: the timer is no longer active";
    EXPECT_TRUE(stays_empty(t.c())) << "a one-shot timer delivers once";
  });
}

TEST(Timer, StopBeforeFiringReportsActiveAndNothingArrives) {
  goro::run([] {
    goro::timer t(10ms);
    EXPECT_TRUE(t.stop());
    EXPECT_FALSE(t.stop()) << "a second stop finds it stopped";
    EXPECT_TRUE(stays_empty(t.c()));
  });
}

TEST(Timer, StopAfterFiringButBeforeReceiveDrainsTheValue) {
  // Go 1.23: the channel is synchronous in effect; a value nobody received yet is
  // withdrawn and the timer counts as stopped before it fired.
  goro::run([] {
    goro::timer t(1ms);
    ASSERT_TRUE(eventually([&] { return t.c().size() == 1; })) << "the timer never fired";
    EXPECT_TRUE(t.stop());
    EXPECT_EQ(t.c().size(), 0u);
    EXPECT_FALSE(t.c().try_recv().has_value());
  });
}

TEST(Timer, ResetOfAnActiveTimerMovesItsDeadline) {
  goro::run([] {
    goro::timer t(5ms);
    auto at = clk::now();
    EXPECT_TRUE(t.reset(40ms));
    auto v = t.c().recv();
    ASSERT_TRUE(v);
    EXPECT_GE(*v, at + 40ms) << "fired at the old deadline";
  });
}

TEST(Timer, ResetAfterAnUnreceivedFireGivesNoStaleValue) {
  goro::run([] {
    goro::timer t(1ms);
    ASSERT_TRUE(eventually([&] { return t.c().size() == 1; }));
    auto at = clk::now();
    EXPECT_TRUE(t.reset(20ms)) << "its value was never received: still active";
    auto v = t.c().recv();
    ASSERT_TRUE(v);
    EXPECT_GE(*v, at + 20ms) << "received the stale value of the first setting";
  });
}

TEST(Timer, ResetAfterReceiveReportsInactiveAndFiresAgain) {
  goro::run([] {
    goro::timer t(1ms);
    ASSERT_TRUE(t.c().recv());
    EXPECT_FALSE(t.reset(5ms));
    EXPECT_TRUE(t.c().recv());
  });
}

TEST(Timer, ResetOfAStoppedTimerStartsIt) {
  goro::run([] {
    goro::timer t(1h);
    EXPECT_TRUE(t.stop());
    EXPECT_FALSE(t.reset(1ms));
    EXPECT_TRUE(t.c().recv());
  });
}

TEST(Timer, ZeroAndNegativeDurationsFireAtOnce) {
  goro::run([] {
    goro::timer a(0ms), b(-3s);
    EXPECT_TRUE(a.c().try_recv().has_value());
    EXPECT_TRUE(b.c().try_recv().has_value());
    EXPECT_FALSE(a.reset(-1ms)) << "received, so not active";
    EXPECT_TRUE(a.c().try_recv().has_value()) << "reset to a past deadline fires at once";
  });
}

TEST(Timer, HugeDurationsNeverOverflowIntoThePast) {
  goro::run([] {
    goro::timer t(std::chrono::hours::max());
    goro::timer u(std::chrono::duration<double>(1e300));
    EXPECT_FALSE(t.c().try_recv().has_value());
    EXPECT_FALSE(u.c().try_recv().has_value());
    EXPECT_TRUE(t.stop());
    EXPECT_TRUE(u.stop());
    // after() and sleep() share the saturation.
    EXPECT_FALSE(goro::after(std::chrono::nanoseconds::max()).try_recv().has_value());
  });
}

TEST(Timer, UninitializedTimerThrowsOnStopAndReset) {
  goro::timer t;
  EXPECT_FALSE(t);
  EXPECT_FALSE(t.c()) << "its channel is nil";
  try {
    t.stop();
    FAIL() << "stop() did not throw";
  } catch (const goro::panic& e) {
    EXPECT_STREQ(e.what(), "time: Stop called on uninitialized Timer");
  }
  EXPECT_THROW(t.reset(1ms), goro::panic);
}

TEST(Timer, CopiesShareOneTimer) {
  goro::run([] {
    goro::timer t(1h);
    goro::timer u = t;
    EXPECT_TRUE(u == t);
    EXPECT_TRUE(u.stop());
    EXPECT_FALSE(t.stop()) << "the copy stopped the same timer";
  });
}

TEST(Timer, ADroppedHandleDoesNotStopTheTimer) {
  goro::run([] {
    goro::recv_chan<clk::time_point> c = goro::timer(5ms).c();
    EXPECT_TRUE(c.recv().has_value());
  });
}

TEST(Timer, WorksFromAPlainThread) {
  auto start = clk::now();
  goro::timer t(10ms);
  auto v = t.c().recv();
  ASSERT_TRUE(v);
  EXPECT_GE(*v, start + 10ms);
  goro::timer s(1h);
  EXPECT_TRUE(s.stop());
}

TEST(Timer, InASelectWithATimeout) {
  goro::run([] {
    goro::timer slow(1h);
    goro::timer fast(5ms);
    std::size_t i = goro::select(goro::recv_case(slow.c()), goro::recv_case(fast.c()));
    EXPECT_EQ(i, 1u);
    EXPECT_TRUE(slow.stop());
  });
}

TEST(Ticker, TicksEveryPeriod) {
  goro::run([] {
    auto start = clk::now();
    goro::ticker k(5ms);
    clk::time_point last{};
    for (int i = 0; i < 5; ++i) {
      auto v = k.c().recv();
      ASSERT_TRUE(v);
      EXPECT_GT(*v, last);
      last = *v;
    }
    EXPECT_GE(clk::now(), start + 25ms);
    k.stop();
  });
}

TEST(Ticker, StopEndsTheTicksAndDrainsAnUnreceivedOne) {
  goro::run([] {
    goro::ticker k(1ms);
    ASSERT_TRUE(eventually([&] { return k.c().size() == 1; }));
    k.stop();
    EXPECT_EQ(k.c().size(), 0u);
    EXPECT_TRUE(stays_empty(k.c(), 20ms));
  });
}

TEST(Ticker, ResetChangesThePeriod) {
  goro::run([] {
    goro::ticker k(1ms);
    ASSERT_TRUE(k.c().recv());
    auto at = clk::now();
    k.reset(30ms);
    auto v = k.c().recv();
    ASSERT_TRUE(v);
    EXPECT_GE(*v, at + 30ms) << "a tick of the old period arrived after reset";
    k.stop();
  });
}

TEST(Ticker, ASlowReceiverMissesTicksInsteadOfQueueingThem) {
  goro::run([] {
    goro::ticker k(1ms);
    goro::sleep(20ms);
    auto first = k.c().try_recv();
    ASSERT_TRUE(first.has_value());
    // At most one tick waits: a second one now can only be a tick fired after the first
    // (the ticker keeps running), never an older one queued behind it.
    if (auto second = k.c().try_recv()) EXPECT_GT(*second, *first) << "an older tick was queued";
    k.stop();
  });
}

TEST(Ticker, NonPositivePeriodsThrow) {
  EXPECT_THROW(goro::ticker(0ms), std::invalid_argument);
  EXPECT_THROW(goro::ticker(-1s), std::invalid_argument);
  goro::ticker k(1h);
  EXPECT_THROW(k.reset(0ms), std::invalid_argument);
  k.stop();
  EXPECT_FALSE(goro::tick(0ms)) << "tick(d <= 0) is a nil channel";
  EXPECT_FALSE(goro::tick(-1ms));
}

TEST(Ticker, ATickNobodyReferencesStops) {
  goro::run([] {
    std::size_t before = goro::stats().timers;
    {
      auto c = goro::tick(1ms);
      ASSERT_TRUE(c.recv());
      ASSERT_TRUE(c.recv());
      EXPECT_EQ(goro::stats().timers, before + 1);
    }
    // Its next tick finds no handle and no channel view: the entry leaves the heap.
    EXPECT_TRUE(eventually([&] { return goro::stats().timers == before; })) << "the ticker kept running";
  });
}

// Go 1.23: a timer nothing refers to is freed at once. Go's most common timeout idiom
// keeps no timer and no memory per iteration (it kept 1,000,001 pending timers and
// ~300 MiB before).
TEST(Timer, AfterInASelectLoopKeepsNoTimer) {
  goro::run([] {
    const long rss_before = goro::test::rss_kib();
    const std::size_t before = goro::stats().timers;
    auto c = goro::make_chan<int>(1);
    const long n = goro::test::scaled(1'000'000, 20);
    long got = 0;
    std::size_t most = 0;
    for (long i = 0; i < n; ++i) {
      c.send(1);
      goro::select(goro::recv_case(c, [&](std::optional<int> v) { got += *v; }),
                   goro::recv_case(goro::after(30s), [] { ADD_FAILURE() << "timed out"; }));
      if (i % 1024 == 0) most = std::max(most, goro::stats().timers);
    }
    EXPECT_EQ(got, n);
    EXPECT_LE(most, before + 2) << "after() timers outlived their select";
    EXPECT_EQ(goro::stats().timers, before);
#if !GORO_TEST_ASAN  // ASan keeps freed memory in its quarantine (~27 MiB here)
    EXPECT_LT(goro::test::rss_kib() - rss_before, 16 * 1024) << "KiB of RSS grew";
#endif
  });
}

// A ticker's and a timer's channel views alone keep them; the last view's end stops and
// frees them at once (no tick or fire needed).
TEST(Ticker, TheLastViewsEndStopsATickerAtOnce) {
  goro::run([] {
    const std::size_t before = goro::stats().timers;
    {
      auto c = goro::tick(1h);
      EXPECT_EQ(goro::stats().timers, before + 1);
      auto copy = c;
    }
    EXPECT_EQ(goro::stats().timers, before);
    {
      goro::timer t(1h);
      auto view = t.c();
      { goro::timer gone = std::move(t); }  // the handles go; the view keeps the timer
      EXPECT_EQ(goro::stats().timers, before + 1);
    }
    EXPECT_EQ(goro::stats().timers, before);
  });
}

// A dropped handle whose channel view lives on still delivers; an after_func with its
// result dropped still runs (it has no channel: only stop() can cancel it).
TEST(Timer, AViewAloneStillReceivesTheValue) {
  goro::run([] {
    goro::recv_chan<clk::time_point> c = goro::timer(2ms).c();
    EXPECT_TRUE(c.recv().has_value());
    auto done = goro::make_chan<int>(1);
    (void)goro::after_func(1ms, [done] { done.send(1); });
    EXPECT_EQ(done.recv(), 1);
  });
}

// Go's modtimer: a reset moves the timer to the resetting goroutine's P, so a timer
// (or a deadline) re-armed on every event from another P does not poke that P's worker
// each time (a futex wake-up per reset: 750-800 ns instead of ~75).
TEST(Timer, AResetOnAnotherPMovesTheTimerThere) {
  int previous = goro::set_maxprocs(2);
  goro::run([] {
    goro::timer t(1h);
    goro::detail::processor* creator = goro::detail::current_worker()->p;
    const std::size_t creator_before = creator->timers.size();
    std::atomic<goro::detail::processor*> resetter{nullptr};
    std::atomic<std::size_t> resetter_before{0};
    std::atomic<bool> done{false};
    goro::go([&] {
      goro::detail::processor* p = goro::detail::current_worker()->p;
      resetter_before.store(p->timers.size());
      t.reset(1h);
      resetter.store(p);
      done.store(true);
    });
    // Busy here, so the other worker takes it (after the steal grace).
    auto give_up = clk::now() + 10s;
    while (!done.load() && clk::now() < give_up) {
    }
    ASSERT_TRUE(done.load());
    ASSERT_NE(resetter.load(), creator) << "ran on the creator's P";
    EXPECT_EQ(creator->timers.size(), creator_before - 1);
    EXPECT_EQ(resetter.load()->timers.size(), resetter_before.load() + 1);
    t.stop();
  });
  goro::set_maxprocs(previous);
}

TEST(Ticker, AHandleKeepsATickerRunningWithoutChannelViews) {
  goro::run([] {
    goro::ticker k(1ms);
    goro::sleep(5ms);  // several ticks with no view of c() alive
    EXPECT_TRUE(k.c().recv().has_value());
    k.stop();
  });
}

TEST(AfterFunc, RunsFInItsOwnGoroutine) {
  goro::run([] {
    auto ch = goro::make_chan<std::uint64_t>(1);
    auto start = clk::now();
    goro::timer t = goro::after_func(10ms, [ch] { ch.send(goro::this_goroutine::id()); });
    EXPECT_FALSE(t.c()) << "an after_func timer has no channel";
    auto id = ch.recv();
    ASSERT_TRUE(id);
    EXPECT_NE(*id, 0u);
    EXPECT_NE(*id, goro::this_goroutine::id());
    EXPECT_GE(clk::now(), start + 10ms);
    EXPECT_FALSE(t.stop()) << "f already started";
  });
}

TEST(AfterFunc, StopKeepsFFromStarting) {
  goro::run([] {
    std::atomic<int> runs{0};
    goro::timer t = goro::after_func(10ms, [&] { runs++; });
    EXPECT_TRUE(t.stop());
    goro::sleep(30ms);  // past the deadline: f must not have run
    EXPECT_EQ(runs.load(), 0);
  });
}

TEST(AfterFunc, ResetRunsFAgain) {
  goro::run([] {
    auto ch = goro::make_chan<int>(4);
    goro::timer t = goro::after_func(1ms, [ch] { ch.send(1); });
    EXPECT_TRUE(ch.recv());
    EXPECT_FALSE(t.reset(1ms));
    EXPECT_TRUE(ch.recv());
    EXPECT_FALSE(t.stop());
  });
}

TEST(AfterFunc, ADiscardedResultStillRuns) {
  goro::run([] {
    auto ch = goro::make_chan<int>(1);
    (void)goro::after_func(2ms, [ch] { ch.send(7); });
    (void)goro::after_func(-1ms, [ch] { ch.send(8); });  // at once
    int a = *ch.recv(), b = *ch.recv();
    EXPECT_EQ(a + b, 15);
  });
}

TEST(AfterFunc, FromAPlainThread) {
  auto ch = goro::make_chan<int>(1);
  goro::after_func(1ms, [ch] { ch.send(3); });
  EXPECT_EQ(ch.recv(), 3);
}

// Regression: sysmon fired a busy P's timer that woke a plain thread, and counted itself
// as a plain thread from then on: the deadlock check could never fire again.
TEST(TimerPaths, SysmonIsNeverCountedAsAPlainThread) {
  int old = goro::set_maxprocs(1);
  auto& s = goro::detail::scheduler::get();
  goro::run([&] {
    // The test's own thread stops counting once it blocks in run(), which may be just
    // after this goroutine starts: wait for that (bounded), so the baseline is 0.
    auto settle = clk::now() + 10s;
    while (s.active_plain_threads.load() != 0 && clk::now() < settle) goro::yield();
    int before = s.active_plain_threads.load();
    ASSERT_EQ(before, 0);
    std::atomic<bool> received{false};
    std::promise<void> registered;
    std::thread t([&] {
      goro::recv_chan<clk::time_point> c = goro::after(5ms);  // on P0's heap
      registered.set_value();
      c.recv();
      received = true;
    });
    registered.get_future().wait();
    // Hog the only worker: only sysmon can fire P0's timer now.
    auto give_up = clk::now() + 10s;
    while (!received.load() && clk::now() < give_up) {
    }
    t.join();
    ASSERT_TRUE(received.load());
    // sysmon counts itself as a waker while it fires (it may still be in that window
    // once T has run): wait for the count to come back, bounded.
    auto settle_back = clk::now() + 10s;
    while (s.active_plain_threads.load() != before && clk::now() < settle_back) std::this_thread::yield();
    EXPECT_EQ(s.active_plain_threads.load(), before) << "a runtime thread stayed counted";
  });
  goro::set_maxprocs(old);
}

// Regression: a parking goroutine fired its P's due timers on its way out, while it still
// held the locks its park commit releases; a timer whose channel it was parking on then
// spun on that channel's lock forever. Here a receive parks on an after() channel just
// as its timer is due (one worker, so nothing else fires it; not overdue long enough for
// sysmon). In a child process with an alarm, so the old hang fails instead of hanging.
TEST(TimerPaths, ATimerDueWhileItsReceiverParksStillFires) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(10);  // the old hang ends here, as a failure
        goro::set_maxprocs(1);
        goro::run([] {
          for (int i = 0; i < 20; ++i) {
            auto due = clk::now() + 1ms;
            auto c = goro::after(1ms);
            while (clk::now() < due + 50us) {
            }
            if (i % 2) c.recv();
            else goro::select(goro::recv_case(c));
          }
        });
        std::_Exit(0);
      },
      testing::ExitedWithCode(0), "");
}

// Runs body(rng) in n goroutines at once, each with its own seeded generator; returns the
// number of violations the bodies counted.
template <class Body>
int seeded_goroutines(int n, std::uint64_t seed, Body body) {
  std::atomic<int> violations{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      goro::go([&, i] {
        std::mt19937_64 rng(seed * 31 + static_cast<std::uint64_t>(i));
        violations += body(rng);
        wg.done();
      });
    }
    wg.wait();
  });
  return violations.load();
}

// Seeded stress: stop() races the timer's fire and a receiver. For every timer exactly
// one of "the receiver got its value" and "stop() reported it active" holds.
TEST(TimerStress, StopRacingFireAndReceiverIsExactlyOnce) {
  std::uint64_t seed = goro::test::seed_from_env(20261201);
  SCOPED_TRACE("seed " + std::to_string(seed));
  int violations = seeded_goroutines(static_cast<int>(goro::test::scaled(4000, 20)), seed, [](auto& rng) {
    int bad = 0;
    goro::timer t(std::chrono::microseconds(rng() % 2000));
    auto quit = goro::make_chan<goro::unit>();
    auto got = goro::make_chan<int>(1);
    goro::go([c = t.c(), quit, got] {
      int v = 0;
      goro::select(goro::recv_case(c, [&] { v = 1; }), goro::recv_case(quit));
      got.send(v);
    });
    goro::sleep(std::chrono::microseconds(rng() % 2000));
    bool active = t.stop();
    quit.close();
    int received = *got.recv();
    if (received + (active ? 1 : 0) != 1) bad++;
    if (t.c().try_recv()) bad++;  // nothing may remain after stop
    return bad;
  });
  EXPECT_EQ(violations, 0);
}

// Seeded stress: a timer nobody receives from always reports active on stop (its value
// is drained), and reset never lets a value of an earlier setting through.
TEST(TimerStress, UnreceivedTimersAlwaysStopActiveAndResetIsNeverStale) {
  std::uint64_t seed = goro::test::seed_from_env(7);
  SCOPED_TRACE("seed " + std::to_string(seed));
  int violations = seeded_goroutines(static_cast<int>(goro::test::scaled(4000, 20)), seed, [](auto& rng) {
    int bad = 0;
    goro::timer t(std::chrono::microseconds(rng() % 1000));
    goro::sleep(std::chrono::microseconds(rng() % 1000));
    if (!t.stop()) bad++;
    goro::timer u(std::chrono::microseconds(rng() % 1000));
    goro::sleep(std::chrono::microseconds(rng() % 1000));
    auto at = clk::now();
    if (!u.reset(1ms)) bad++;
    auto v = u.c().recv();
    if (!v || *v < at + 1ms) bad++;
    return bad;
  });
  EXPECT_EQ(violations, 0);
}

TEST(TimerStress, ManyConcurrentTimersAreCheap) {
  // 100,000 pending timers are heap entries, not threads; stopping them empties the heaps.
  const int n = static_cast<int>(goro::test::scaled(100000, 20));
  goro::run([&] {
    std::size_t before = goro::stats().timers;
    std::vector<goro::timer> ts;
    ts.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) ts.emplace_back(std::chrono::seconds(60 + i % 60));
    EXPECT_EQ(goro::stats().timers, before + static_cast<std::size_t>(n));
    int active = 0;
    for (auto& t : ts) active += t.stop();
    EXPECT_EQ(active, n);
    EXPECT_EQ(goro::stats().timers, before);
  });
}

}  // namespace

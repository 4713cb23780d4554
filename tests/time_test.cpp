// Tests for goro::sleep: it waits at least the duration, parks only the goroutine, and
// works from plain threads; zero and negative durations return at once.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <chrono>

#include "support/scale.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

TEST(Sleep, WaitsAtLeastTheDuration) {
  goro::run([] {
    for (auto d : {1ms, 5ms, 20ms}) {
      auto t = clk::now();
      goro::sleep(d);
      EXPECT_GE(clk::now() - t, d);
    }
  });
}

TEST(Sleep, ZeroAndNegativeReturnAtOnce) {
  goro::run([] {
    goro::sleep(0ms);
    goro::sleep(-5s);  // would hang the test if it slept
    goro::sleep_until(clk::now() - 1s);
  });
}

TEST(Sleep, OnAPlainThreadSleepsTheThread) {
  auto t = clk::now();
  goro::sleep(10ms);
  EXPECT_GE(clk::now() - t, 10ms);
}

TEST(Sleep, ManySleepersShareTheWorkers) {
  // Far more sleepers than workers: they all sleep at once, so the total is about one
  // sleep, not n / workers of them (a thread per sleeper is not needed either way).
  const int n = static_cast<int>(goro::test::scaled(10000, 10));
  std::atomic<int> woke{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      goro::go([&, i] {
        goro::sleep(std::chrono::milliseconds(1 + i % 20));
        woke.fetch_add(1);
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(woke.load(), n);
}

TEST(Sleep, OrderFollowsDeadlines) {
  // Absolute deadlines taken before any sleeper starts: the order cannot depend on how
  // late each goroutine began (under TSan a goroutine's first run can take ~10 ms, and
  // relative sleeps of 10/20/30 ms then woke in the order 2, 1, 3 once in CI).
  int old = goro::set_maxprocs(1);
  std::vector<int> order;
  goro::run([&] {
    goro::wait_group wg;
    wg.add(3);
    auto t0 = std::chrono::steady_clock::now();
    for (int k : {3, 1, 2})
      goro::go([&, k] {
        goro::sleep_until(t0 + std::chrono::milliseconds(40 * k));
        order.push_back(k);
        wg.done();
      });
    wg.wait();
  });
  goro::set_maxprocs(old);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(Sleep, AWokenSleeperRunsWhileAnotherWorkerIsIdle) {
  // The only goroutine sleeps: every worker goes idle with a timer timeout, and the
  // timer must still fire (no deadlock report, no hang).
  goro::run([] { goro::sleep(30ms); });
}

}  // namespace

namespace {

// Regression: timers lived only on their P, so a goroutine that never parks kept its P's
// timers from firing (found by Mutex.AHogCannotStarveAWaiter). Now an idle worker fires
// another P's timers once they are overdue by a slack (1 ms).
TEST(Sleep, TimersOfABusyPFireElsewhere) {
  if (goro::maxprocs() < 2) GTEST_SKIP() << "needs two workers";
  goro::run([] {
    std::atomic<bool> woke{false};
    auto start = std::chrono::steady_clock::now();
    auto timeout = goro::after(5ms);  // on this goroutine's P
    goro::go([&] {                    // runnext of this P: runs here once main parks
      auto give_up = std::chrono::steady_clock::now() + 10s;
      while (!woke.load() && std::chrono::steady_clock::now() < give_up) {
      }
    });
    timeout.recv();  // parks; the hog takes this P and never parks
    woke = true;
    // Liveness bound: without the fix this waits for the hog's 10 s give-up.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the timer waited for the busy P";
  });
}

}  // namespace

// Tests for goro::blocking and sysmon's hand-off of a hog's slot: with one worker
// (GORO_MAXPROCS=1 via set_maxprocs), a goroutine blocked in a system call or spinning
// without parking must not stop the others (a ticker still ticks, a pipe's writer still
// runs, what the hog readies still runs); blocking() returns f's value or reference,
// rethrows f's exception, and just calls f on a plain thread.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "sched/hog_rule.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {
template <class F>
void run_on_one_worker(F f) {
  goro::run([&] {
    int before = goro::set_maxprocs(1);
    f();
    goro::set_maxprocs(before);
  });
}

// Spins (never parks) until stop is set, at most `bound`; true if stopped by the flag.
bool spin_until(const std::atomic<bool>& stop, clk::duration bound = 10s) {
  auto give_up = clk::now() + bound;
  while (!stop.load(std::memory_order_acquire))
    if (clk::now() > give_up) return false;
  return true;
}
}  // namespace

TEST(Blocking, OtherGoroutinesRunWhileOneBlocksItsThread) {
  run_on_one_worker([] {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::atomic<bool> inside{false};
    auto result = goro::make_chan<int>(1);
    goro::go([&] {
      int got = goro::blocking([&] {
        inside.store(true);
        pollfd pfd{fds[0], POLLIN, 0};
        if (::poll(&pfd, 1, 10000) != 1) return -1;  // 10 s: nobody wrote
        char c;
        return ::read(fds[0], &c, 1) == 1 ? int(c) : -2;
      });
      result.send(got);
    });
    // This goroutine shares the only worker with the blocked one: it runs only because
    // blocking() handed the worker's P to another thread.
    while (!inside.load()) goro::sleep(1ms);
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    EXPECT_EQ(*result.recv(), 'x');
    ::close(fds[0]);
    ::close(fds[1]);
  });
}

TEST(Blocking, ReturnsValuesAndReferencesAndRethrows) {
  goro::run([] {
    EXPECT_EQ(goro::blocking([] { return 42; }), 42);
    std::string s = "kept";
    std::string& r = goro::blocking([&]() -> std::string& { return s; });
    EXPECT_EQ(&r, &s);
    bool ran = false;
    goro::blocking([&] { ran = true; });
    EXPECT_TRUE(ran);
    EXPECT_THROW(goro::blocking([]() -> int { throw std::runtime_error("boom"); }), std::runtime_error);
    // Still a working goroutine afterwards.
    auto c = goro::make_chan<int>(1);
    goro::go([c] { c.send(7); });
    EXPECT_EQ(*c.recv(), 7);
  });
  std::thread t([] { EXPECT_EQ(goro::blocking([] { return std::string("plain"); }), "plain"); });
  t.join();
}

TEST(Sysmon, AHogDoesNotStarveATicker) {
  run_on_one_worker([] {
    std::atomic<bool> stop{false};
    auto hog_done = goro::make_chan<bool>(1);
    goro::go([&] { hog_done.send(spin_until(stop)); });
    goro::ticker t(2ms);
    for (int i = 0; i < 10; ++i) t.c().recv();
    stop.store(true, std::memory_order_release);
    EXPECT_TRUE(*hog_done.recv()) << "the ticks came only after the hog gave up";
    t.stop();
  });
}

TEST(Sysmon, WhatAHogReadiesStillRuns) {
  run_on_one_worker([] {
    std::atomic<bool> stop{false};
    auto values = goro::make_chan<int>(1000);
    auto received = goro::make_chan<int>(1);
    goro::go([&] {  // the consumer parks on every receive; the hog readies it each time
      int n = 0;
      while (n < 100 && values.recv()) ++n;
      received.send(n);
    });
    auto hog_done = goro::make_chan<bool>(1);
    goro::go([&] {
      for (int i = 0; i < 100; ++i) {
        values.send(i);  // buffered: never parks
        auto until = clk::now() + 200us;
        while (clk::now() < until) {
        }
      }
      hog_done.send(spin_until(stop));
    });
    EXPECT_EQ(*received.recv(), 100);
    stop.store(true, std::memory_order_release);
    EXPECT_TRUE(*hog_done.recv());
  });
}

// A goroutine that blocks its thread in the kernel without goro::blocking (its thread
// sleeps, using no CPU): sysmon still hands its slot on, so the goroutine that will
// release it gets to run.
TEST(Sysmon, AnUnwrappedBlockingCallDoesNotStarveTheOthers) {
  run_on_one_worker([] {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    auto woke = goro::make_chan<bool>(1);
    goro::go([&] {
      pollfd pfd{fds[0], POLLIN, 0};
      woke.send(::poll(&pfd, 1, 10000) == 1);  // blocks this worker's thread for up to 10 s
    });
    goro::go([&] {  // queued behind the blocked one on the only slot
      char c = 'x';
      EXPECT_EQ(::write(fds[1], &c, 1), 1);
    });
    EXPECT_TRUE(*woke.recv()) << "the writer ran only after the blocked call gave up";
    close(fds[0]);
    close(fds[1]);
  });
}

// The rule itself (sched/hog_rule.hpp): wall time without CPU time is not a hog.
TEST(Sysmon, HogRuleWantsCpuTimeOrASleepingThread) {
  auto state = [](char c) { return [c] { return c; }; };
  EXPECT_FALSE(goro::detail::should_retake(0, state('R')));  // runnable, not running: wait
  EXPECT_FALSE(goro::detail::should_retake(goro::detail::kHogCpuNs - 1, state('R')));
  EXPECT_TRUE(goro::detail::should_retake(goro::detail::kHogCpuNs, state('R')));  // a real hog
  EXPECT_TRUE(goro::detail::should_retake(0, state('S')));   // asleep in a blocking call
  EXPECT_TRUE(goro::detail::should_retake(0, state('D')));
  EXPECT_TRUE(goro::detail::should_retake(-1, state('?')));  // no CPU clock: wall time decides
  EXPECT_TRUE(goro::detail::should_retake(0, state('?')));   // no /proc: as before
}

// A P whose slot was handed off gives its cached stacks to the shared pool when its
// worker retires (scheduler::release_caches): spare threads do not sit on memory that
// the scavenger could return.
TEST(Sysmon, ADetachedPGivesBackItsCachedStacks) {
  run_on_one_worker([] {
    goro::wait_group started, wg;
    started.add(40);
    wg.add(40);
    auto gate = goro::make_chan<goro::unit>();
    for (int i = 0; i < 40; ++i)  // alive at once: 40 stacks, back in this P's cache at exit
      goro::go([&, gate] {
        started.done();
        gate.recv();
        wg.done();
      });
    started.wait();
    gate.close();
    wg.wait();
    const std::size_t pooled_before = goro::stats().stacks_pooled;
    std::atomic<bool> stop{false};
    auto hog_done = goro::make_chan<bool>(1);
    goro::go([&] { hog_done.send(spin_until(stop)); });
    goro::sleep(20ms);  // runs again only once sysmon has handed the hog's slot on
    stop.store(true, std::memory_order_release);
    EXPECT_TRUE(*hog_done.recv());
    // The hog's worker retires at its next scheduling point.
    auto give_up = clk::now() + 10s;
    while (goro::stats().stacks_pooled < pooled_before + 16 && clk::now() < give_up) goro::sleep(1ms);
    auto st = goro::stats();
    EXPECT_GE(st.stacks_pooled, pooled_before + 16)
        << "hog hand-offs " << st.hog_handoffs << ", stacks in use " << st.stacks_in_use << ", threads " << st.threads;
  });
}

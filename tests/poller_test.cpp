// White-box tests of the network poller's wake-up (src/net/poller.cpp): a break_poll()
// must make the poll blocked in another thread return, however many non-blocking polls
// (busy workers, sysmon) run meanwhile. A non-blocking poll that consumed the wake-up
// meant for the blocked poller left that worker asleep in epoll_wait while the scheduler
// counted it as spinning: a whole-runtime stall.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "net/poller.hpp"
#include "support/scale.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

// One thread blocks in poll() in a loop, another polls without blocking as fast as it
// can, and this thread breaks the blocked poll N times; each break must end a blocking
// poll within a bound far above scheduling noise (the blocker's own timeout is longer
// still, so a lost wake-up shows as a miss, not as a hang).
TEST(Poller, NonBlockingPollsNeverSwallowTheBlockedPollersWakeUp) {
  goro::detail::poller& pl = goro::detail::poller::get();
  std::atomic<bool> stop{false};
  std::atomic<long> blocking_returns{0};
  std::atomic<bool> in_blocking_poll{false};
  std::thread blocker([&] {
    while (!stop.load()) {
      in_blocking_poll.store(true);
      pl.poll(std::chrono::nanoseconds(3s).count());
      in_blocking_poll.store(false);
      blocking_returns.fetch_add(1);
    }
  });
  std::thread busy([&] {
    while (!stop.load()) pl.poll(0);
  });
  const int rounds = static_cast<int>(goro::test::scaled(400, 4));
  int missed = 0;
  for (int i = 0; i < rounds && missed == 0; ++i) {
    // Wait until the blocker is (about to be) in epoll_wait again.
    auto give_up = clk::now() + 5s;
    while (!in_blocking_poll.load() && clk::now() < give_up) std::this_thread::yield();
    long before = blocking_returns.load();
    pl.break_poll();
    auto deadline = clk::now() + 1s;
    while (blocking_returns.load() == before && clk::now() < deadline) std::this_thread::yield();
    if (blocking_returns.load() == before) ++missed;
  }
  stop.store(true);
  pl.break_poll();
  busy.join();
  blocker.join();
  EXPECT_EQ(missed, 0) << "a break_poll() did not end the blocked poll within 1 s";
}

}  // namespace

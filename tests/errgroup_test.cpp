// Tests for goro::errgroup: joins every goroutine, rethrows the first exception, limits,
// try_go, set_limit misuse, moves, and a group dropped without wait().
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

namespace {

TEST(Errgroup, WaitJoinsEveryGoroutine) {
  goro::run([] {
    goro::errgroup g;
    std::atomic<int> n{0};
    for (int i = 0; i < 50; ++i)
      g.go([&] {
        goro::sleep(1ms);
        n.fetch_add(1);
      });
    g.wait();
    EXPECT_EQ(n.load(), 50);
  });
}

TEST(Errgroup, RethrowsTheFirstExceptionAfterJoiningAll) {
  goro::run([] {
    goro::errgroup g;
    std::atomic<int> finished{0};
    g.go([] { throw std::runtime_error("first"); });
    for (int i = 0; i < 10; ++i)
      g.go([&] {
        goro::sleep(2ms);
        finished.fetch_add(1);
      });
    try {
      g.wait();
      FAIL() << "wait() must rethrow";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
    EXPECT_EQ(finished.load(), 10);  // the others still ran to the end
    EXPECT_THROW(g.wait(), std::runtime_error);  // the error stays
  });
}

TEST(Errgroup, LimitBoundsActiveGoroutinesAndTryGo) {
  goro::run([] {
    goro::errgroup g;
    g.set_limit(2);
    std::atomic<int> inside{0}, max_inside{0};
    auto body = [&] {
      int now = inside.fetch_add(1) + 1;
      int prev = max_inside.load();
      while (now > prev && !max_inside.compare_exchange_weak(prev, now)) {
      }
      goro::sleep(2ms);
      inside.fetch_sub(1);
    };
    for (int i = 0; i < 10; ++i) g.go(body);  // waits for a slot past two
    g.wait();
    EXPECT_EQ(max_inside.load(), 2);
    auto gate = goro::make_chan<goro::unit>();
    EXPECT_TRUE(g.try_go([gate] { gate.recv(); }));
    EXPECT_TRUE(g.try_go([gate] { gate.recv(); }));
    EXPECT_FALSE(g.try_go([] { ADD_FAILURE() << "must not start"; }));
    EXPECT_THROW(g.set_limit(5), goro::panic);  // goroutines still active
    gate.close();
    g.wait();
    g.set_limit(-1);  // no limit, once idle
  });
}

TEST(Errgroup, MovableAndSafeWhenDroppedWithoutWait) {
  goro::run([] {
    goro::wait_group done;
    done.add(1);
    {
      goro::errgroup a;
      goro::errgroup b = std::move(a);
      b.go([&] {
        goro::sleep(2ms);
        done.done();
      });
    }  // dropped while its goroutine runs: the goroutine keeps the state alive
    done.wait();
  });
}

}  // namespace

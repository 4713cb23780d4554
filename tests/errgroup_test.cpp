// Tests for goro::errgroup: joins every goroutine, rethrows the first exception (wait())
// or returns it (wait_error(), with with_context's cancellation), limits, try_go,
// set_limit misuse, moves, a group dropped without wait(), and Go's closer-goroutine
// idiom. That go()/try_go() refuse a function returning a value is checked by
// compile_fail/errgroup_non_void.cpp.
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

TEST(Errgroup, WaitErrorReturnsTheFirstExceptionWithoutThrowing) {
  goro::run([] {
    goro::errgroup fine;
    fine.go([] {});
    EXPECT_EQ(fine.wait_error(), nullptr);

    auto [g, ctx] = goro::errgroup::with_context(goro::background());
    g.go([] { throw std::runtime_error("first"); });
    g.go([ctx = ctx] { ctx.done().recv(); });  // ends because the error cancels ctx
    std::exception_ptr e = g.wait_error();
    ASSERT_NE(e, nullptr);
    try {
      std::rethrow_exception(e);
    } catch (const std::runtime_error& x) {
      EXPECT_STREQ(x.what(), "first");
    }
    EXPECT_EQ(ctx.err(), goro::errc::canceled);
    EXPECT_EQ(g.wait_error(), e);  // the error stays
    EXPECT_THROW(g.wait(), std::runtime_error);

    auto [quiet, quiet_ctx] = goro::errgroup::with_context(goro::background());
    quiet.go([] {});
    EXPECT_EQ(quiet.wait_error(), nullptr);
    EXPECT_EQ(quiet_ctx.err(), goro::errc::canceled);  // cancelled when the wait returns
  });
}

// Go's `go func() { err = g.Wait(); close(results) }()`, then `for r := range results`
// and a look at err. The closer uses wait_error(): wait() would rethrow inside that
// goroutine, a panic that ends the process with status 2.
TEST(Errgroup, CloserGoroutineTakesTheErrorWithWaitError) {
  goro::run([] {
    goro::errgroup g;
    auto results = goro::make_chan<int>();
    for (int i = 0; i < 8; ++i)
      g.go([i, results] {
        if (i == 3) throw std::runtime_error("worker 3 failed");
        results.send(i * i);
      });
    std::exception_ptr err;
    goro::go([&g, &err, results] {
      err = g.wait_error();
      results.close();  // after the write: main reads err once the range ends
    });
    int received = 0, sum = 0;
    for (int r : results) {
      ++received;
      sum += r;
    }
    EXPECT_EQ(received, 7);
    EXPECT_EQ(sum, 0 + 1 + 4 + 16 + 25 + 36 + 49);
    ASSERT_NE(err, nullptr);
    try {
      std::rethrow_exception(err);
    } catch (const std::runtime_error& x) {
      EXPECT_STREQ(x.what(), "worker 3 failed");
    }
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

// Tests for goro::semaphore: counting, try_acquire, FIFO with weights (a large request
// at the head holds back later small ones), bounded concurrency, plain threads, misuse.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;

namespace {

TEST(Semaphore, CountsUnits) {
  goro::semaphore s(3);
  EXPECT_TRUE(s.try_acquire(2));
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  s.release(3);
  EXPECT_TRUE(s.try_acquire(3));
  s.release(3);
  s.acquire(3);  // does not block: all free
  s.release(3);
}

TEST(Semaphore, ALargeRequestAtTheHeadHoldsBackSmallOnes) {
  goro::run([] {
    goro::semaphore s(10);
    s.acquire(8);
    std::atomic<int> big_in{0}, small_in{0};
    goro::wait_group done;
    done.add(2);
    goro::go([&] {
      s.acquire(5);  // 2 free: waits
      big_in = 1;
      done.done();
    });
    while (s.try_acquire(0)) {  // until the big waiter is queued (try_acquire fails behind it)
      goro::yield();
    }
    goro::go([&] {
      s.acquire(1);  // would fit (2 free) but queues behind the big request
      small_in = 1;
      done.done();
    });
    for (int i = 0; i < 50; ++i) goro::yield();
    EXPECT_EQ(big_in.load(), 0);
    EXPECT_EQ(small_in.load(), 0);
    EXPECT_FALSE(s.try_acquire(1));  // no barging past the queue either
    s.release(8);  // 10 free: both fit, in order
    done.wait();
    EXPECT_EQ(big_in.load(), 1);
    EXPECT_EQ(small_in.load(), 1);
    s.release(6);
    EXPECT_TRUE(s.try_acquire(10));
  });
}

TEST(Semaphore, BoundsConcurrency) {
  goro::run([] {
    goro::semaphore s(3);
    std::atomic<int> inside{0}, max_inside{0};
    goro::wait_group wg;
    wg.add(30);
    for (int i = 0; i < 30; ++i)
      goro::go([&] {
        s.acquire();
        int now = inside.fetch_add(1) + 1;
        int prev = max_inside.load();
        while (now > prev && !max_inside.compare_exchange_weak(prev, now)) {
        }
        goro::sleep(1ms);
        inside.fetch_sub(1);
        s.release();
        wg.done();
      });
    wg.wait();
    EXPECT_LE(max_inside.load(), 3);
    EXPECT_GE(max_inside.load(), 2);  // they did run concurrently
  });
}

TEST(Semaphore, PlainThreadsAcquireAndRelease) {
  goro::semaphore s(1);
  s.acquire();
  std::thread t([&] {
    s.acquire();  // blocks this thread until the goroutine releases
    s.release();
  });
  goro::run([&] {
    goro::sleep(2ms);
    s.release();
  });
  t.join();
  EXPECT_TRUE(s.try_acquire());
}

TEST(Semaphore, Misuse) {
  goro::semaphore s(2);
  EXPECT_THROW(s.acquire(3), std::invalid_argument);  // could never succeed
  EXPECT_FALSE(s.try_acquire(3));
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        goro::semaphore t(2);
        t.release();
      },
      ::testing::ExitedWithCode(2), "fatal error: semaphore: released more than held");
}

}  // namespace

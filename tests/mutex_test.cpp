// Tests for goro::mutex: exclusion, standard lock adaptors, try_lock, parking instead of
// blocking the worker, unlock by another goroutine, plain threads, the starvation bound
// (Go's TestMutexFairness, with its 10 s liveness bound), and unlock of an unlocked
// mutex being fatal.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

TEST(Mutex, ExcludesAcrossGoroutinesAndThreads) {
  goro::mutex m;
  long counter = 0;  // deliberately not atomic: the mutex is the only protection
  constexpr int kGoroutines = 16, kThreads = 2, kIters = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) {
        std::lock_guard lk(m);
        ++counter;
      }
    });
  goro::run([&] {
    goro::wait_group wg;
    wg.add(kGoroutines);
    for (int g = 0; g < kGoroutines; ++g)
      goro::go([&] {
        for (int i = 0; i < kIters; ++i) {
          std::unique_lock lk(m);
          ++counter;
          if (i % 100 == 0) {
            lk.unlock();
            goro::yield();
          }
        }
        wg.done();
      });
    wg.wait();
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, long(kGoroutines + kThreads) * kIters);
}

TEST(Mutex, TryLock) {
  goro::mutex m;
  EXPECT_TRUE(m.try_lock());
  EXPECT_FALSE(m.try_lock());
  m.unlock();
  goro::mutex a, b;
  { std::scoped_lock both(a, b); EXPECT_FALSE(a.try_lock()); EXPECT_FALSE(b.try_lock()); }
  EXPECT_TRUE(a.try_lock());
  a.unlock();
}

TEST(Mutex, AWaiterParksAndLeavesTheWorkerFree) {
  int old = goro::set_maxprocs(1);
  goro::run([] {
    goro::mutex m;
    std::atomic<bool> other_ran{false};
    bool waiter_saw_other = false;
    goro::wait_group wg;
    wg.add(2);
    m.lock();
    goro::go([&] {
      m.lock();  // parks: main holds it
      waiter_saw_other = other_ran.load();
      m.unlock();
      wg.done();
    });
    goro::yield();  // let the waiter park
    goro::go([&] {
      other_ran = true;  // runs on the one worker while the waiter is parked
      wg.done();
    });
    goro::sleep(5ms);
    m.unlock();
    wg.wait();
    EXPECT_TRUE(waiter_saw_other);
  });
  goro::set_maxprocs(old);
}

TEST(Mutex, MayBeUnlockedByAnotherGoroutine) {
  goro::run([] {
    goro::mutex m;
    m.lock();
    goro::wait_group wg;
    wg.add(1);
    goro::go([&] {
      m.unlock();
      wg.done();
    });
    wg.wait();
    EXPECT_TRUE(m.try_lock());
    m.unlock();
  });
}

// A goroutine that takes and releases the lock in a tight loop cannot keep a waiter
// out: once the waiter has waited 1 ms, unlock hands the lock to it.
TEST(Mutex, AHogCannotStarveAWaiter) {
  goro::run([] {
    goro::mutex m;
    auto stop = goro::make_chan<goro::unit>();
    auto done = goro::make_chan<goro::unit>(1);
    goro::wait_group hog_exited;  // m must outlive the hog
    hog_exited.add(1);
    goro::go([&] {
      for (;;) {
        m.lock();
        auto t = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - t < 100us) {
        }
        m.unlock();
        if (goro::select(goro::recv_case(stop), goro::default_case()) == 0) break;
      }
      hog_exited.done();
    });
    goro::go([&] {
      for (int i = 0; i < 10; ++i) {
        goro::sleep(100us);
        m.lock();
        m.unlock();
      }
      done.send({});
    });
    std::size_t which = goro::select(goro::recv_case(done), goro::recv_case(goro::after(10s)));
    stop.close();
    hog_exited.wait();
    EXPECT_EQ(which, 0u) << "the waiter could not lock the mutex 10 times in 10 s";
  });
}

TEST(Mutex, ManyWaitersAllGetTheLock) {
  goro::run([] {
    goro::mutex m;
    m.lock();
    std::atomic<int> got{0};
    goro::wait_group wg;
    wg.add(100);
    for (int i = 0; i < 100; ++i)
      goro::go([&] {
        std::lock_guard lk(m);
        got.fetch_add(1);
        wg.done();
      });
    for (int i = 0; i < 10; ++i) goro::yield();
    m.unlock();
    wg.wait();
    EXPECT_EQ(got.load(), 100);
  });
}

TEST(Mutex, UnlockOfUnlockedIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(goro::run([] {
                goro::mutex m;
                m.unlock();
              }),
              ::testing::ExitedWithCode(2), "fatal error: sync: unlock of unlocked mutex");
  EXPECT_EXIT(
      {
        goro::mutex m;
        m.lock();
        m.unlock();
        m.unlock();  // from a plain thread too
      },
      ::testing::ExitedWithCode(2), "fatal error: sync: unlock of unlocked mutex");
}

TEST(Once, RunsOnceForConcurrentCallersWhoAllSeeItsEffect) {
  goro::once o;
  std::atomic<int> runs{0};
  int value = 0;
  std::atomic<int> saw{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(50);
    for (int i = 0; i < 50; ++i)
      goro::go([&] {
        o.call([&] {
          runs.fetch_add(1);
          goro::sleep(2ms);  // the others wait meanwhile
          value = 42;
        });
        if (value == 42) saw.fetch_add(1);
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(saw.load(), 50);
  EXPECT_TRUE(o.done());
}

TEST(Once, AThrowingCallStillCountsAsDone) {
  goro::once o;
  int runs = 0;
  EXPECT_THROW(o.call([&] {
                 ++runs;
                 throw std::runtime_error("init failed");
               }),
               std::runtime_error);
  o.call([&] { ++runs; });  // not run again
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(o.done());
}

}  // namespace

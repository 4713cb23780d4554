// Tests for goro::condition_variable: wait/notify with no spurious wake-ups, FIFO
// notify_one, notify_all generations, timed waits (timeout and notified), predicates,
// and plain threads.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

TEST(ConditionVariable, WaitsUntilNotified) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    bool ready = false;
    goro::go([&] {
      goro::sleep(2ms);
      std::lock_guard lk(m);
      ready = true;
      cv.notify_one();
    });
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return ready; });
    EXPECT_TRUE(ready);
    EXPECT_TRUE(lk.owns_lock());
  });
}

TEST(ConditionVariable, NotifyOneWakesTheLongestWaiterFirst) {
  int old = goro::set_maxprocs(1);
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    std::vector<int> order;
    goro::wait_group waiting, done;
    done.add(3);
    for (int i = 0; i < 3; ++i) {
      waiting.add(1);
      goro::go([&, i] {
        std::unique_lock lk(m);
        waiting.done();
        cv.wait(lk);
        order.push_back(i);
        done.done();
      });
      waiting.wait();  // goroutine i is queued before i + 1 starts
      std::lock_guard lk(m);  // and has released the mutex inside wait
    }
    // Wake one at a time and let it record itself before the next notify (woken
    // goroutines may run in another order than they were woken).
    for (std::size_t k = 1; k <= 3; ++k) {
      {
        std::lock_guard lk(m);
        cv.notify_one();
      }
      for (;;) {
        {
          std::lock_guard lk(m);
          if (order.size() == k) break;
        }
        goro::yield();
      }
    }
    done.wait();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  });
  goro::set_maxprocs(old);
}

TEST(ConditionVariable, NoSpuriousWakeups) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    std::atomic<int> woke{0};
    goro::wait_group in_wait, done;
    in_wait.add(1);
    done.add(1);
    goro::go([&] {
      std::unique_lock lk(m);
      in_wait.done();
      cv.wait(lk);  // a plain wait, no predicate: returns only when notified
      woke.fetch_add(1);
      done.done();
    });
    in_wait.wait();
    for (int i = 0; i < 100; ++i) goro::yield();
    goro::sleep(10ms);
    EXPECT_EQ(woke.load(), 0);
    {
      std::lock_guard lk(m);
      cv.notify_one();
    }
    done.wait();
    EXPECT_EQ(woke.load(), 1);
  });
}

TEST(ConditionVariable, NotifyAllWakesEveryCurrentWaiter) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    int generation = 0;
    int waiting = 0;  // goroutines inside cv.wait (counted under m, so m's holder knows)
    std::atomic<int> woke{0};
    goro::wait_group done;
    done.add(20);
    for (int i = 0; i < 20; ++i)
      goro::go([&] {
        std::unique_lock lk(m);
        int g = generation;
        ++waiting;
        cv.wait(lk, [&] { return generation != g; });
        woke.fetch_add(1);
        done.done();
      });
    // Every waiter has released m inside wait once waiting reads 20 under m. (A sleep
    // stood here: a goroutine that started after the notify waited forever, and TSan's
    // slower run reported the deadlock.)
    for (;;) {
      {
        std::lock_guard lk(m);
        if (waiting == 20) {
          ++generation;
          cv.notify_all();
          break;
        }
      }
      goro::yield();
    }
    done.wait();
    EXPECT_EQ(woke.load(), 20);
  });
}

// Generations: notify_all wakes exactly the waiters queued before it; a goroutine that
// starts waiting after it stays blocked until the next notify (no spurious wake-ups).
TEST(ConditionVariable, NotifyAllWakesOnlyItsGeneration) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    int waiting = 0;
    std::atomic<int> woke{0};
    goro::wait_group first, late;
    first.add(5);
    late.add(1);
    auto waiter = [&](goro::wait_group& wg) {
      std::unique_lock lk(m);
      ++waiting;
      cv.wait(lk);  // no predicate: every return is a real notify
      woke.fetch_add(1);
      wg.done();
    };
    for (int i = 0; i < 5; ++i) goro::go([&] { waiter(first); });
    // Holding m with waiting == 5 means all five released it inside wait(): queued.
    for (;;) {
      std::unique_lock lk(m);
      if (waiting == 5) {
        cv.notify_all();
        break;
      }
      lk.unlock();
      goro::yield();
    }
    goro::go([&] { waiter(late); });
    first.wait();
    for (;;) {  // the late one is queued once it has released m inside wait()
      std::unique_lock lk(m);
      if (waiting == 6) break;
      lk.unlock();
      goro::yield();
    }
    EXPECT_EQ(woke.load(), 5) << "notify_all woke a waiter of the next generation";
    {
      std::lock_guard lk(m);
      cv.notify_one();
    }
    late.wait();
    EXPECT_EQ(woke.load(), 6);
  });
}

TEST(ConditionVariable, TimedWaitTimesOutAndReportsIt) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    std::unique_lock lk(m);
    auto t = std::chrono::steady_clock::now();
    EXPECT_EQ(cv.wait_for(lk, 10ms), std::cv_status::timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - t, 10ms);
    EXPECT_TRUE(lk.owns_lock());
    EXPECT_FALSE(cv.wait_for(lk, 1ms, [] { return false; }));
    EXPECT_TRUE(cv.wait_until(lk, std::chrono::steady_clock::now() + 1h, [] { return true; }));
  });
}

TEST(ConditionVariable, TimedWaitNotifiedBeforeTheDeadline) {
  goro::run([] {
    goro::mutex m;
    goro::condition_variable cv;
    bool flag = false;
    goro::go([&] {
      goro::sleep(2ms);
      std::lock_guard lk(m);
      flag = true;
      cv.notify_all();
    });
    std::unique_lock lk(m);
    EXPECT_TRUE(cv.wait_for(lk, 10s, [&] { return flag; }));
  });
}

TEST(ConditionVariable, PlainThreadsWaitAndNotify) {
  goro::mutex m;
  goro::condition_variable cv;
  bool ready = false;
  std::thread t([&] {
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return ready; });  // blocks this thread only
  });
  goro::run([&] {
    goro::sleep(2ms);
    std::lock_guard lk(m);
    ready = true;
    cv.notify_one();
  });
  t.join();
  std::unique_lock lk(m);
  EXPECT_EQ(cv.wait_for(lk, 5ms), std::cv_status::timeout);  // a plain thread's timed wait
}

}  // namespace

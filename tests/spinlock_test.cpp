// Tests for detail::spinlock, the lock inside channels and the sync types: mutual
// exclusion under contention from more threads than cores, try_lock, and a waiter that
// has backed off all the way (to yielding) still getting the lock once it is released.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "goro/detail/spinlock.hpp"
#include "support/scale.hpp"

namespace {

using goro::detail::spinlock;

TEST(Spinlock, ExcludesUnderContention) {
  // A plain counter, incremented under the lock by more threads than there are cores:
  // the total is exact only if no two sections overlapped (and TSan checks the order).
  spinlock lock;
  long counter = 0;
  const long per_thread = goro::test::scaled(200000, 20);
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (long i = 0; i < per_thread; ++i) {
        lock.lock();
        ++counter;
        lock.unlock();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, kThreads * per_thread);
}

TEST(Spinlock, TryLockFailsWhileHeldAndSucceedsAfter) {
  spinlock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock());
  std::thread([&] { EXPECT_FALSE(lock.try_lock()); }).join();
  lock.unlock();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(Spinlock, AWaiterThatBackedOffToYieldingStillGetsTheLock) {
  // The holder keeps the lock well past the waiter's whole backoff (1 + 2 + ... + 64
  // pauses, then yields); the waiter must take it as soon as it is free, and see what
  // the holder wrote under it.
  spinlock lock;
  lock.lock();
  long guarded = 0;
  std::atomic<bool> waiting{false}, acquired{false};
  std::thread waiter([&] {
    waiting.store(true);
    lock.lock();
    acquired.store(true);
    EXPECT_EQ(guarded, 42);
    lock.unlock();
  });
  while (!waiting.load()) std::this_thread::yield();
  // Hold it for 20 ms of wall time (not a synchronization: the waiter is already on its
  // way into lock(), and this only makes sure it gets deep into the backoff).
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  while (std::chrono::steady_clock::now() < until) {
  }
  EXPECT_FALSE(acquired.load());
  guarded = 42;
  lock.unlock();
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

}  // namespace

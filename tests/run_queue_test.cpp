// Tests for the local run queue: FIFO order, capacity, stealing half, and a concurrent
// owner-vs-thieves run in which every goroutine is taken exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sched/run_queue.hpp"

namespace {
using goro::detail::goroutine;
using goro::detail::run_queue;

TEST(RunQueue, FifoAndCapacity) {
  run_queue q;
  std::vector<goroutine> g(run_queue::kCapacity + 1);
  for (std::uint32_t i = 0; i < run_queue::kCapacity; ++i) EXPECT_TRUE(q.push(&g[i]));
  EXPECT_FALSE(q.push(&g[run_queue::kCapacity]));
  for (std::uint32_t i = 0; i < run_queue::kCapacity; ++i) EXPECT_EQ(q.pop(), &g[i]);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.empty());
}

TEST(RunQueue, StealTakesHalf) {
  run_queue victim, thief;
  std::vector<goroutine> g(10);
  for (auto& x : g) victim.push(&x);
  goroutine* first = victim.steal_into(thief);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(thief.size() + 1 + victim.size(), 10u);
  EXPECT_EQ(thief.size() + 1, 5u);
  EXPECT_EQ(victim.pop(), &g[5]);  // the thief took the oldest half
}

TEST(RunQueue, TakeHalfForSpilling) {
  run_queue q;
  std::vector<goroutine> g(8);
  for (auto& x : g) q.push(&x);
  goroutine* out[8];
  EXPECT_EQ(q.take_half(out), 4u);
  EXPECT_EQ(out[0], &g[0]);
  EXPECT_EQ(q.size(), 4u);
}

TEST(RunQueue, ConcurrentOwnerAndThievesTakeEachOnce) {
  constexpr int kTotal = 200000;
  std::vector<goroutine> g(kTotal);
  std::vector<std::atomic<int>> taken(kTotal);
  run_queue owner_q;
  std::atomic<bool> done{false};
  auto index = [&](goroutine* x) { return static_cast<std::size_t>(x - g.data()); };
  std::vector<std::thread> thieves;
  for (int t = 0; t < 2; ++t)
    thieves.emplace_back([&] {
      run_queue mine;
      while (!done.load()) {
        if (goroutine* x = owner_q.steal_into(mine)) {
          taken[index(x)].fetch_add(1);
          while (goroutine* y = mine.pop()) taken[index(y)].fetch_add(1);
        }
      }
    });
  int pushed = 0;
  while (pushed < kTotal) {
    if (owner_q.push(&g[pushed])) ++pushed;
    if (pushed % 3 == 0)
      if (goroutine* x = owner_q.pop()) taken[index(x)].fetch_add(1);
  }
  while (goroutine* x = owner_q.pop()) taken[index(x)].fetch_add(1);
  // Thieves may still hold a batch: let them finish.
  for (;;) {
    int sum = 0;
    for (auto& t : taken) sum += t.load();
    if (sum >= kTotal) break;
    std::this_thread::yield();
  }
  done = true;
  for (auto& t : thieves) t.join();
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(taken[i].load(), 1) << i;
}

}  // namespace

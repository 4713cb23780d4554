// Tests for a P's timer heap: order, removal, the published earliest deadline, and the
// claims that keep adds from allocating (every add below is covered by a claim, as in
// the runtime).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "sched/timer_heap.hpp"

namespace {
using goro::detail::timer_entry;
using goro::detail::timer_heap;
using goro::detail::platform::kNever;

TEST(TimerHeap, PopsInDeadlineOrder) {
  timer_heap h;
  std::vector<timer_entry> e(1000);
  std::mt19937 rng(7);
  for (auto& t : e) {
    t.when_ns = rng() % 100000;
    h.claim();
    h.add(&t);
  }
  EXPECT_EQ(h.size(), 1000u);
  std::int64_t last = -1;
  int n = 0;
  while (timer_entry* t = h.pop_due(kNever - 1).entry) {
    EXPECT_GE(t->when_ns, last);
    last = t->when_ns;
    EXPECT_EQ(t->heap_index, -1);
    ++n;
  }
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(h.next_deadline(), kNever);
}

TEST(TimerHeap, PopDueLeavesFutureTimers) {
  timer_heap h;
  timer_entry a, b;
  a.when_ns = 10;
  b.when_ns = 20;
  h.claim();
  h.claim();
  EXPECT_TRUE(h.add(&b));
  EXPECT_TRUE(h.add(&a));  // a becomes the earliest
  EXPECT_EQ(h.next_deadline(), 10);
  EXPECT_EQ(h.pop_due(5).entry, nullptr);
  EXPECT_EQ(h.pop_due(15).entry, &a);
  EXPECT_EQ(h.pop_due(15).entry, nullptr);
  EXPECT_EQ(h.next_deadline(), 20);
}

TEST(TimerHeap, RemoveTellsWhetherPending) {
  timer_heap h;
  std::vector<timer_entry> e(100);
  for (int i = 0; i < 100; ++i) {
    e[i].when_ns = (i * 37) % 100;
    h.claim();
    h.add(&e[i]);
  }
  for (int i = 0; i < 100; i += 2) EXPECT_TRUE(h.remove(&e[i]));
  for (int i = 0; i < 100; i += 2) EXPECT_FALSE(h.remove(&e[i]));
  std::vector<std::int64_t> rest;
  while (timer_entry* t = h.pop_due(1000).entry) rest.push_back(t->when_ns);
  EXPECT_EQ(rest.size(), 50u);
  EXPECT_TRUE(std::is_sorted(rest.begin(), rest.end()));
}

TEST(TimerHeap, SleeperSlotsPopInOrderWithEntries) {
  timer_heap h;
  alignas(64) static unsigned char fake_goroutines[4][64];  // only their addresses matter
  auto g = [&](int i) { return reinterpret_cast<goro::detail::goroutine*>(fake_goroutines[i]); };
  timer_entry a, b;
  a.when_ns = 20;
  b.when_ns = 40;
  for (int i = 0; i < 4; ++i) h.claim();
  h.add(&a);
  h.add(&b);
  EXPECT_TRUE(h.add_sleeper(10, g(0)));
  EXPECT_FALSE(h.add_sleeper(30, g(1)));
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.pop_due(100).sleeper, g(0));
  EXPECT_EQ(h.pop_due(100).entry, &a);
  goro::detail::due_timer d = h.pop_due(100);
  EXPECT_EQ(d.sleeper, g(1));
  EXPECT_EQ(d.entry, nullptr);
  EXPECT_TRUE(h.remove(&b));
  EXPECT_FALSE(h.pop_due(100));
  EXPECT_EQ(h.claimed(), 2u);  // the sleepers' claims were spent by their pops
}

// Claims grow the heap; adds and re-adds within them never do, however often they come.
TEST(TimerHeap, AddsStayWithinTheClaims) {
  timer_heap h;
  std::vector<timer_entry> e(300);
  for (std::size_t i = 0; i < e.size(); ++i) h.claim();
  const std::size_t capacity = h.capacity();
  EXPECT_GE(capacity, e.size());
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < e.size(); ++i) {
      e[i].when_ns = static_cast<std::int64_t>((i * 7919) % 1000);
      h.add(&e[i]);
    }
    while (h.pop_due(kNever - 1)) {
    }
  }
  EXPECT_EQ(h.capacity(), capacity);
  for (std::size_t i = 0; i < e.size(); ++i) h.unclaim();
  EXPECT_EQ(h.claimed(), 0u);
}

// Seeded model check: random adds, removes and pops of entries and of sleeper slots
// (fire-only) against a sorted multiset; the heap pops in deadline order and remove()
// reports exactly the pending entries.
TEST(TimerHeap, MatchesAModelUnderRandomOperations) {
  timer_heap h;
  std::mt19937 rng(2026);
  std::vector<timer_entry> e(4000);
  std::vector<std::uint64_t> tokens(e.size());  // addresses that stand for sleeping goroutines
  auto sleeper = [&](std::size_t i) { return reinterpret_cast<goro::detail::goroutine*>(&tokens[i]); };
  auto is_sleeper = [](std::size_t i) { return i % 3 == 0; };
  std::vector<bool> pending(e.size(), false);
  std::vector<bool> claimed(e.size(), false);  // an entry claims once, a sleeper per add
  std::multiset<std::int64_t> model;
  for (int step = 0; step < 200000; ++step) {
    std::size_t i = rng() % e.size();
    switch (rng() % 3) {
      case 0:
        if (!pending[i]) {
          e[i].when_ns = rng() % 100000;
          if (is_sleeper(i) || !claimed[i]) h.claim();
          claimed[i] = !is_sleeper(i);
          if (is_sleeper(i)) h.add_sleeper(e[i].when_ns, sleeper(i));
          else h.add(&e[i]);
          pending[i] = true;
          model.insert(e[i].when_ns);
        }
        break;
      case 1:
        if (!is_sleeper(i)) {
          bool was = h.remove(&e[i]);
          ASSERT_EQ(was, pending[i]);
          if (was) {
            model.erase(model.find(e[i].when_ns));
            pending[i] = false;
          }
        }
        break;
      case 2: {
        std::int64_t now = rng() % 100000;
        goro::detail::due_timer d = h.pop_due(now);
        if (model.empty() || *model.begin() > now) {
          ASSERT_FALSE(d);
        } else {
          ASSERT_TRUE(d);
          std::size_t k = d.entry ? static_cast<std::size_t>(d.entry - e.data())
                                  : static_cast<std::size_t>(reinterpret_cast<std::uint64_t*>(d.sleeper) - tokens.data());
          ASSERT_EQ(e[k].when_ns, *model.begin());
          model.erase(model.begin());
          pending[k] = false;
        }
        break;
      }
    }
    ASSERT_EQ(h.size(), model.size());
    ASSERT_EQ(h.next_deadline(), model.empty() ? kNever : *model.begin());
    ASSERT_LE(h.size(), h.capacity());
  }
}

}  // namespace

// Tests for goro::context: background, with_cancel, with_timeout, with_deadline,
// with_value; propagation down a tree (through value nodes), errors and their
// conditions, deadlines inherited and enforced, timers and child records released on
// cancel (counted), deep and wide trees of 10,000 nodes, done() in select and on plain
// threads, and a seeded stress of concurrent creation and cancellation.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/scale.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

bool is_done(const goro::context& c) {
  bool closed = false;
  goro::select(goro::recv_case(c.done(), [&](std::optional<goro::unit> v) { closed = !v; }),
               goro::default_case());
  return closed;
}


TEST(Context, BackgroundIsNeverDone) {
  goro::context bg = goro::background();
  EXPECT_FALSE(bg.done()) << "background's done() is a nil channel";
  EXPECT_FALSE(bg.err());
  EXPECT_FALSE(bg.deadline());
  EXPECT_EQ(bg.value<int>(1), nullptr);
  EXPECT_TRUE(bg == goro::context());
  EXPECT_TRUE(goro::todo() == bg);
}

TEST(Context, CancelClosesDoneAndSetsErr) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  EXPECT_TRUE(ctx.done());
  EXPECT_FALSE(is_done(ctx));
  EXPECT_FALSE(ctx.err());
  EXPECT_FALSE(ctx.deadline());
  cancel();
  EXPECT_TRUE(is_done(ctx));
  EXPECT_EQ(ctx.err(), goro::errc::canceled);
  EXPECT_EQ(ctx.err(), std::errc::operation_canceled);
  EXPECT_EQ(ctx.err().message(), "context canceled");
  EXPECT_STREQ(ctx.err().category().name(), "goro.context");
  cancel();  // idempotent
  EXPECT_EQ(ctx.err(), goro::errc::canceled);
  goro::cancel_func none;
  none();  // a default cancel_func does nothing
}

TEST(Context, ParentCancelReachesEveryDescendantButNotAncestors) {
  auto [root, cancel_root] = goro::with_cancel(goro::background());
  auto [mid, cancel_mid] = goro::with_cancel(root);
  goro::context val = goro::with_value(mid, std::string("k"), 1);
  auto [leaf, cancel_leaf] = goro::with_cancel(val);
  auto [other, cancel_other] = goro::with_cancel(root);
  cancel_mid();
  EXPECT_TRUE(is_done(mid));
  EXPECT_TRUE(is_done(val)) << "a value node shares its parent's done";
  EXPECT_TRUE(is_done(leaf));
  EXPECT_EQ(leaf.err(), goro::errc::canceled);
  EXPECT_FALSE(is_done(root)) << "a child's cancel must not reach its parent";
  EXPECT_FALSE(is_done(other));
  cancel_root();
  EXPECT_TRUE(is_done(other));
  cancel_leaf();
  cancel_other();
}

TEST(Context, AChildOfADoneContextStartsDone) {
  auto [p, cancel] = goro::with_timeout(goro::background(), -1s);
  EXPECT_EQ(p.err(), goro::errc::deadline_exceeded);
  auto [c, cancel_c] = goro::with_cancel(p);
  EXPECT_TRUE(is_done(c));
  EXPECT_EQ(c.err(), goro::errc::deadline_exceeded) << "the child takes its parent's error";
  EXPECT_EQ(goro::detail::context_child_count(p), 0u);
  cancel_c();
  cancel();
  EXPECT_EQ(p.err(), goro::errc::deadline_exceeded) << "cancel after done changes nothing";
}

TEST(Context, WithTimeoutEndsWithDeadlineExceeded) {
  goro::run([] {
    auto start = clk::now();
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 20ms);
    ASSERT_TRUE(ctx.deadline());
    EXPECT_GE(*ctx.deadline(), start + 20ms);
    EXPECT_LE(*ctx.deadline(), clk::now() + 20ms);
    EXPECT_FALSE(ctx.done().recv().has_value()) << "done() is closed, not sent on";
    EXPECT_GE(clk::now(), start + 20ms);
    EXPECT_EQ(ctx.err(), goro::errc::deadline_exceeded);
    EXPECT_EQ(ctx.err(), std::errc::timed_out);
    EXPECT_EQ(ctx.err().message(), "context deadline exceeded");
    cancel();
    EXPECT_EQ(ctx.err(), goro::errc::deadline_exceeded);
  });
}

TEST(Context, CancelBeforeTheDeadlineStopsTheTimer) {
  goro::run([] {
    std::size_t before = goro::stats().timers;
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 1h);
    EXPECT_EQ(goro::stats().timers, before + 1);
    cancel();
    EXPECT_EQ(ctx.err(), goro::errc::canceled);
    EXPECT_EQ(goro::stats().timers, before) << "the deadline's timer outlived the cancel";
  });
}

TEST(Context, DroppingAnUncancelledTimeoutContextStopsItsTimer) {
  goro::run([] {
    std::size_t before = goro::stats().timers;
    { auto [ctx, cancel] = goro::with_timeout(goro::background(), 1h); }
    EXPECT_EQ(goro::stats().timers, before);
  });
}

TEST(Context, APastDeadlineIsDoneAtOnce) {
  auto [ctx, cancel] = goro::with_deadline(goro::background(), clk::now() - 1ms);
  EXPECT_TRUE(is_done(ctx));
  EXPECT_EQ(ctx.err(), goro::errc::deadline_exceeded);
  cancel();
}

TEST(Context, TheEarlierDeadlineOfParentAndChildWins) {
  goro::run([] {
    auto [parent, cancel_p] = goro::with_timeout(goro::background(), 300ms);  // far past early's
    auto [late, cancel_l] = goro::with_timeout(parent, 1h);
    EXPECT_EQ(late.deadline(), parent.deadline());
    auto [early, cancel_e] = goro::with_timeout(parent, 1ms);
    EXPECT_LT(*early.deadline(), *parent.deadline());
    early.done().recv();
    EXPECT_EQ(early.err(), goro::errc::deadline_exceeded);
    EXPECT_FALSE(parent.err());
    late.done().recv();  // ends with the parent's deadline
    EXPECT_EQ(late.err(), goro::errc::deadline_exceeded);
    EXPECT_EQ(parent.err(), goro::errc::deadline_exceeded);
    cancel_e();
    cancel_l();
    cancel_p();
    // A huge timeout means no deadline at all.
    auto [forever, cancel_f] = goro::with_timeout(goro::background(), std::chrono::hours::max());
    EXPECT_FALSE(forever.deadline());
    cancel_f();
  });
}

TEST(Context, ValuesNearestWinsByTypeAndValue) {
  struct key_t {
    int id;
    bool operator==(const key_t&) const = default;
  };
  goro::context a = goro::with_value(goro::background(), std::string("user"), std::string("ann"));
  goro::context b = goro::with_value(a, key_t{1}, 42);
  auto [c, cancel] = goro::with_cancel(b);
  goro::context d = goro::with_value(c, std::string("user"), std::string("bob"));
  ASSERT_NE(d.value<std::string>(std::string("user")), nullptr);
  EXPECT_EQ(*d.value<std::string>(std::string("user")), "bob") << "the nearest value wins";
  EXPECT_EQ(*c.value<std::string>(std::string("user")), "ann");
  ASSERT_NE(d.value<int>(key_t{1}), nullptr) << "found through a cancel node";
  EXPECT_EQ(*d.value<int>(key_t{1}), 42);
  EXPECT_EQ(d.value<int>(key_t{2}), nullptr) << "another key value";
  EXPECT_EQ(d.value<long>(key_t{1}), nullptr) << "the value is an int, not a long";
  EXPECT_EQ(d.value<std::string>("user"), nullptr) << "a C-string key is not a std::string key";
  EXPECT_EQ(goro::background().value<std::string>(std::string("user")), nullptr);
  cancel();
  EXPECT_EQ(*d.value<int>(key_t{1}), 42) << "values outlive cancellation";
}

TEST(Context, CStringKeysCompareByContent) {
  char k1[] = "trace";
  char k2[] = "trace";
  goro::context c = goro::with_value(goro::background(), static_cast<const char*>(k1), 7);
  ASSERT_NE(c.value<int>(static_cast<const char*>(k2)), nullptr);
  EXPECT_EQ(*c.value<int>("trace"), 7);
  EXPECT_EQ(c.value<int>("other"), nullptr);
}

TEST(Context, CancelledChildrenLeaveTheirParentsList) {
  auto [root, cancel_root] = goro::with_cancel(goro::background());
  goro::context via = goro::with_value(root, 1, 1);
  std::vector<goro::cancel_func> cancels;
  std::vector<goro::context> kids;
  for (int i = 0; i < 100; ++i) {
    auto [k, c] = goro::with_cancel(i % 2 ? via : root);
    kids.push_back(k);
    cancels.push_back(c);
  }
  EXPECT_EQ(goro::detail::context_child_count(root), 100u);
  EXPECT_EQ(goro::detail::context_child_count(via), 100u) << "a value node counts its canceller's";
  for (int i = 0; i < 50; ++i) cancels[static_cast<std::size_t>(i)]();
  EXPECT_EQ(goro::detail::context_child_count(root), 50u);
  cancel_root();
  EXPECT_EQ(goro::detail::context_child_count(root), 0u);
  for (auto& k : kids) EXPECT_TRUE(is_done(k));
  // A timeout that fires leaves its parent's list too.
  auto [p2, cancel_p2] = goro::with_cancel(goro::background());
  {
    auto [t, cancel_t] = goro::with_timeout(p2, 1ms);
    t.done().recv();
    EXPECT_EQ(goro::detail::context_child_count(p2), 0u);
  }
  cancel_p2();
}

TEST(Context, DoneWakesASelectAndAPlainThread) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  std::atomic<int> woke{0};
  std::thread plain([&, c = ctx] {
    c.done().recv();
    woke++;
  });
  goro::run([&, c = ctx, cancel = cancel] {
    goro::wait_group wg;
    wg.add(1);
    goro::go([&] {
      std::size_t i = goro::select(goro::recv_case(goro::after(1h)), goro::recv_case(c.done()));
      if (i == 1) woke++;
      wg.done();
    });
    goro::yield();
    cancel();
    wg.wait();
  });
  plain.join();
  EXPECT_EQ(woke.load(), 2);
}

TEST(Context, AWideTreeOfTenThousandNodesIsCancelledAtOnce) {
  const int n = static_cast<int>(goro::test::scaled(10000, 10));
  std::uint64_t seed = goro::test::seed_from_env(11);
  SCOPED_TRACE("seed " + std::to_string(seed));
  goro::run([&] {
    std::mt19937_64 rng(seed);
    auto [root, cancel_root] = goro::with_cancel(goro::background());
    std::vector<goro::context> nodes{root};
    std::vector<goro::cancel_func> cancels;
    for (int i = 1; i < n; ++i) {
      const goro::context& parent = nodes[rng() % nodes.size()];
      if (rng() % 4 == 0) {
        nodes.push_back(goro::with_value(parent, i, i));
      } else {
        auto [c, f] = goro::with_cancel(parent);
        nodes.push_back(c);
        cancels.push_back(f);
      }
    }
    for (auto& c : nodes) ASSERT_FALSE(c.err());
    cancel_root();
    for (auto& c : nodes) ASSERT_EQ(c.err(), goro::errc::canceled);
    for (auto& c : nodes) ASSERT_EQ(goro::detail::context_child_count(c), 0u);
  });
}

TEST(Context, ADeepChainOfTenThousandIsCancelledAndFreedWithoutRecursion) {
  // On a goroutine's default stack (256 KiB): recursion over 10,000 levels would overflow.
  const int n = static_cast<int>(goro::test::scaled(10000, 5));
  goro::run([&] {
    auto [root, cancel_root] = goro::with_cancel(goro::background());
    goro::context tip = root;
    std::vector<goro::cancel_func> cancels;
    for (int i = 0; i < n; ++i) {
      if (i % 3 == 0) {
        tip = goro::with_value(tip, i, i);
      } else {
        auto [c, f] = goro::with_cancel(tip);
        tip = c;
        cancels.push_back(f);
      }
    }
    EXPECT_EQ(*tip.value<int>(0), 0);
    cancel_root();
    EXPECT_EQ(tip.err(), goro::errc::canceled);
    cancels.clear();
    tip = goro::context();  // frees the chain
  });
}

TEST(ContextStress, ConcurrentCreateAndCancelLeavesNoRecords) {
  const int workers = 8;
  const int per = static_cast<int>(goro::test::scaled(2000, 20));
  std::uint64_t seed = goro::test::seed_from_env(99);
  SCOPED_TRACE("seed " + std::to_string(seed));
  goro::run([&] {
    auto [root, cancel_root] = goro::with_cancel(goro::background());
    std::vector<goro::context> leftovers[workers];
    goro::wait_group wg;
    wg.add(workers);
    for (int w = 0; w < workers; ++w) {
      goro::go([&, w, root = root] {
        std::mt19937_64 rng(seed + static_cast<std::uint64_t>(w));
        for (int i = 0; i < per; ++i) {
          auto [c, f] = goro::with_cancel(root);
          auto [g, gf] = goro::with_cancel(c);
          if (rng() % 2) f();
          else gf();
          if (rng() % 8 == 0) leftovers[w].push_back(g);  // left uncancelled (maybe)
          else {
            f();
            gf();
          }
          if (rng() % 16 == 0) goro::yield();
        }
        wg.done();
      });
    }
    wg.wait();
    cancel_root();
    EXPECT_EQ(goro::detail::context_child_count(root), 0u);
    for (auto& v : leftovers)
      for (auto& g : v) EXPECT_TRUE(is_done(g));
  });
}

TEST(SemaphoreContext, GivesUpWhenTheContextEndsFirst) {
  goro::run([] {
    goro::semaphore s(2);
    ASSERT_TRUE(s.acquire(goro::background(), 2));
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 10ms);
    EXPECT_FALSE(s.acquire(ctx, 1));
    EXPECT_EQ(ctx.err(), goro::errc::deadline_exceeded);
    s.release(2);
    EXPECT_TRUE(s.try_acquire(2)) << "the abandoned request took nothing";
    s.release(2);
    cancel();
    EXPECT_FALSE(s.acquire(ctx, 1)) << "a done context fails even with units free";
    EXPECT_THROW(s.acquire(ctx, 3), std::invalid_argument);
  });
}

TEST(SemaphoreContext, AGrantedWaiterSucceeds) {
  goro::run([] {
    goro::semaphore s(1);
    s.acquire();
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    goro::wait_group wg;
    wg.add(1);
    std::atomic<bool> got{false};
    goro::go([&, ctx = ctx] {
      got = s.acquire(ctx, 1);
      wg.done();
    });
    goro::yield();
    s.release();
    wg.wait();
    EXPECT_TRUE(got.load());
    s.release();
    cancel();
  });
}

TEST(SemaphoreContext, AHeadThatGivesUpLetsSmallerRequestsThrough) {
  goro::run([] {
    goro::semaphore s(3);
    s.acquire(2);  // 1 unit free
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    goro::wait_group wg;
    wg.add(2);
    std::atomic<int> big{-1}, small{-1};
    goro::go([&, ctx = ctx] {
      big = s.acquire(ctx, 3);  // the head: waits for all 3
      wg.done();
    });
    while (s.try_acquire(0)) goro::yield();  // until the big request is queued (FIFO blocks try)
    goro::go([&] {
      s.acquire(1);  // fits, but FIFO keeps it behind the big one
      small = 1;
      wg.done();
    });
    goro::sleep(5ms);
    EXPECT_EQ(small.load(), -1) << "passed the head";
    cancel();  // the head gives up: the small one fits now
    wg.wait();
    EXPECT_EQ(big.load(), 0);
    EXPECT_EQ(small.load(), 1);
    s.release(3);
  });
}

TEST(ErrgroupContext, TheFirstExceptionCancelsTheContext) {
  goro::run([] {
    auto [g, ctx] = goro::errgroup::with_context(goro::background());
    std::atomic<bool> saw_cancel{false};
    g.go([c = ctx, &saw_cancel] {
      c.done().recv();  // ends only through the group's cancel
      saw_cancel = c.err() == goro::errc::canceled;
    });
    g.go([] { throw std::runtime_error("first"); });
    try {
      g.wait();
      FAIL() << "wait() did not rethrow";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
    EXPECT_TRUE(saw_cancel.load());
  });
}

TEST(ErrgroupContext, WaitCancelsTheContextWithoutAnError) {
  goro::run([] {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::errgroup::with_context(parent);
    g.go([] {});
    EXPECT_FALSE(ctx.err());
    g.wait();
    EXPECT_EQ(ctx.err(), goro::errc::canceled);
    EXPECT_FALSE(parent.err());
    cancel_parent();
  });
}

}  // namespace

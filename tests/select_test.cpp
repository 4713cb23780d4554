// Tests for goro::select and goro::select_set: readiness, default, nil cases, send cases,
// close, duplicates, timeouts, uniform choice (Go's 10-sigma fairness bound), plain
// threads, and the dynamic form.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

TEST(Select, TakesTheReadyCaseAndRunsItsHandler) {
  auto a = goro::make_chan<int>(1);
  auto b = goro::make_chan<int>(1);
  b.send(7);
  int got = 0;
  std::size_t i = goro::select(goro::recv_case(a, [&](std::optional<int>) { got = -1; }),
                               goro::recv_case(b, [&](std::optional<int> v) { got = *v; }));
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(got, 7);
}

TEST(Select, DefaultWhenNothingIsReadyCountsItsPosition) {
  auto a = goro::make_chan<int>();
  bool ran = false;
  std::size_t i = goro::select(goro::default_case([&] { ran = true; }), goro::recv_case(a));
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(ran);
  i = goro::select(goro::recv_case(a), goro::default_case());
  EXPECT_EQ(i, 1u);
}

TEST(Select, NilChannelsNeverFire) {
  goro::chan<int> nil;
  auto b = goro::make_chan<int>(1);
  b.send(1);
  for (int k = 0; k < 100; ++k) {
    b.try_send(1);
    EXPECT_EQ(goro::select(goro::recv_case(nil), goro::recv_case(b)), 1u);
  }
  EXPECT_EQ(goro::select(goro::recv_case(nil), goro::send_case(nil, 1), goro::default_case()), 2u);
}

TEST(Select, SendCaseDeliversOnlyWhenTaken) {
  auto full = goro::make_chan<std::unique_ptr<int>>(1);
  full.send(std::make_unique<int>(0));
  auto room = goro::make_chan<std::unique_ptr<int>>(1);
  bool sent = false;
  std::size_t i = goro::select(goro::send_case(full, std::make_unique<int>(1)),
                               goro::send_case(room, std::make_unique<int>(2), [&] { sent = true; }));
  EXPECT_EQ(i, 1u);
  EXPECT_TRUE(sent);
  EXPECT_EQ(**room.recv(), 2);
  EXPECT_EQ(**full.recv(), 0);  // the untaken case delivered nothing
  EXPECT_EQ(full.try_recv(), std::nullopt);
}

TEST(Select, BlocksUntilACaseBecomesReady) {
  goro::run([] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    goro::go([b] { b.send(42); });
    int got = 0;
    std::size_t i = goro::select(goro::recv_case(a, [&](std::optional<int>) { got = -1; }),
                                 goro::recv_case(b, [&](std::optional<int> v) { got = *v; }));
    EXPECT_EQ(i, 1u);
    EXPECT_EQ(got, 42);
  });
}

TEST(Select, BlockedSendCaseIsTakenByAReceiver) {
  goro::run([] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    goro::wait_group wg;
    wg.add(1);
    std::optional<int> got;
    goro::go([&] {
      got = a.recv();
      wg.done();
    });
    std::size_t i = goro::select(goro::send_case(a, 5), goro::recv_case(b));
    wg.wait();
    EXPECT_EQ(i, 0u);
    EXPECT_EQ(got, 5);
  });
}

TEST(Select, CloseFiresARecvCaseWithNullopt) {
  goro::run([] {
    auto a = goro::make_chan<int>();
    goro::go([a] { a.close(); });
    bool closed = false;
    goro::select(goro::recv_case(a, [&](std::optional<int> v) { closed = !v; }));
    EXPECT_TRUE(closed);
  });
}

TEST(Select, SendCaseOnAClosedChannelThrows) {
  auto a = goro::make_chan<int>();
  a.close();
  EXPECT_THROW(goro::select(goro::send_case(a, 1)), goro::closed_channel);
  // ... also when the close comes while the select is parked.
  goro::run([] {
    auto b = goro::make_chan<int>();
    goro::go([b] {
      for (int i = 0; i < 20; ++i) goro::yield();
      b.close();
    });
    EXPECT_THROW(goro::select(goro::send_case(b, 1)), goro::closed_channel);
  });
}

TEST(Select, TheSameChannelTwice) {
  auto c = goro::make_chan<int>(2);
  c.send(1);
  c.send(2);
  std::vector<int> got;
  for (int k = 0; k < 2; ++k)
    goro::select(goro::recv_case(c, [&](std::optional<int> v) { got.push_back(*v); }),
                 goro::recv_case(c, [&](std::optional<int> v) { got.push_back(*v); }));
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  // A send and a receive case on one channel: the send is taken when there is room.
  EXPECT_EQ(goro::select(goro::recv_case(c), goro::send_case(c, 3)), 1u);
  EXPECT_EQ(c.recv(), 3);
}

TEST(Select, WithdrawsLosingCases) {
  goro::run([] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    for (int round = 0; round < 200; ++round) {
      goro::go([a, round] { a.send(round); });
      std::optional<int> v;
      goro::select(goro::recv_case(a, [&](std::optional<int> x) { v = x; }), goro::recv_case(b));
      EXPECT_EQ(v, round);
    }
    // Had a stale waiter of an earlier select stayed on b, this would hand it the value.
    goro::go([b] { b.send(-1); });
    EXPECT_EQ(b.recv(), -1);
  });
}

TEST(Select, AfterTimesOut) {
  goro::run([] {
    auto never = goro::make_chan<int>();
    auto t = std::chrono::steady_clock::now();
    std::size_t i = goro::select(goro::recv_case(never), goro::recv_case(goro::after(20ms)));
    EXPECT_EQ(i, 1u);
    EXPECT_GE(std::chrono::steady_clock::now() - t, 20ms);
  });
}

TEST(Select, AfterWithANonPositiveDurationFiresAtOnce) {
  auto c = goro::after(0ms);
  EXPECT_TRUE(c.recv().has_value());
  auto d = goro::after(-1s);
  EXPECT_TRUE(d.try_recv().has_value());
}

// Go's TestSelectFairness: with every case always ready, each is chosen with equal
// probability; a count further than 10 sigma from the mean fails (chance ~1e-23).
// A case made from a temporary handle owns it (the channel lives as long as the case);
// one made from a channel variable borrows it (ASan would see a freed channel here if
// the first kind borrowed).
TEST(Select, ACaseFromATemporaryHandleOwnsItsChannel) {
  goro::run([] {
    auto timeout = goro::recv_case(goro::after(1ms));  // the case holds the only handle
    auto c = goro::make_chan<int>(1);
    auto rc = goro::recv_case(c);
    EXPECT_EQ(goro::select(rc, timeout), 1u);
    c.send(5);
    int got = 0;
    EXPECT_EQ(goro::select(goro::recv_case(c, [&](std::optional<int> v) { got = *v; }), timeout), 0u);
    EXPECT_EQ(got, 5);
    auto s = goro::send_case(goro::make_chan<int>(1), 9);  // owns a buffered channel
    EXPECT_EQ(goro::select(s), 0u);
  });
}

TEST(Select, ChoosesUniformlyAmongReadyCases) {
  constexpr int kTrials = 100000;
  constexpr int kCases = 4;
  std::vector<goro::chan<int>> cs;
  for (int i = 0; i < kCases; ++i) cs.push_back(goro::make_chan<int>(1));
  int counts[kCases] = {};
  for (int t = 0; t < kTrials; ++t) {
    for (auto& c : cs) c.try_send(1);
    std::size_t i = goro::select(goro::recv_case(cs[0]), goro::recv_case(cs[1]), goro::recv_case(cs[2]),
                                 goro::recv_case(cs[3]));
    ++counts[i];
  }
  double p = 1.0 / kCases;
  double mean = kTrials * p;
  double sigma = std::sqrt(kTrials * p * (1 - p));
  for (int i = 0; i < kCases; ++i) EXPECT_LT(std::abs(counts[i] - mean), 10 * sigma) << "case " << i;
}

TEST(Select, FromAPlainThreadBlocksOnlyThatThread) {
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(3); });
  std::optional<int> got;
  goro::select(goro::recv_case(c, [&](std::optional<int> v) { got = v; }));  // the test thread blocks
  EXPECT_EQ(got, 3);
}

TEST(Select, EmptySelectBlocksForever) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(goro::run([] { goro::select(); }), ::testing::ExitedWithCode(2),
              "all goroutines are asleep - deadlock!\n\ngoroutine [0-9]+ \\[select \\(no cases\\)\\]");
}

TEST(Select, NilChannelOperationsBlockForever) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(goro::run([] {
                goro::chan<int> nil;
                nil.recv();
              }),
              ::testing::ExitedWithCode(2), "\\[chan receive \\(nil chan\\)\\]");
  EXPECT_EXIT(goro::run([] {
                goro::chan<int> nil;
                nil.send(1);
              }),
              ::testing::ExitedWithCode(2), "\\[chan send \\(nil chan\\)\\]");
}

TEST(SelectSet, DynamicCasesInInsertionOrder) {
  goro::run([] {
    constexpr int n = 10;
    std::vector<goro::chan<int>> cs;
    for (int i = 0; i < n; ++i) cs.push_back(goro::make_chan<int>());
    goro::select_set set;
    int got = -1;
    for (int i = 0; i < n; ++i) set.add_recv(cs[i], [&](std::optional<int> v) { got = *v; });
    goro::go([c = cs[7]] { c.send(77); });
    EXPECT_EQ(set.select(), 7u);
    EXPECT_EQ(got, 77);
    std::size_t d = set.add_default();
    EXPECT_EQ(set.select(), d);
    EXPECT_THROW(set.add_default(), std::invalid_argument);
  });
}

TEST(SelectSet, ASendCaseSendsOnce) {
  auto c = goro::make_chan<std::unique_ptr<int>>(4);
  goro::select_set set;
  set.add_send(c, std::make_unique<int>(5));
  std::size_t d = set.add_default();
  EXPECT_EQ(set.select(), 0u);
  EXPECT_EQ(set.select(), d);  // the taken send case is now nil
  EXPECT_EQ(**c.recv(), 5);
  EXPECT_EQ(c.try_recv(), std::nullopt);
}

}  // namespace

namespace {

// Go's TestPseudoRandomSend: two send cases on one channel, a receiver that yields
// before each receive (so it is sometimes parked, sometimes not, when the select runs),
// unbuffered and buffered: both values must come up. Run under GORO_MAXPROCS 1 and 2.
void pseudo_random_send(int maxprocs) {
  const int n = 100;
  int previous = goro::set_maxprocs(maxprocs);
  goro::run([&] {
    for (std::size_t capacity : {std::size_t{0}, std::size_t{100}}) {
      for (int round = 0; round < 20; ++round) {
        auto c = goro::make_chan<int>(capacity);
        std::vector<int> got(n);
        goro::wait_group done;
        done.add(1);
        goro::go([&] {
          for (int i = 0; i < n; ++i) {
            goro::yield();
            got[i] = c.recv().value_or(-1);
          }
          done.done();
        });
        for (int i = 0; i < n; ++i) goro::select(goro::send_case(c, 1), goro::send_case(c, 0));
        done.wait();
        int zeros = 0, ones = 0;
        for (int v : got) (v == 0 ? zeros : ones) += 1;
        ASSERT_TRUE(zeros > n / 10 && ones > n / 10)
            << "want pseudorandom, got " << zeros << " zeros and " << ones << " ones (chan cap " << capacity
            << ", GORO_MAXPROCS " << maxprocs << ", round " << round << ")";
      }
    }
  });
  goro::set_maxprocs(previous);
}

TEST(Select, PseudoRandomSendOnOneWorker) { pseudo_random_send(1); }
TEST(Select, PseudoRandomSendOnTwoWorkers) { pseudo_random_send(2); }

// The same rule for receive cases on one channel, whether the sender is parked first
// (the select finds it ready) or arrives later (the select is parked on both cases).
TEST(Select, PseudoRandomReceiveFromDuplicateCases) {
  goro::run([] {
    const int n = 200;
    for (bool sender_first : {true, false}) {
      auto c = goro::make_chan<int>();
      goro::go([&, sender_first] {
        for (int i = 0; i < n; ++i) {
          if (!sender_first) goro::yield();
          c.send(i);
        }
      });
      int first = 0, second = 0;
      for (int i = 0; i < n; ++i) {
        if (sender_first) goro::yield();
        std::size_t k = goro::select(goro::recv_case(c), goro::recv_case(c));
        (k == 0 ? first : second) += 1;
      }
      EXPECT_TRUE(first > n / 10 && second > n / 10)
          << "case 0 taken " << first << " times, case 1 " << second << " (sender first: " << sender_first << ")";
    }
  });
}

}  // namespace

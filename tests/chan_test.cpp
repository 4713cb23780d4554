// Tests for goro::chan: Go's channel semantics (unbuffered, buffered, nil, close, try_*,
// range-for, views, identity), move-only and throwing element types, plain threads.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

TEST(Chan, UnbufferedHandsOffInOrder) {
  goro::run([] {
    auto c = goro::make_chan<int>();
    EXPECT_EQ(c.capacity(), 0u);
    goro::go([c] {
      for (int i = 0; i < 100; ++i) c.send(i);
    });
    for (int i = 0; i < 100; ++i) EXPECT_EQ(c.recv(), i);
  });
}

TEST(Chan, UnbufferedSendWaitsForAReceiver) {
  goro::run([] {
    auto c = goro::make_chan<int>();
    std::atomic<bool> sent{false};
    goro::wait_group wg;
    wg.add(1);
    goro::go([&] {
      c.send(1);
      sent = true;
      wg.done();
    });
    for (int i = 0; i < 100; ++i) goro::yield();
    EXPECT_FALSE(sent.load());  // nobody received yet
    EXPECT_EQ(c.recv(), 1);
    wg.wait();
    EXPECT_TRUE(sent.load());
  });
}

TEST(Chan, BufferedIsFifoAndBlocksOnlyWhenFull) {
  goro::run([] {
    auto c = goro::make_chan<int>(3);
    EXPECT_EQ(c.capacity(), 3u);
    c.send(1);
    c.send(2);
    c.send(3);
    EXPECT_EQ(c.size(), 3u);
    EXPECT_FALSE(c.try_send(4));
    EXPECT_EQ(c.recv(), 1);
    EXPECT_TRUE(c.try_send(4));
    EXPECT_EQ(c.recv(), 2);
    EXPECT_EQ(c.recv(), 3);
    EXPECT_EQ(c.recv(), 4);
    EXPECT_EQ(c.size(), 0u);
  });
}

TEST(Chan, BufferedSenderParksWhenFullAndResumesInOrder) {
  goro::run([] {
    auto c = goro::make_chan<int>(2);
    goro::go([c] {
      for (int i = 0; i < 10; ++i) c.send(i);  // parks on the third
      c.close();
    });
    std::vector<int> got;
    for (int v : c) got.push_back(v);
    EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  });
}

TEST(Chan, TryOperationsNeverBlock) {
  goro::run([] {
    auto u = goro::make_chan<int>();
    EXPECT_FALSE(u.try_send(1));  // no receiver waiting
    EXPECT_EQ(u.try_recv(), std::nullopt);
    auto b = goro::make_chan<int>(1);
    EXPECT_TRUE(b.try_send(1));
    EXPECT_FALSE(b.try_send(2));
    EXPECT_EQ(b.try_recv(), 1);
    EXPECT_EQ(b.try_recv(), std::nullopt);
  });
}

TEST(Chan, TrySendToAParkedReceiverHandsOff) {
  goro::run([] {
    auto c = goro::make_chan<int>();
    goro::wait_group wg;
    wg.add(1);
    std::optional<int> got;
    goro::go([&] {
      got = c.recv();
      wg.done();
    });
    while (!c.try_send(5)) goro::yield();
    wg.wait();
    EXPECT_EQ(got, 5);
  });
}

TEST(Chan, FailedTrySendLeavesTheValue) {
  auto c = goro::make_chan<std::unique_ptr<int>>(1);
  auto a = std::make_unique<int>(1);
  auto b = std::make_unique<int>(2);
  EXPECT_TRUE(c.try_send(a));
  EXPECT_EQ(a, nullptr);  // moved in
  EXPECT_FALSE(c.try_send(b));
  ASSERT_NE(b, nullptr);  // untouched
  EXPECT_EQ(*b, 2);
  EXPECT_EQ(**c.recv(), 1);
}

TEST(Chan, CloseDrainsBufferThenReportsClosed) {
  auto c = goro::make_chan<std::string>(3);
  c.send("a");
  c.send("b");
  c.close();
  EXPECT_EQ(c.recv(), "a");
  EXPECT_EQ(c.try_recv(), "b");
  EXPECT_EQ(c.recv(), std::nullopt);
  EXPECT_EQ(c.try_recv(), std::nullopt);
}

TEST(Chan, CloseWakesEveryParkedReceiver) {
  goro::run([] {
    auto c = goro::make_chan<int>();
    std::atomic<int> closed_seen{0};
    goro::wait_group wg;
    wg.add(5);
    for (int i = 0; i < 5; ++i)
      goro::go([&] {
        if (!c.recv()) closed_seen.fetch_add(1);
        wg.done();
      });
    for (int i = 0; i < 50; ++i) goro::yield();
    c.close();
    wg.wait();
    EXPECT_EQ(closed_seen.load(), 5);
  });
}

TEST(Chan, CloseMakesParkedSendersThrow) {
  goro::run([] {
    auto c = goro::make_chan<int>();
    std::atomic<int> threw{0};
    goro::wait_group wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i)
      goro::go([&] {
        try {
          c.send(1);
        } catch (const goro::closed_channel& e) {
          EXPECT_STREQ(e.what(), "send on closed channel");
          threw.fetch_add(1);
        }
        wg.done();
      });
    for (int i = 0; i < 50; ++i) goro::yield();
    c.close();
    wg.wait();
    EXPECT_EQ(threw.load(), 3);
  });
}

TEST(Chan, MisuseThrowsGosMessages) {
  auto c = goro::make_chan<int>(1);
  c.close();
  try {
    c.send(1);
    FAIL() << "send on a closed channel must throw";
  } catch (const goro::closed_channel& e) {
    EXPECT_STREQ(e.what(), "send on closed channel");
  }
  EXPECT_THROW(c.try_send(1), goro::closed_channel);
  try {
    c.close();
    FAIL() << "close of a closed channel must throw";
  } catch (const goro::closed_channel& e) {
    EXPECT_STREQ(e.what(), "close of closed channel");
  }
  goro::chan<int> nil;
  try {
    nil.close();
    FAIL() << "close of a nil channel must throw";
  } catch (const goro::panic& e) {
    EXPECT_STREQ(e.what(), "close of nil channel");
  }
  // closed_channel is a goro::panic, which is a std::logic_error.
  static_assert(std::is_base_of_v<goro::panic, goro::closed_channel>);
  static_assert(std::is_base_of_v<std::logic_error, goro::panic>);
}

TEST(Chan, NilChannelNeverReadyWithoutBlocking) {
  goro::chan<int> nil;
  EXPECT_FALSE(nil);
  EXPECT_FALSE(nil.try_send(1));
  EXPECT_EQ(nil.try_recv(), std::nullopt);
  EXPECT_EQ(nil.size(), 0u);
  EXPECT_EQ(nil.capacity(), 0u);
}

TEST(Chan, HandlesShareOneChannelAndCompareByIdentity) {
  auto a = goro::make_chan<int>(1);
  auto b = a;
  auto other = goro::make_chan<int>(1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_EQ(goro::chan<int>(), goro::chan<int>());  // nil == nil
  b.send(3);
  EXPECT_EQ(a.recv(), 3);
  std::unordered_set<goro::chan<int>> set{a, b, other};
  EXPECT_EQ(set.size(), 2u);
}

TEST(Chan, DirectionalViews) {
  auto c = goro::make_chan<int>(1);
  goro::send_chan<int> s = c;
  goro::recv_chan<int> r = c;
  s.send(9);
  EXPECT_EQ(r.recv(), 9);
  s.close();
  EXPECT_EQ(r.recv(), std::nullopt);
  goro::send_chan<int> nil_s;
  goro::recv_chan<int> nil_r;
  EXPECT_FALSE(nil_s);
  EXPECT_FALSE(nil_r);
  EXPECT_EQ(nil_r.try_recv(), std::nullopt);
}

TEST(Chan, UnitIsTheSignalChannel) {
  goro::run([] {
    auto done = goro::make_chan<goro::unit>();
    goro::go([done] { done.send({}); });
    EXPECT_TRUE(done.recv().has_value());
  });
}

TEST(Chan, MoveOnlyValuesAreNeverCopied) {
  goro::run([] {
    auto c = goro::make_chan<std::unique_ptr<int>>();
    goro::go([c] {
      for (int i = 0; i < 10; ++i) c.send(std::make_unique<int>(i));
      c.close();
    });
    int expect = 0;
    for (auto& p : c) EXPECT_EQ(*p, expect++);
    EXPECT_EQ(expect, 10);
  });
}

// An element whose move constructor throws when told to; counts live instances.
struct fragile {
  static inline std::atomic<int> live{0};
  static inline std::atomic<bool> fail_next_move{false};
  int v = 0;
  explicit fragile(int x) : v(x) { ++live; }
  fragile(fragile&& o) : v(o.v) {
    if (fail_next_move.exchange(false)) throw std::runtime_error("move failed");
    ++live;
  }
  fragile(const fragile&) = delete;
  ~fragile() { --live; }
};

TEST(Chan, ThrowingMoveIntoTheBufferLeavesTheChannelUnchanged) {
  fragile::live = 0;
  {
    auto c = goro::make_chan<fragile>(2);
    fragile f(1);
    fragile::fail_next_move = true;
    EXPECT_THROW(c.try_send(f), std::runtime_error);
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(f.v, 1);  // still the sender's
    EXPECT_TRUE(c.try_send(f));
    auto got = c.recv();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 1);
  }
  EXPECT_EQ(fragile::live.load(), 0);
}

TEST(Chan, ThrowingHandOffKeepsTheParkedReceiverWaiting) {
  fragile::live = 0;
  goro::run([] {
    auto c = goro::make_chan<fragile>();
    goro::wait_group wg;
    wg.add(1);
    int got = -1;
    goro::go([&] {
      auto v = c.recv();  // parks; the first hand-off fails, the second succeeds
      got = v ? v->v : -2;
      wg.done();
    });
    fragile a(10);
    // Wait for the receiver to park, then hand off with a failing move.
    bool thrown = false;
    while (!thrown) {
      fragile::fail_next_move = true;
      try {
        if (!c.try_send(a)) {
          fragile::fail_next_move = false;
          goro::yield();
          continue;
        }
      } catch (const std::runtime_error&) {
        thrown = true;
      }
    }
    c.send(fragile(20));
    wg.wait();
    EXPECT_EQ(got, 20);
  });
  EXPECT_EQ(fragile::live.load(), 0);
}

TEST(Chan, PlainThreadsSendAndReceive) {
  auto c = goro::make_chan<int>();
  std::thread producer([c] {
    for (int i = 0; i < 100; ++i) c.send(i);
    c.close();
  });
  long sum = goro::run([c] {
    long s = 0;
    for (int v : c) s += v;
    return s;
  });
  producer.join();
  EXPECT_EQ(sum, 4950);
  // And the other way round: the plain thread receives, a goroutine sends.
  auto d = goro::make_chan<int>(4);
  goro::go([d] {
    for (int i = 0; i < 50; ++i) d.send(1);
    d.close();
  });
  int n = 0;
  for (int v : d) n += v;  // this test thread blocks, the workers keep running
  EXPECT_EQ(n, 50);
}

TEST(Chan, ManyProducersManyConsumersLoseNothing) {
  constexpr int kProducers = 8, kPerProducer = 5000;
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  goro::run([&] {
    auto c = goro::make_chan<int>(16);
    goro::wait_group producers, consumers;
    producers.add(kProducers);
    consumers.add(kProducers);
    for (int p = 0; p < kProducers; ++p)
      goro::go([&, p] {
        for (int i = 0; i < kPerProducer; ++i) c.send(p * kPerProducer + i);
        producers.done();
      });
    for (int k = 0; k < kProducers; ++k)
      goro::go([&] {
        for (int v : c) {
          sum.fetch_add(v);
          count.fetch_add(1);
        }
        consumers.done();
      });
    producers.wait();
    c.close();
    consumers.wait();
  });
  long n = long(kProducers) * kPerProducer;
  EXPECT_EQ(count.load(), n);
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
}

}  // namespace

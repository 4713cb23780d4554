// Stress: channels and select against a model. Over many seeds, producers (goroutines and
// a plain thread) send unique values with a random mix of send, try_send and select
// (with and without default) over channels of random capacities; consumers receive with
// recv, try_recv and select; main closes the channels once the producers are done. The
// model: every value whose send completed is received exactly once, and nothing else.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include "support/waker_thread.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "support/scale.hpp"

namespace {

struct trial {
  std::vector<goro::chan<long>> chans;
  std::mutex mu;
  std::vector<long> sent, received;
  void record(std::vector<long>& v, long x) {
    std::lock_guard lk(mu);
    v.push_back(x);
  }
};

void produce(trial& t, int id, std::uint64_t seed, int ops) {
  std::mt19937_64 rng(seed);
  const int k = static_cast<int>(t.chans.size());
  for (int i = 0; i < ops; ++i) {
    long v = long(id) * 1'000'000 + i;
    auto& c = t.chans[rng() % k];
    switch (rng() % 4) {
      case 0:
        c.send(v);
        t.record(t.sent, v);
        break;
      case 1:
        if (c.try_send(v)) t.record(t.sent, v);
        else goro::yield();
        break;
      case 2: {  // blocking select over two channels
        auto& d = t.chans[rng() % k];
        goro::select(goro::send_case(c, v), goro::send_case(d, v));
        t.record(t.sent, v);
        break;
      }
      default: {  // select with default
        std::size_t r = goro::select(goro::send_case(c, v), goro::default_case());
        if (r == 0) t.record(t.sent, v);
        else goro::yield();
      }
    }
  }
}

void consume(trial& t, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<goro::chan<long>> open = t.chans;  // a closed one becomes nil
  auto live = [&] { return std::count_if(open.begin(), open.end(), [](auto& c) { return bool(c); }); };
  while (live() > 0) {
    std::size_t pick = rng() % open.size();
    switch (rng() % 3) {
      case 0:
        // A blocking receive on one channel only when it is the last one open: a
        // consumer blocked on one channel while producers block on another would be a
        // real deadlock (and goro would report it).
        if (live() == 1) {
          for (auto& c : open) {
            if (!c) continue;
            if (auto v = c.recv()) t.record(t.received, *v);
            else c = {};
          }
        }
        break;
      case 1:
        if (open[pick]) {
          if (auto v = open[pick].try_recv()) t.record(t.received, *v);
          else goro::yield();
        }
        break;
      default: {
        goro::select_set set;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < open.size(); ++i) {
          if (!open[i]) continue;
          which.push_back(i);
          set.add_recv(open[i], [&, i](std::optional<long> v) {
            if (v) t.record(t.received, *v);
            else open[i] = {};
          });
        }
        set.select();
      }
    }
  }
}

void run_trial(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  trial t;
  const int nchans = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < nchans; ++i) t.chans.push_back(goro::make_chan<long>(rng() % 5));
  const int producers = 1 + static_cast<int>(rng() % 4);
  const int consumers = 1 + static_cast<int>(rng() % 4);
  const int ops = 50 + static_cast<int>(rng() % 200);
  goro::wait_group plain_done;
  plain_done.add(1);
  std::thread plain = goro::test::start_waker_thread([&] {
    produce(t, 99, seed * 7 + 1, ops);
    plain_done.done();
  });
  goro::run([&] {
    goro::wait_group prod, cons;
    prod.add(producers);
    cons.add(consumers);
    for (int p = 0; p < producers; ++p)
      goro::go([&, p] {
        produce(t, p, seed * 31 + p, ops);
        prod.done();
      });
    for (int c = 0; c < consumers; ++c)
      goro::go([&, c] {
        consume(t, seed * 131 + c);
        cons.done();
      });
    prod.wait();
    plain_done.wait();
    for (auto& c : t.chans) c.close();
    cons.wait();
  });
  plain.join();
  std::sort(t.sent.begin(), t.sent.end());
  std::sort(t.received.begin(), t.received.end());
  ASSERT_EQ(t.sent, t.received) << "seed " << seed;
}

TEST(ChanModelStress, EverySentValueIsReceivedExactlyOnce) {
  const std::uint64_t base = goro::test::seed_from_env(1125);
  const int seeds = static_cast<int>(goro::test::scaled(1000, 20));
  for (int s = 0; s < seeds; ++s) run_trial(base + static_cast<std::uint64_t>(s));
}

}  // namespace

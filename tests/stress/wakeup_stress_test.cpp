// Stress: no lost and no double wake-ups. Over many seeds, goroutines and plain threads
// hand a token around in random orders through wait_groups (park/ready on every hop),
// mixing yields and short sleeps; every hop must arrive exactly once. A lost wake-up
// hangs (the CTest timeout catches it) and a double one breaks the counts.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include "support/waker_thread.hpp"

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "support/scale.hpp"

using namespace std::chrono_literals;

namespace {

struct hop_chain {
  explicit hop_chain(int n) : gates(n) {
    for (auto& g : gates) g = std::make_unique<goro::wait_group>();
    for (auto& g : gates) g->add(1);
  }
  std::vector<std::unique_ptr<goro::wait_group>> gates;
  std::atomic<int> arrivals{0};
};

void run_seed(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int n = 4 + static_cast<int>(rng() % 60);
  hop_chain chain(n);
  std::vector<int> action(n);
  for (auto& a : action) a = static_cast<int>(rng() % 4);
  const int plain_hop = static_cast<int>(rng() % n);  // one hop is a plain thread
  goro::wait_group all_done;
  all_done.add(n);
  auto hop = [&](int i) {
    chain.gates[i]->wait();
    switch (action[i]) {
      case 1: goro::yield(); break;
      case 2: goro::sleep(std::chrono::microseconds(50 + (i * 37) % 200)); break;
      default: break;
    }
    chain.arrivals.fetch_add(1);
    if (i + 1 < n) chain.gates[i + 1]->done();
    all_done.done();
  };
  // The plain thread registers with goro (its first goro call) before main can block:
  // until then it does not count as a possible waker (API.md settled detail 16).
  std::thread plain = goro::test::start_waker_thread([&] { hop(plain_hop); });
  goro::run([&] {
    for (int i = 0; i < n; ++i)
      if (i != plain_hop) goro::go(hop, i);
    chain.gates[0]->done();
    all_done.wait();
  });
  plain.join();
  ASSERT_EQ(chain.arrivals.load(), n) << "seed " << seed;
}

TEST(WakeupStress, TokenChainsOverManySeeds) {
  const std::uint64_t base = goro::test::seed_from_env(20261125);
  const int seeds = static_cast<int>(goro::test::scaled(300, 10));
  for (int s = 0; s < seeds; ++s) run_seed(base + static_cast<std::uint64_t>(s));
}

TEST(WakeupStress, ManyWaitersManyWakers) {
  // Every goroutine waits on its own group, released by a goroutine on another P or by a
  // plain thread, repeated in rounds: counts must add up exactly.
  const int rounds = static_cast<int>(goro::test::scaled(200, 10));
  const int width = 64;
  std::mt19937_64 rng(goro::test::seed_from_env(77));
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::unique_ptr<goro::wait_group>> gates(width);
    for (auto& g : gates) {
      g = std::make_unique<goro::wait_group>();
      g->add(1);
    }
    std::atomic<int> woke{0};
    goro::wait_group finished;
    finished.add(width);
    for (int i = 0; i < width; ++i)
      goro::go([&, i] {
        gates[i]->wait();
        woke.fetch_add(1);
        finished.done();
      });
    bool from_thread = rng() % 2;
    if (from_thread) {
      std::thread t([&] {
        for (auto& g : gates) g->done();
      });
      t.join();
    } else {
      goro::go([&] {
        for (auto& g : gates) g->done();
      });
    }
    finished.wait();
    ASSERT_EQ(woke.load(), width) << "round " << r;
  }
}

}  // namespace

// Soak workloads: a mutex contended by many goroutines (mutual exclusion holds and no
// increment is lost), and random context trees cancelled at random (every waiter on a
// cancelled context wakes, with an error, and cancelled children leave no record).
#include <goro/goro.hpp>

#include <random>
#include <string>
#include <vector>

#include "soak_workloads.hpp"

using namespace std::chrono_literals;

namespace soak {

void contended_mutex(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) {
    const int goroutines = 2 + static_cast<int>(rng() % 14);
    const int each = 100 + static_cast<int>(rng() % 900);
    goro::mutex mu;
    long counter = 0;  // plain: only the mutex orders its updates
    std::atomic<int> inside{0};
    goro::wait_group wg;
    wg.add(goroutines);
    for (int g = 0; g < goroutines; ++g)
      goro::go([&, g] {
        for (int i = 0; i < each; ++i) {
          std::lock_guard<goro::mutex> lock(mu);
          if (inside.fetch_add(1) != 0) fail("mutex", "two goroutines inside the critical section");
          ++counter;
          if ((i + g) % 64 == 0) goro::yield();  // parked holders make others queue
          inside.fetch_sub(1);
        }
        wg.done();
      });
    wg.wait();
    const long want = static_cast<long>(goroutines) * each;
    if (counter != want) fail("mutex", "counter " + std::to_string(counter) + ", want " + std::to_string(want));
    add(c.locked, static_cast<std::uint64_t>(want));
  }
}

namespace {

struct tree_node {
  goro::context ctx;
  goro::cancel_func cancel;  // does nothing for a value node
};

void context_round(std::mt19937_64& rng, counters& c) {
  auto [root, cancel_root] = goro::with_cancel(goro::background());
  std::vector<tree_node> nodes{{root, cancel_root}};
  const int n = 10 + static_cast<int>(rng() % 50);
  for (int i = 1; i < n; ++i) {
    const goro::context& parent = nodes[rng() % nodes.size()].ctx;
    switch (rng() % 3) {
      case 0: {
        auto [ctx, cancel] = goro::with_cancel(parent);
        nodes.push_back({ctx, cancel});
        break;
      }
      case 1: {
        auto [ctx, cancel] = goro::with_timeout(parent, std::chrono::microseconds(rng() % 3000));
        nodes.push_back({ctx, cancel});
        break;
      }
      default:
        nodes.push_back({goro::with_value(parent, i, i), {}});
    }
  }
  goro::wait_group woke;
  woke.add(n);
  for (auto& node : nodes)
    goro::go([ctx = node.ctx, &woke] {
      ctx.done().recv();
      auto err = ctx.err();
      if (err != goro::errc::canceled && err != goro::errc::deadline_exceeded)
        fail("context", "woke from done() with err() = '" + err.message() + "'");
      woke.done();
    });
  for (std::size_t k = rng() % nodes.size(); k > 0; --k) nodes[1 + rng() % (nodes.size() - 1)].cancel();
  cancel_root();
  woke.wait();
  if (std::size_t left = goro::detail::context_child_count(root))
    fail("context", std::to_string(left) + " child records left under a cancelled root");
  add(c.contexts, static_cast<std::uint64_t>(n));
}

}  // namespace

void context_trees(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) context_round(rng, c);
}

}  // namespace soak

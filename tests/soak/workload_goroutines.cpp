// Soak workloads: goroutine spawn/exit churn, and channel pipelines (a producer, a fan of
// workers, a collector) that check every value arrives exactly once.
#include <goro/goro.hpp>

#include <random>
#include <string>
#include <vector>

#include "soak_workloads.hpp"

namespace soak {

void spawn_churn(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) {
    const int n = 200 + static_cast<int>(rng() % 800);
    std::atomic<long> sum{0};
    goro::wait_group wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      goro::go([&sum, &wg, i] {
        if (i % 3 == 0) goro::yield();
        sum.fetch_add(i, std::memory_order_relaxed);
        wg.done();
      });
    wg.wait();
    const long want = static_cast<long>(n) * (n - 1) / 2;
    if (sum.load() != want)
      fail("spawn", "sum of " + std::to_string(n) + " goroutines is " + std::to_string(sum.load()) +
                        ", want " + std::to_string(want));
    add(c.spawned, n);
  }
}

namespace {

// One round: `count` values through a buffered source, `workers` goroutines that pass
// them on (transformed) to an unbuffered sink, and the collector here.
void pipeline_round(std::uint32_t count, int workers, std::size_t buffer, counters& c) {
  constexpr std::uint32_t kMask = 0x5a5a5a5a;
  auto source = goro::make_chan<std::uint32_t>(buffer);
  auto sink = goro::make_chan<std::uint32_t>();
  goro::wait_group passing;
  passing.add(workers);
  goro::go([source, count] {
    for (std::uint32_t i = 0; i < count; ++i) source.send(i);
    source.close();
  });
  for (int w = 0; w < workers; ++w)
    goro::go([source, sink, &passing] {
      for (std::uint32_t v : source) sink.send(v ^ kMask);
      passing.done();
    });
  goro::go([sink, &passing] {
    passing.wait();
    sink.close();
  });
  std::vector<unsigned char> seen(count, 0);
  std::uint32_t received = 0;
  for (std::uint32_t v : sink) {
    std::uint32_t i = v ^ kMask;
    if (i >= count || seen[i]++) {
      fail("pipeline", "value " + std::to_string(i) + (i >= count ? " was never sent" : " received twice"));
      continue;
    }
    ++received;
  }
  if (received != count)
    fail("pipeline", std::to_string(count - received) + " of " + std::to_string(count) + " values lost");
  add(c.piped, received);
}

}  // namespace

void pipelines(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err())
    pipeline_round(1000 + static_cast<std::uint32_t>(rng() % 9000), 1 + static_cast<int>(rng() % 6),
                   rng() % 33, c);
}

}  // namespace soak

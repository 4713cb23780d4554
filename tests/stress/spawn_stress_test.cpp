// Stress: spawn and join a million goroutines; park 100,000 (and a million, in a plain
// build) at once and release them. Bounded by size, not by time; sizes shrink under
// sanitizers (tests/support/scale.hpp).
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "support/process_stats.hpp"
#include "support/scale.hpp"

namespace {

using goro::test::rss_kib;

TEST(SpawnStress, AMillionSpawnedAndJoined) {
  const std::int64_t n = goro::test::scaled(1'000'000, 100);
  std::atomic<std::int64_t> sum{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(static_cast<int>(n));
    for (std::int64_t i = 0; i < n; ++i)
      goro::go([&, i] {
        sum.fetch_add(i, std::memory_order_relaxed);
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
}

void park_and_release(std::int64_t n) {
  std::atomic<std::int64_t> released{0};
  long before = rss_kib();
  long parked_rss = 0;
  goro::run([&] {
    goro::wait_group parked, gate, finished;
    parked.add(static_cast<int>(n));
    gate.add(1);
    finished.add(static_cast<int>(n));
    for (std::int64_t i = 0; i < n; ++i)
      goro::go([&] {
        parked.done();
        gate.wait();
        released.fetch_add(1, std::memory_order_relaxed);
        finished.done();
      });
    parked.wait();
    EXPECT_GE(goro::num_goroutines(), static_cast<std::size_t>(n));
    parked_rss = rss_kib();
    gate.done();
    finished.wait();
  });
  EXPECT_EQ(released.load(), n);
  std::printf("parked %lld goroutines: %.0f bytes of RSS each\n", static_cast<long long>(n),
              (parked_rss - before) * 1024.0 / static_cast<double>(n));
}

TEST(SpawnStress, HundredThousandParkedThenReleased) {
  park_and_release(goro::test::scaled(100'000, 50));
}

TEST(SpawnStress, AMillionParkedOnADefaultMapCount) {
  // 1,000,000 stacks on vm.max_map_count = 65530: guard pages must not split mappings
  // (or the runtime must fall back without crashing). ~4.5 GB of RSS in a plain build.
  if (goro::test::kSanitized) GTEST_SKIP() << "a million fibers is beyond the sanitizers' budget here";
  park_and_release(1'000'000);
}

}  // namespace

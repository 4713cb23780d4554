// Tests for goro/runtime.hpp: go, run, yield, num_goroutines, maxprocs, set_maxprocs,
// this_goroutine::id, stack_size.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include "sched/scheduler.hpp"
#include "support/scale.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Run, ReturnsMainsResult) {
  EXPECT_EQ(goro::run([] { return 42; }), 42);
  EXPECT_EQ(goro::run([] {}), 0);
}

TEST(Run, MainRunsAsAGoroutine) {
  std::uint64_t id = 0;
  goro::run([&] { id = goro::this_goroutine::id(); });
  EXPECT_NE(id, 0u);
  EXPECT_EQ(goro::this_goroutine::id(), 0u);  // the test's own thread is a plain thread
}

TEST(Run, DoesNotWaitForOtherGoroutines) {
  goro::wait_group release, finished;
  release.add(1);
  finished.add(1);
  goro::run([&] {
    goro::go([&] {
      release.wait();
      finished.done();
    });
  });
  // main returned while the other goroutine is still blocked: run() did not wait for it.
  release.done();
  finished.wait();
  // It is about to exit: let it, so the next test counts only its own goroutines.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (goro::num_goroutines() != 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  EXPECT_EQ(goro::num_goroutines(), 0u);
}

TEST(Run, NestedInAGoroutineParksTheCaller) {
  int inner = 0;
  std::uint64_t outer_id = 0, inner_id = 0;
  int r = goro::run([&] {
    outer_id = goro::this_goroutine::id();
    inner = goro::run([&] {
      inner_id = goro::this_goroutine::id();
      return 7;
    });
    return inner + 1;
  });
  EXPECT_EQ(r, 8);
  EXPECT_NE(outer_id, inner_id);
}

TEST(Run, FromSeveralThreadsAtOnce) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> results(kThreads);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      results[t] = goro::run([t] {
        goro::wait_group wg;
        std::atomic<int> sum{0};
        wg.add(100);
        for (int i = 0; i < 100; ++i)
          goro::go([&] {
            sum.fetch_add(1);
            wg.done();
          });
        wg.wait();
        return sum.load() + t;
      });
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(results[t], 100 + t);
}

TEST(Go, PassesDecayCopiedArguments) {
  goro::run([] {
    goro::wait_group wg;
    wg.add(3);
    int a = 0;
    std::string s;
    std::unique_ptr<int> moved;
    auto set_int = [&](int v) { a = v; wg.done(); };
    goro::go(set_int, 5);
    goro::go([&](std::string x, const char* y) { s = x + y; wg.done(); }, std::string("go"), "ro");
    goro::go([&](std::unique_ptr<int> p) { moved = std::move(p); wg.done(); }, std::make_unique<int>(9));
    wg.wait();
    EXPECT_EQ(a, 5);
    EXPECT_EQ(s, "goro");
    ASSERT_TRUE(moved);
    EXPECT_EQ(*moved, 9);
  });
}

void plain_function(std::atomic<int>* out, int v, goro::wait_group* wg) {
  out->store(v);
  wg->done();
}

TEST(Go, AcceptsAPlainFunctionByName) {
  std::atomic<int> out{0};
  goro::wait_group wg;
  wg.add(1);
  goro::go(plain_function, &out, 3, &wg);
  wg.wait();
  EXPECT_EQ(out.load(), 3);
}

TEST(Go, SixArgumentsAndALargeCapture) {
  goro::run([] {
    goro::wait_group wg;
    wg.add(2);
    int sum = 0;
    goro::go([&](int a, int b, int c, int d, int e, int f) { sum = a + b + c + d + e + f; wg.done(); },
             1, 2, 3, 4, 5, 6);
    std::array<char, 500> big{};  // larger than the inline task buffer: heap path
    big[499] = 'x';
    char seen = 0;
    goro::go([&, big] { seen = big[499]; wg.done(); });
    wg.wait();
    EXPECT_EQ(sum, 21);
    EXPECT_EQ(seen, 'x');
  });
}

struct throws_on_copy {
  throws_on_copy() = default;
  throws_on_copy(const throws_on_copy&) { throw std::runtime_error("copy failed"); }
  void operator()() const {}
};

TEST(Go, ACopyThatThrowsCreatesNoGoroutine) {
  goro::run([] {
    std::size_t before = goro::num_goroutines();
    throws_on_copy f;
    EXPECT_THROW(goro::go(f), std::runtime_error);
    EXPECT_EQ(goro::num_goroutines(), before);
  });
}

TEST(Go, FromAPlainThread) {
  std::atomic<std::uint64_t> id{0};
  goro::wait_group wg;
  wg.add(1);
  std::thread t([&] {
    goro::go([&] {
      id = goro::this_goroutine::id();
      wg.done();
    });
  });
  t.join();
  wg.wait();
  EXPECT_NE(id.load(), 0u);
}

TEST(Go, IdsAreUnique) {
  constexpr int n = 2000;
  std::mutex mu;
  std::set<std::uint64_t> ids;
  goro::run([&] {
    goro::wait_group wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      goro::go([&] {
        {
          std::lock_guard lk(mu);
          ids.insert(goro::this_goroutine::id());
        }
        wg.done();  // after the unlock: once it is done, mu may be destroyed
      });
    wg.wait();
  });
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(ids.count(0), 0u);
}

TEST(NumGoroutines, CountsLiveGoroutines) {
  goro::run([] {
    std::size_t base = goro::num_goroutines();
    EXPECT_GE(base, 1u);  // main itself
    goro::wait_group started, release, finished;
    started.add(10);
    release.add(1);
    finished.add(10);
    for (int i = 0; i < 10; ++i)
      goro::go([&] {
        started.done();
        release.wait();
        finished.done();
      });
    started.wait();
    EXPECT_EQ(goro::num_goroutines(), base + 10);
    release.done();
    finished.wait();
    // An exiting goroutine is counted until it has switched out on its worker, which the
    // OS may delay: poll, with a liveness bound (not a yield count, which a loaded machine
    // can outrun).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (goro::num_goroutines() != base && std::chrono::steady_clock::now() < deadline)
      goro::sleep(std::chrono::microseconds(100));
    EXPECT_EQ(goro::num_goroutines(), base);
  });
}

TEST(Yield, LetsOtherGoroutinesRunOnOneWorker) {
  int old = goro::set_maxprocs(1);
  std::vector<int> order;
  goro::run([&] {
    goro::wait_group wg;
    wg.add(2);
    for (int k = 0; k < 2; ++k)
      goro::go([&, k] {
        for (int i = 0; i < 3; ++i) {
          order.push_back(k);
          goro::yield();
        }
        wg.done();
      });
    wg.wait();
  });
  goro::set_maxprocs(old);
  // On one worker, each yield hands over to the other goroutine: they alternate.
  ASSERT_EQ(order.size(), 6u);
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_NE(order[i], order[i - 1]) << i;
}

TEST(Yield, OnAPlainThreadReturns) { goro::yield(); }

TEST(Maxprocs, SetReturnsPreviousAndIgnoresNonPositive) {
  int cur = goro::maxprocs();
  EXPECT_GE(cur, 1);
  EXPECT_EQ(goro::set_maxprocs(0), cur);
  EXPECT_EQ(goro::set_maxprocs(-3), cur);
  EXPECT_EQ(goro::set_maxprocs(cur + 2), cur);
  EXPECT_EQ(goro::maxprocs(), cur + 2);
  EXPECT_EQ(goro::set_maxprocs(cur), cur + 2);
  EXPECT_EQ(goro::maxprocs(), cur);
}

TEST(Maxprocs, ShrinkingKeepsEveryGoroutineRunning) {
  int old = goro::set_maxprocs(4);
  std::atomic<int> done{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(200);
    for (int i = 0; i < 200; ++i)
      goro::go([&, i] {
        for (int k = 0; k < 20; ++k) goro::yield();
        if (i == 50) goro::set_maxprocs(1);
        done.fetch_add(1);
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(done.load(), 200);
  EXPECT_EQ(goro::maxprocs(), 1);
  goro::set_maxprocs(old);
}

int depth_sum(int n) {
  volatile char pad[1024];
  pad[0] = static_cast<char>(n);
  return n == 0 ? pad[0] : depth_sum(n - 1) + 1;
}

TEST(StackSize, ABiggerStackAllowsDeepRecursion) {
  goro::run([] {
    goro::wait_group wg;
    wg.add(1);
    int r = 0;
    // ~2 MiB of frames: far beyond the default 256 KiB.
    goro::go(goro::stack_size(8 << 20), [&](int n) { r = depth_sum(n); wg.done(); }, 2000);
    wg.wait();
    EXPECT_EQ(r, 2000);
  });
}

}  // namespace

namespace {

// Regression (found under ASan in Run.FromSeveralThreadsAtOnce): a goroutine exits by
// switching away, so its last frames never return and their redzone poison stayed on
// the stack, where the next goroutine to reuse it tripped over it. Here the first
// goroutine leaves poison below its frames, as such frames do; the second (one worker, so
// it reuses the same stack) writes there. In a build without ASan this only checks the
// stack reuse itself.
TEST(Go, AReusedStackCarriesNoStalePoison) {
  int old = goro::set_maxprocs(1);
  goro::run([] {
    goro::wait_group wg;
    char* region = nullptr;
    wg.add(1);
    goro::go([&] {
      region = static_cast<char*>(__builtin_frame_address(0)) - 16384;
#if GORO_TEST_ASAN
      __asan_poison_memory_region(region, 4096);
#endif
      wg.done();
    });
    wg.wait();
    wg.add(1);
    goro::go([&] {
      char* here = static_cast<char*>(__builtin_frame_address(0));
      ASSERT_LT(here - region, 64 * 1024) << "expected the stack of the previous goroutine";
      ASSERT_GT(here - region, 0);
      std::memset(region, 1, 4096);
      wg.done();
    });
    wg.wait();
  });
  goro::set_maxprocs(old);
}

}  // namespace

namespace {

// The runtime starts on the first goro call of any thread. A plain thread that sees it
// published (it watches for that) and creates a timer at once, which lands on P 0's
// heap, must find its Ps there; likewise threads whose first call races the start-up.
// Each round is a fresh process.
TEST(Start, AThreadThatSeesTheRuntimePublishedFindsItsPs) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (int round = 0; round < 10; ++round) {
    EXPECT_EXIT(
        {
          std::atomic<int> fired{0};
          std::vector<std::thread> threads;
          for (int i = 0; i < 3; ++i)
            threads.emplace_back([&] {
              while (!goro::detail::scheduler::if_started()) {
              }
              goro::timer t(std::chrono::milliseconds(1));
              if (t.c().recv()) fired.fetch_add(1);
            });
          goro::run([] {});
          for (auto& t : threads) t.join();
          std::exit(fired.load() == 3 ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "")
        << "round " << round;
  }
}

}  // namespace

// Races whose window is too narrow to hit by chance, widened by interposing libc calls in
// this binary (each delay armed only by the test that needs it, in its own process), as
// a descheduled thread on a loaded machine would widen them:
//  * opendir("/proc/self/task") waits 300 ms: a foreign thread that hands a value to a
//    blocked goroutine during the deadlock check's census and exits leaves a census with
//    no foreign thread; the check must look at the state again after it (it reported the
//    healthy program as deadlocked, exit 2, before).
//  * pthread_create waits 2 ms: set_maxprocs from another thread while the runtime is
//    starting (its preset read, its workers being created) must not be lost.
//  * the census's listing ends only once a new thread has started and counted itself
//    (and pthread_create's caller is held after the call): a worker started by a
//    foreign thread's set_maxprocs meanwhile must not stand in for that foreign thread
//    (the healthy program was reported as deadlocked before).
//  * operator new[] of a chunk of goroutine control blocks waits 100 ms: two threads
//    that make chunks at once must both count theirs in the free pool's ring (one block
//    in eight was handed out twice, or lost, before).
// Not under the sanitizers, which intercept these calls themselves.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include "sched/goroutine.hpp"
#include "support/scale.hpp"

using namespace std::chrono_literals;

namespace {
std::atomic<bool> census_armed{false};
std::atomic<bool> in_census{false};
std::atomic<bool> slow_thread_start{false};
std::atomic<bool> hold_thread_creator{false};
std::atomic<int> threads_created{0};
std::atomic<bool> census_waits_for_a_thread{false};
std::atomic<DIR*> census_dir{nullptr};
std::atomic<bool> slow_goroutine_chunks{false};
}  // namespace

// The interposers, only outside the sanitizers (they intercept these calls themselves,
// and TSan's pthread_create must see every thread).
#if !GORO_TEST_SANITIZED
// Aligned array new, as `new goroutine[n]` calls it.
void* operator new[](std::size_t n, std::align_val_t al) {
  constexpr std::size_t kChunk = 128 * sizeof(goro::detail::goroutine);
  if (slow_goroutine_chunks.load() && n >= kChunk && n <= kChunk + 64) std::this_thread::sleep_for(100ms);
  const auto a = static_cast<std::size_t>(al);
  if (void* p = std::aligned_alloc(a, (n + a - 1) & ~(a - 1))) return p;
  throw std::bad_alloc();
}
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

extern "C" struct dirent* readdir(DIR* d) {
  static auto real = reinterpret_cast<struct dirent* (*)(DIR*)>(dlsym(RTLD_NEXT, "readdir"));
  struct dirent* e = real(d);
  if (e == nullptr && census_waits_for_a_thread.load() && d == census_dir.load() && !in_census.exchange(true)) {
    const int before = threads_created.load();
    while (threads_created.load() == before) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);  // it has counted itself
  }
  return e;
}

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  static auto real = reinterpret_cast<int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*)>(
      dlsym(RTLD_NEXT, "pthread_create"));
  if (slow_thread_start.load()) std::this_thread::sleep_for(2ms);
  int r = real(thread, attr, start, arg);
  threads_created.fetch_add(1);
  if (hold_thread_creator.load()) std::this_thread::sleep_for(500ms);
  return r;
}

extern "C" DIR* opendir(const char* name) {
  static auto real = reinterpret_cast<DIR* (*)(const char*)>(dlsym(RTLD_NEXT, "opendir"));
  if (census_armed.load() && std::strcmp(name, "/proc/self/task") == 0) {
    in_census.store(true);
    std::this_thread::sleep_for(300ms);
  }
  DIR* d = real(name);
  if (census_waits_for_a_thread.load() && std::strcmp(name, "/proc/self/task") == 0) census_dir.store(d);
  return d;
}

#endif  // !GORO_TEST_SANITIZED

namespace {

TEST(RaceWindow, AThreadThatWakesAGoroutineAndExitsDuringTheDeadlockCensusIsNoDeadlock) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers intercept opendir";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        census_armed.store(true);
        int got = 0;
        goro::run([&] {
          goro::chan<int> c = goro::make_chan<int>();
          std::thread([c] {
            while (!in_census.load()) std::this_thread::sleep_for(1ms);
            c.send(42);  // a receiver waits: a direct hand-off, no registration
          }).detach();
          got = c.recv().value_or(0);
          goro::sleep(500ms);  // healthy work after the wake-up
        });
        std::exit(got == 42 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(RaceWindow, SetMaxprocsDuringTheStartUpIsNotLost) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers intercept pthread_create";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("GORO_MAXPROCS", "8", 1);
        std::thread setter([] {
          // The start-up's first threads exist: its preset is read, its workers come.
          while (threads_created.load() < 3) {
          }
          goro::set_maxprocs(1);
        });
        slow_thread_start.store(true);
        goro::go([] {});  // starts the runtime
        setter.join();
        std::exit(goro::maxprocs() == 1 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// A foreign thread starts a worker (set_maxprocs) while the census lists the threads,
// then wakes main. Exits 0 unless the program was killed as deadlocked.
int census_with_a_worker_starting() {
  setenv("GORO_MAXPROCS", "1", 1);
  auto c = goro::make_chan<int>();
  std::thread foreign([c] {  // no goro call before set_maxprocs: a foreign thread
    while (!in_census.load()) std::this_thread::sleep_for(1ms);
    hold_thread_creator.store(true);
    goro::set_maxprocs(2);
    hold_thread_creator.store(false);
    c.send(42);
  });
  census_waits_for_a_thread.store(true);
  int got = goro::run([c] { return c.recv().value_or(0); });
  foreign.join();
  return got == 42 ? 0 : 1;
}

TEST(RaceWindow, AWorkerStartedDuringTheDeadlockCensusDoesNotHideAForeignThread) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers intercept readdir and pthread_create";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(census_with_a_worker_starting()), ::testing::ExitedWithCode(0), "");
}

// Two plain threads make a chunk of control blocks each at once (the pool empty, its ring
// with room for one chunk more), then every block is freed and 1,100 goroutines need
// blocks of all nine chunks, each exactly once. Exits 0 if all 1,100 ran.
int two_chunks_at_once() {
  setenv("GORO_MAXPROCS", "1", 1);
  auto gate = goro::make_chan<goro::unit>();
  std::atomic<int> started{0};
  auto parked = [gate, &started] {
    started++;
    (void)gate.recv();
  };
  for (int i = 0; i < 896; ++i) goro::go(parked);  // 7 chunks of 128 in use
  slow_goroutine_chunks.store(true);
  std::atomic<int> ready{0};
  auto spawner = [&] {
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    goro::go(parked);
  };
  std::thread t1(spawner);
  std::thread t2(spawner);
  t1.join();
  t2.join();
  slow_goroutine_chunks.store(false);
  while (started.load() < 898) std::this_thread::yield();
  gate.close();  // every block goes back to the pool
  while (goro::num_goroutines() > 0) std::this_thread::yield();
  auto gate2 = goro::make_chan<goro::unit>();
  std::atomic<int> ran{0};
  constexpr int n = 1100;
  for (int i = 0; i < n; ++i) goro::go([gate2, &ran] {
    ran++;
    (void)gate2.recv();
  });
  auto give_up = std::chrono::steady_clock::now() + 10s;
  while (ran.load() < n && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  return ran.load() == n && goro::num_goroutines() == static_cast<std::size_t>(n) ? 0 : 1;
}

TEST(RaceWindow, TwoThreadsMakingGoroutineChunksAtOnceBothCountThem) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers replace operator new";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(two_chunks_at_once()), ::testing::ExitedWithCode(0), "");
}

}  // namespace

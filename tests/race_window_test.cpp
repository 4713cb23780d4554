// Races whose window is too narrow to hit by chance, widened by interposing libc calls in
// this binary (each delay armed only by the test that needs it, in its own process), as
// a descheduled thread on a loaded machine would widen them:
//  * opendir("/proc/self/task") waits 300 ms: a foreign thread that hands a value to a
//    blocked goroutine during the deadlock check's census and exits leaves a census with
//    no foreign thread; the check must look at the state again after it (it reported the
//    healthy program as deadlocked, exit 2, before).
//  * pthread_create waits 2 ms: set_maxprocs from another thread while the runtime is
//    starting (its preset read, its workers being created) must not be lost.
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
#include <thread>

#include "support/scale.hpp"

using namespace std::chrono_literals;

namespace {
std::atomic<bool> census_armed{false};
std::atomic<bool> in_census{false};
std::atomic<bool> slow_thread_start{false};
std::atomic<int> threads_created{0};
}  // namespace

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  static auto real = reinterpret_cast<int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*)>(
      dlsym(RTLD_NEXT, "pthread_create"));
  if (slow_thread_start.load()) std::this_thread::sleep_for(2ms);
  int r = real(thread, attr, start, arg);
  threads_created.fetch_add(1);
  return r;
}

extern "C" DIR* opendir(const char* name) {
  static auto real = reinterpret_cast<DIR* (*)(const char*)>(dlsym(RTLD_NEXT, "opendir"));
  if (census_armed.load() && std::strcmp(name, "/proc/self/task") == 0) {
    in_census.store(true);
    std::this_thread::sleep_for(300ms);
  }
  return real(name);
}

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

}  // namespace

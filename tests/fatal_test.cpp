// Death tests for the fatal paths, which must read as Go's and exit with status 2:
// a panic (exception escaping a goroutine), a deadlock, a stack overflow.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include "debug/stack_trace.hpp"

#include "support/waker_thread.hpp"

#include <stdexcept>
#include <thread>

namespace {

class Fatal : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

namespace {
__attribute__((noinline)) void throws_from_a_named_function() {
  throw std::runtime_error("boom at the mill");
}
}  // namespace

TEST_F(Fatal, ExceptionEscapingAGoroutineIsAPanic) {
  EXPECT_EXIT(goro::run([] {
                goro::wait_group wg;
                wg.add(1);
                goro::go([] { throws_from_a_named_function(); });  // the creation site
                wg.wait();
              }),
              ::testing::ExitedWithCode(2),
              "panic: boom at the mill\n\ngoroutine [0-9]+ \\[running\\]:\n.*created by .* in goroutine "
              "[0-9]+\n\t.*fatal_test.cpp:[0-9]+");
}

#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
// GCC calls std::terminate before unwinding an exception that leaves a noexcept frame,
// so the panic shows where it was thrown (clang, and GCC's ASan builds, whose stack
// cleanups are landing pads, unwind to the goroutine's entry first).
TEST_F(Fatal, APanicShowsTheStackAtTheThrow) {
  EXPECT_EXIT(goro::run([] {
                goro::go([] { throws_from_a_named_function(); });
                goro::sleep(std::chrono::seconds(10));
              }),
              ::testing::ExitedWithCode(2),
              "panic: boom at the mill\n\ngoroutine [0-9]+ \\[running\\]:\n"
              ".*throws_from_a_named_function.*created by ");
}
#endif

TEST_F(Fatal, ExceptionEscapingMainIsAPanic) {
  EXPECT_EXIT(goro::run([]() -> int { throw std::logic_error("main failed"); }),
              ::testing::ExitedWithCode(2), "panic: main failed");
}

TEST_F(Fatal, NonStdExceptionIsAPanic) {
  EXPECT_EXIT(goro::run([] { throw 42; }), ::testing::ExitedWithCode(2),
              "panic: unknown exception");
}

TEST_F(Fatal, GoroPanicFromMisuseIsReportedWithItsMessage) {
  EXPECT_EXIT(goro::run([] {
                goro::wait_group wg;
                wg.done();
              }),
              ::testing::ExitedWithCode(2), "panic: sync: negative WaitGroup counter");
}

TEST_F(Fatal, DeadlockWhenMainAndEveryGoroutineBlock) {
  EXPECT_EXIT(goro::run([] {
                goro::wait_group never;
                never.add(1);
                goro::go([&] { never.wait(); });
                never.wait();
              }),
              ::testing::ExitedWithCode(2),
              goro::detail::stack_traces_supported()
                  ? "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine [0-9]+ "
                    "\\[sync.WaitGroup.Wait\\]:\n.*goro::detail::sema::acquire.*created by .*"
                  : "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine [0-9]+ "
                    "\\[sync.WaitGroup.Wait\\]:\ncreated by .*");
}

TEST_F(Fatal, NoDeadlockWhileASleeperCanWakeMain) {
  EXPECT_EXIT(
      {
        goro::run([] {
          goro::wait_group wg;
          wg.add(1);
          goro::go([&] {
            goro::sleep(std::chrono::milliseconds(50));
            wg.done();
          });
          wg.wait();
        });
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(Fatal, NoDeadlockWhileAPlainThreadCanWakeMain) {
  EXPECT_EXIT(
      {
        goro::wait_group wg;
        wg.add(1);
        std::thread t = goro::test::start_waker_thread([&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          wg.done();
        });
        goro::run([&] { wg.wait(); });
        t.join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(Fatal, GoroutinesLeftBlockedAfterMainReturnsAreNotADeadlock) {
  EXPECT_EXIT(
      {
        static goro::wait_group never;
        never.add(1);
        goro::run([] { goro::go([] { never.wait(); }); });
        goro::run([] {});
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

int recurse_forever(int n) {
  volatile char frame[512];
  frame[0] = static_cast<char>(n);
  return recurse_forever(n + 1) + frame[0];
}

TEST_F(Fatal, StackOverflowIsReported) {
  EXPECT_EXIT(goro::run([] { recurse_forever(0); }), ::testing::ExitedWithCode(2),
              "fatal error: goroutine [0-9]+ stack overflow");
}

TEST_F(Fatal, StackOverflowOfASmallCustomStackIsReported) {
  EXPECT_EXIT(goro::run([] {
                goro::wait_group wg;
                wg.add(1);
                goro::go(goro::stack_size(32 * 1024), [] { recurse_forever(0); });
                wg.wait();
              }),
              ::testing::ExitedWithCode(2), "fatal error: goroutine [0-9]+ stack overflow");
}

TEST_F(Fatal, NoDeadlockWhileAPlainThreadIsOnItsWayToItsFirstGoroCall) {
  // A goroutine starts a plain thread that feeds it a channel and blocks on the channel
  // at once. The thread counts as a possible waker only from its first goro call
  // (settled detail 16), which comes after its start-up: a few ms here (the sleep stands
  // for a slow start; nothing waits on it). Reported as a deadlock before the check's
  // grace, on every run with the sleep and on 10 of 40 without it.
  EXPECT_EXIT(
      {
        int got = 0;
        goro::run([&] {
          goro::chan<int> c = goro::make_chan<int>();
          std::thread feeder([c] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            c.send(7);
          });
          got = c.recv().value_or(0);
          feeder.join();
        });
        std::exit(got == 7 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(Fatal, ADeadlockWithAPlainThreadThatBlockedTooIsStillReported) {
  // The late thread's first goro call is a receive that nobody will ever send to: once
  // it blocks, the deadlock holds through the grace and is reported.
  EXPECT_EXIT(goro::run([] {
                goro::chan<int> c = goro::make_chan<int>();
                std::thread late([c] {
                  std::this_thread::sleep_for(std::chrono::milliseconds(20));
                  (void)c.recv();
                });
                late.detach();
                (void)c.recv();
              }),
              ::testing::ExitedWithCode(2), "fatal error: all goroutines are asleep - deadlock!");
}

}  // namespace


namespace {

// A deadlock is reported after set_maxprocs shrank the worker count. (A retired worker
// that is the last to park now runs the check too; this test does not force that order,
// which depends on where main runs.)
TEST_F(Fatal, DeadlockAfterShrinkingMaxprocs) {
  EXPECT_EXIT(
      {
        goro::set_maxprocs(4);
        goro::run([] {
          goro::set_maxprocs(1);
          goro::wait_group never;
          never.add(1);
          never.wait();
        });
      },
      ::testing::ExitedWithCode(2), "fatal error: all goroutines are asleep - deadlock!");
}

}  // namespace

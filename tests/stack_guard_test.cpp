// Death tests for stack overflows by large frames (issue 16, settled detail 27): a frame of
// up to 64 KiB that runs off a goroutine's stack stops the process with Go's message,
// "fatal error: goroutine N stack overflow", and exit status 2, whether the code was built
// with -fstack-clash-protection (goro::goro's flags: the frame is probed page by page and
// hits the guard's first page) or without it (the frame's first write lands anywhere in
// the 64 KiB guard region below the stack). Never a bare SIGSEGV, never a write into the
// stack below. Frames: stack_guard_frames.hpp. (Recursion with small frames and
// goro::stack_size stacks: fatal_test.cpp; the guard region itself: stack_allocator_test.)
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <cstdlib>

#include "stack_guard_frames.hpp"

namespace {

constexpr const char* kOverflow =
    "fatal error: goroutine [0-9]+ stack overflow \\(stacks do not grow: use goro::stack_size\\)";

class StackGuard : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

// Runs f on a goroutine of its own while main waits, so that the stack below the
// overflowing one (if the guard let the frame through) is a live goroutine's.
template <class F>
void run_in_a_goroutine(F f, std::size_t stack_bytes = 0) {
  goro::run([f, stack_bytes] {
    goro::wait_group wg;
    wg.add(1);
    auto body = [&wg, f] {
      f();
      wg.done();
    };
    if (stack_bytes) goro::go(goro::stack_size(stack_bytes), body);
    else goro::go(body);
    wg.wait();
  });
}

TEST_P(StackGuard, AProbedFrameIsAStackOverflow) {
  std::size_t kib = GetParam();
  EXPECT_EXIT(run_in_a_goroutine([kib] { goro::test::big_frame_near_the_bottom_probed(kib); }),
              ::testing::ExitedWithCode(2), kOverflow);
}

TEST_P(StackGuard, AnUnprobedFrameIsAStackOverflow) {
  std::size_t kib = GetParam();
  EXPECT_EXIT(run_in_a_goroutine([kib] { goro::test::big_frame_near_the_bottom_unprobed(kib); }),
              ::testing::ExitedWithCode(2), kOverflow);
}

TEST_P(StackGuard, AnUnprobedFrameOnACustomSizeStackIsAStackOverflow) {
  std::size_t kib = GetParam();
  EXPECT_EXIT(run_in_a_goroutine([kib] { goro::test::big_frame_near_the_bottom_unprobed(kib); }, 128 * 1024),
              ::testing::ExitedWithCode(2), kOverflow);
}

INSTANTIATE_TEST_SUITE_P(FrameKiB, StackGuard, ::testing::Values(8, 16, 32, 60),
                         [](const auto& info) { return std::to_string(info.param) + "KiB"; });

TEST(StackGuardRecursion, ProbedRecursionWith16KiBFramesIsAStackOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_in_a_goroutine([] { goro::test::recurse_with_16k_frames_probed(0); }),
              ::testing::ExitedWithCode(2), kOverflow);
}

TEST(StackGuardRecursion, UnprobedRecursionWith16KiBFramesIsAStackOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_in_a_goroutine([] { goro::test::recurse_with_16k_frames_unprobed(0); }),
              ::testing::ExitedWithCode(2), kOverflow);
}

// Guard pages made with mprotect (kernels without MADV_GUARD_INSTALL; forced here with
// GORO_STACK_GUARD_BUDGET, see src/sched/config.hpp) cover the same 64 KiB.
TEST(StackGuardRecursion, AnUnprobedFrameOverflowingAnMprotectGuardedStackIsAStackOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("GORO_STACK_GUARD_BUDGET", "100", 1);
        run_in_a_goroutine([] { goro::test::big_frame_near_the_bottom_unprobed(60); });
      },
      ::testing::ExitedWithCode(2), kOverflow);
}

}  // namespace

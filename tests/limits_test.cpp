// Limits (issue 9): when the machine runs out of what the runtime itself needs, the
// program ends with a clear Go-style message and exit status 2, never a crash:
//   - stack memory (RLIMIT_AS): "fatal error: out of memory allocating goroutine stack";
//   - descriptors (RLIMIT_NOFILE): none for a socket is an EMFILE exception (goro::net's
//     contract) and the process goes on; none for the poller's own epoll instance is
//     "fatal error: epoll_create1 failed: Too many open files";
//   - guard pages (vm.max_map_count, on kernels without MADV_GUARD_INSTALL; the budget is
//     forced small with GORO_STACK_GUARD_BUDGET): one warning naming vm.max_map_count and
//     the guarded stacks, later stacks unguarded; with GORO_STACK_GUARD=required, a fatal
//     error instead.
// (A million parked goroutines: stress/spawn_stress_test.cpp. Accept under EMFILE:
// net_test.cpp.) Each limit is set in a child process only.
#include <goro/goro.hpp>
#include <goro/net.hpp>
#include <gtest/gtest.h>
#include <chrono>
#include <atomic>

#include <sys/mman.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <system_error>

#include "platform/stack_allocator.hpp"
#include "support/scale.hpp"

namespace {

// Sets RLIMIT_AS to the process's address space as it is now plus headroom_kib.
void limit_address_space_to_current_plus(long headroom_kib) {
  rlimit as{};
  getrlimit(RLIMIT_AS, &as);
  long vm_kib = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    long pages = 0;
    if (std::fscanf(f, "%ld", &pages) == 1) vm_kib = pages * 4;
    std::fclose(f);
  }
  as.rlim_cur = static_cast<rlim_t>(vm_kib + headroom_kib) * 1024;
  setrlimit(RLIMIT_AS, &as);
}

TEST(Limits, ExhaustedStackMemoryIsAClearFatalError) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers reserve terabytes of shadow: no RLIMIT_AS";
  EXPECT_EXIT(goro::run([] {
                // Room for the runtime as it is plus 256 MiB: about a thousand 256 KiB stacks.
                limit_address_space_to_current_plus(256 * 1024);
                auto never = goro::make_chan<int>();
                for (;;) goro::go([never] { never.recv(); });  // parks; each keeps its stack
              }),
              ::testing::ExitedWithCode(2), "fatal error: out of memory allocating goroutine stack");
}

TEST(Limits, AHandOffThatCannotStartAThreadLeavesTheHogWhereItIs) {
  // sysmon hands the slot of a hog (here main, computing for 50 ms on the only worker
  // while another goroutine waits) to a new worker thread. With the address space too
  // small for a thread's stack, that thread cannot start: the hand-off must give up and
  // the program go on (the waiting goroutine runs once main parks). Before, the failure
  // escaped a noexcept path: std::terminate.
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizers reserve terabytes of shadow: no RLIMIT_AS";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        goro::set_maxprocs(1);
        int rc = goro::run([] {
          limit_address_space_to_current_plus(4 * 1024);  // less than a thread's 8 MiB stack
          std::atomic<bool> ran{false};
          goro::wait_group wg;
          wg.add(1);
          goro::go([&] {
            ran = true;
            wg.done();
          });
          auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
          while (std::chrono::steady_clock::now() < until) {
          }
          wg.wait();
          return ran.load() ? 0 : 1;
        });
        std::exit(rc);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Limits, NoDescriptorForTheFirstSocketIsReportedNotFatal) {
  // UBSan's vptr check needs descriptors of its own: with none left it reports every
  // polymorphic object (std::thread's state, iostreams) as having an invalid vptr.
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizer runtimes need spare descriptors themselves";
  EXPECT_EXIT(
      {
        rlimit nofile{};
        getrlimit(RLIMIT_NOFILE, &nofile);
        int lowest_free = open("/dev/null", O_RDONLY);  // descriptors must be below the limit
        close(lowest_free);
        // Both limits: the runtime raises the soft limit to the hard one at start, as Go does.
        nofile.rlim_cur = nofile.rlim_max = static_cast<rlim_t>(lowest_free);
        setrlimit(RLIMIT_NOFILE, &nofile);
        int rc = goro::run([] {
          try {
            goro::net::listen("tcp", "127.0.0.1:0");
            return 1;
          } catch (const std::system_error& e) {
            return e.code() == std::errc::too_many_files_open ? 0 : 3;
          }
        });
        std::exit(rc);
      },
      ::testing::ExitedWithCode(0), "");
}

// One descriptor to spare: the socket gets it, and the poller's own epoll instance then
// cannot be made. That is the runtime's resource, so it is Go's kind of fatal error.
TEST(Limits, NoDescriptorForThePollerIsAClearFatalError) {
  if (goro::test::kSanitized) GTEST_SKIP() << "the sanitizer runtimes need spare descriptors themselves";
  EXPECT_EXIT(
      {
        rlimit nofile{};
        int lowest_free = open("/dev/null", O_RDONLY);
        close(lowest_free);
        nofile.rlim_cur = nofile.rlim_max = static_cast<rlim_t>(lowest_free + 1);
        setrlimit(RLIMIT_NOFILE, &nofile);
        goro::run([] { goro::net::listen("tcp", "127.0.0.1:0"); });
        std::exit(0);
      },
      ::testing::ExitedWithCode(2), "fatal error: epoll_create1 failed: Too many open files");
}

// Starts n goroutines that each keep their stack (parked on a channel) until all have
// started, then lets them finish.
void park_goroutines_with_stacks(int n) {
  auto release = goro::make_chan<int>();
  goro::wait_group started, finished;
  started.add(n);
  finished.add(n);
  for (int i = 0; i < n; ++i)
    goro::go([&] {
      started.done();
      release.recv();
      finished.done();
    });
  started.wait();
  release.close();
  finished.wait();
}

constexpr const char* kGuardWarning =
    "goro: 4 goroutine stacks have guard pages \\(vm.max_map_count=[0-9]+\\); later stacks have "
    "none: raise vm.max_map_count or set GORO_STACK_GUARD=required\n";

TEST(Limits, StacksBeyondTheGuardBudgetWarnOnceAndStillRun) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("GORO_STACK_GUARD_BUDGET", "4", 1);
        // stderr goes to a file while goroutines run, to count the warnings.
        int saved = dup(STDERR_FILENO);
        int captured = memfd_create("stderr", 0);
        dup2(captured, STDERR_FILENO);
        int rc = goro::run([] {
          park_goroutines_with_stacks(64);
          park_goroutines_with_stacks(64);
          auto mode = goro::detail::platform::stack_allocator::instance().mode();
          return mode == goro::detail::platform::guard_mode::none ? 0 : 3;
        });
        dup2(saved, STDERR_FILENO);
        std::string text(1 << 16, '\0');
        text.resize(static_cast<std::size_t>(pread(captured, text.data(), text.size(), 0)));
        std::fputs(text.c_str(), stderr);
        std::size_t warnings = 0;
        for (std::size_t at = text.find("goro: "); at != std::string::npos; at = text.find("goro: ", at + 1))
          ++warnings;
        std::exit(rc != 0 ? rc : warnings == 1 ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), kGuardWarning);
}

TEST(Limits, RunningOutOfGuardedStacksIsFatalWhenGuardsAreRequired) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("GORO_STACK_GUARD_BUDGET", "4", 1);
        setenv("GORO_STACK_GUARD", "required", 1);
        goro::run([] { park_goroutines_with_stacks(64); });
      },
      ::testing::ExitedWithCode(2),
      "fatal error: out of guarded goroutine stacks \\(GORO_STACK_GUARD=required\\): 4 goroutine "
      "stacks have guard pages \\(vm.max_map_count=[0-9]+\\); raise vm.max_map_count\n");
}

}  // namespace

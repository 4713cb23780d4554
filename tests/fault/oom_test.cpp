// Out-of-memory tests (issue 16): the runtime's own allocations fail on purpose (the
// "alloc" fault, tests/fault/alloc_hook.hpp) and each path must fail cleanly: an
// operation that can report it throws std::bad_alloc (or reports ENOMEM) to its caller
// with nothing changed; a path with nobody to report to (a timer's fire, a noexcept step
// of the scheduler) either never allocates (its memory was reserved earlier) or stops
// the process with Go's "fatal error: runtime: out of memory", exit 2. Never "terminate
// called", never a panic attributed to another goroutine, never a lock left held.
// Built only with GORO_FAULT_INJECTION (the asan preset). Most tests run in a child
// process (threadsafe death tests): a fresh runtime whose pools and heaps have not
// grown yet, so which allocation comes when is known.
#include <goro/goro.hpp>
#include <goro/net.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>
#include <utility>
#include <vector>

#include "alloc_hook.hpp"
#include "net/poller.hpp"
#include "platform/fault_injection.hpp"
#include "sched/scheduler.hpp"
#include "support/process_stats.hpp"

using namespace std::chrono_literals;
namespace net = goro::net;
namespace pf = goro::detail::platform;
using pf::sys_call;
using clk = std::chrono::steady_clock;

namespace {

class Oom : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    pf::faults_clear();
  }
  void TearDown() override { pf::faults_clear(); }
};

template <std::size_t... I>
std::size_t select_all(std::vector<goro::chan<int>>& cs, std::index_sequence<I...>) {
  return goro::select(goro::recv_case(cs[I])...);
}

// A select of more than 8 cases takes its arrays from operator new. Each of its
// allocations fails in turn (the poll order, the lock order, the waiters of a select
// that blocks): select throws std::bad_alloc, and no channel is left locked or holding
// a waiter (the waiters were allocated under the channels' locks, which a bad_alloc then
// left held for good).
TEST_F(Oom, SelectOfManyCasesAllocatesBeforeItLocks) {
  goro::run([] {
    constexpr std::size_t kCases = 12;
    std::vector<goro::chan<int>> cs;
    for (std::size_t i = 0; i < kCases; ++i) cs.push_back(goro::make_chan<int>(1));
    for (std::uint32_t k = 0; k < 3; ++k) {
      bool threw = false;
      {
        goro::test::alloc_faults_on_this_thread here;
        pf::faults_force(sys_call::alloc, ENOMEM, 1, k);
        try {
          select_all(cs, std::make_index_sequence<kCases>{});  // nothing is ready: it would block
        } catch (const std::bad_alloc&) {
          threw = true;
        }
        EXPECT_EQ(pf::faults_injected(sys_call::alloc), 1u) << "allocation " << k;
        pf::faults_clear();
      }
      EXPECT_TRUE(threw) << "allocation " << k;
      for (std::size_t i = 0; i < kCases; ++i) {
        ASSERT_TRUE(cs[i].core()->lock.try_lock()) << "channel " << i << " left locked (allocation " << k << ")";
        cs[i].core()->lock.unlock();
        EXPECT_TRUE(cs[i].try_send(static_cast<int>(i)));  // no stale waiter takes it
        EXPECT_EQ(cs[i].try_recv().value_or(-1), static_cast<int>(i));
      }
    }
  });
}

}  // namespace

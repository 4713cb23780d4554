// Tests for the diagnostics: goroutines() and dump() with goroutines parked in every wait
// reason (names, creation sites, parents), stats(), the SIGQUIT dump (exit 2), and the
// GoogleTest leak checker (a leak fails the test and names the creation site).
#include <goro/goro.hpp>
#include <goro/testing.hpp>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "debug/stack_trace.hpp"

#include <atomic>
#include <csignal>
#include <map>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <string>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

// Waits (parking, bounded) until every id in ids is waiting; false on timeout.
bool all_waiting(const std::set<std::uint64_t>& ids) {
  auto give_up = clk::now() + 10s;
  for (;;) {
    std::size_t n = 0;
    for (const auto& g : goro::goroutines())
      if (ids.count(g.id) && g.state == "waiting") ++n;
    if (n == ids.size()) return true;
    if (clk::now() > give_up) return false;
    goro::sleep(1ms);
  }
}

TEST(Debug, EveryWaitReasonIsNamedWithItsCreationSite) {
  goro::run([] {
    auto never = goro::make_chan<int>();
    auto recv_ch = goro::make_chan<int>();
    auto full = goro::make_chan<int>(1);
    full.send(0);
    goro::chan<int> nil;
    goro::mutex m;
    goro::shared_mutex rw;
    goro::mutex cvm;
    goro::condition_variable cv;
    goro::wait_group wg_never;
    wg_never.add(1);
    goro::semaphore sem(1);
    sem.acquire();
    m.lock();
    rw.lock();
    auto release = goro::make_chan<goro::unit>();
    goro::wait_group done;
    std::map<std::string, std::uint64_t> want;  // reason -> goroutine id
    auto start = [&](const std::string& reason, auto f, bool returns = true) {
      auto ids = goro::make_chan<std::uint64_t>(1);
      if (returns) done.add(1);
      goro::go([&, f, ids, returns]() mutable {
        ids.send(goro::this_goroutine::id());
        f();
        if (returns) done.done();
      });
      want[reason] = *ids.recv();
    };
    start("chan receive", [&] { recv_ch.recv(); });
    start("chan send", [&] { full.send(1); });
    start("select", [&] { goro::select(goro::recv_case(never), goro::recv_case(release)); });
    start("sleep", [] { goro::sleep(300ms); });
    start("sync.Mutex.Lock", [&] { m.lock(); m.unlock(); });
    start("sync.RWMutex.RLock", [&] { rw.lock_shared(); rw.unlock_shared(); });
    start("sync.Cond.Wait", [&] {
      std::unique_lock lk(cvm);
      cv.wait(lk);
    });
    start("sync.WaitGroup.Wait", [&] { wg_never.wait(); });
    start("semacquire", [&] { sem.acquire(); sem.release(); });
    start("chan receive (nil chan)", [nil] { nil.recv(); }, false);  // parked forever (allowed)
    goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
    start("IO wait", [&] {
      std::error_code ec;
      ln.accept(ec);  // until the listener is closed below
    });
    EXPECT_GE(goro::stats().poller_fds, 1u);
    std::set<std::uint64_t> ids;
    for (auto& [r, id] : want) ids.insert(id);
    ASSERT_TRUE(all_waiting(ids)) << "the goroutines never parked";
    std::map<std::uint64_t, goro::goroutine_info> by_id;
    for (auto& g : goro::goroutines()) by_id[g.id] = g;
    std::uint64_t me = goro::this_goroutine::id();
    for (auto& [reason, id] : want) {
      ASSERT_TRUE(by_id.count(id)) << reason;
      const goro::goroutine_info& g = by_id[id];
      EXPECT_EQ(g.wait_reason, reason) << "goroutine " << id;
      EXPECT_NE(g.file.find("debug_test.cpp"), std::string::npos) << g.file;
      EXPECT_GT(g.line, 0u);
      EXPECT_EQ(g.parent_id, me);
    }
    std::ostringstream os;
    goro::dump(os);
    std::string text = os.str();
    for (auto& [reason, id] : want)
      EXPECT_NE(text.find("goroutine " + std::to_string(id) + " ["), std::string::npos) << text;
    if (goro::detail::stack_traces_supported())
      EXPECT_NE(text.find("[sync.Mutex.Lock]:\ngoro::detail::park_on"), std::string::npos) << text;
    else
      EXPECT_NE(text.find("[sync.Mutex.Lock]:\ncreated by "), std::string::npos) << text;
    EXPECT_NE(text.find("debug_test.cpp:"), std::string::npos);
    EXPECT_NE(text.find("goroutine " + std::to_string(me) + " [running]"), std::string::npos) << text;
    // Release everyone.
    ln.close();
    release.close();
    recv_ch.close();
    full.recv();
    m.unlock();
    rw.unlock();
    {
      std::lock_guard lk(cvm);
      cv.notify_all();
    }
    wg_never.done();
    sem.release();
    done.wait();
  });
}

TEST(Debug, StatsCountGoroutinesTimersAndParks) {
  goro::run([] {
    goro::runtime_stats before = goro::stats();
    EXPECT_EQ(before.procs, goro::maxprocs());
    EXPECT_EQ(before.local_queue.size(), static_cast<std::size_t>(goro::maxprocs()));
    EXPECT_GE(before.running, 1u) << "this goroutine runs";
    goro::wait_group wg;
    auto gate = goro::make_chan<goro::unit>();
    std::set<std::uint64_t> ids;
    auto ids_ch = goro::make_chan<std::uint64_t>(20);
    for (int i = 0; i < 10; ++i) {
      wg.add(2);
      goro::go([&, ids_ch] {
        ids_ch.send(goro::this_goroutine::id());
        gate.recv();
        wg.done();
      });
      goro::go([&, ids_ch] {
        ids_ch.send(goro::this_goroutine::id());
        goro::sleep(200ms);
        wg.done();
      });
    }
    for (int i = 0; i < 20; ++i) ids.insert(*ids_ch.recv());
    ASSERT_TRUE(all_waiting(ids));
    goro::runtime_stats s = goro::stats();
    EXPECT_GE(s.waiting, 20u);
    EXPECT_GE(s.goroutines, 21u);
    EXPECT_EQ(s.goroutines, s.runnable + s.running + s.waiting);
    EXPECT_GE(s.timers, 10u) << "ten sleepers";
    EXPECT_GE(s.parks, before.parks + 20);
    EXPECT_GE(s.stacks_in_use, 20u);
    EXPECT_GT(s.stack_bytes_reserved, 0u);
    EXPECT_EQ(s.poller_fds, 0u);
    gate.close();
    wg.wait();
  });
}

namespace {
// Not inlined, so it has a frame of its own in the parked goroutine's stack.
__attribute__((noinline)) void parked_in_a_named_function(goro::chan<int> c) {
  c.recv();
  asm volatile("");  // keeps the call a call (no tail call)
}
}  // namespace

TEST(Debug, ParkedGoroutinesShowTheirStacks) {
  if (!goro::detail::stack_traces_supported()) GTEST_SKIP() << "built without libunwind";
  goro::run([] {
    auto c = goro::make_chan<int>();
    std::atomic<std::uint64_t> id{0};
    goro::go([&id, c] {
      id = goro::this_goroutine::id();
      parked_in_a_named_function(c);
    });
    while (!id.load()) goro::yield();
    ASSERT_TRUE(all_waiting({id.load()}));
    bool found = false;
    for (const auto& g : goro::goroutines()) {
      if (g.id != id.load()) continue;
      std::string joined;
      for (const std::string& f : g.stack) joined += f + "\n";
      EXPECT_NE(joined.find("parked_in_a_named_function"), std::string::npos) << joined;
      EXPECT_NE(joined.find("chan_core::recv"), std::string::npos) << joined;
      found = true;
    }
    EXPECT_TRUE(found);
    std::ostringstream os;
    goro::dump(os);
    EXPECT_NE(os.str().find("parked_in_a_named_function"), std::string::npos) << os.str();
    c.send(1);
  });
}

TEST(Debug, DumpsWhileGoroutinesParkAndResumeNeverCrash) {
  // Stack walks race with goroutines that keep resuming: a walk must see either a
  // consistent stack or none, and never fault.
  goro::run([] {
    std::atomic<bool> stop{false};
    goro::wait_group wg;
    for (int pair = 0; pair < 4; ++pair) {
      auto ping = goro::make_chan<int>();
      wg.add(2);
      goro::go([&, ping] {
        for (int i = 0; !stop.load(); ++i) ping.send(i);
        ping.close();
        wg.done();
      });
      goro::go([&, ping] {
        while (ping.recv()) {
        }
        wg.done();
      });
    }
    auto until = clk::now() + 300ms;
    int dumps = 0;
    while (clk::now() < until) {
      std::ostringstream os;
      goro::dump(os);
      for (const auto& g : goro::goroutines())
        for (const std::string& f : g.stack) EXPECT_FALSE(f.empty());
      ++dumps;
    }
    stop.store(true);
    wg.wait();
    EXPECT_GT(dumps, 0);
  });
}

TEST(Debug, DumpAndListFromAPlainThread) {
  // From a plain thread (the runtime may or may not have started): only live goroutines.
  std::ostringstream os;
  goro::dump(os);
  for (const auto& g : goro::goroutines()) EXPECT_NE(g.state, "");
}

TEST(Debug, SigquitPrintsTheDumpAndExits2) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(goro::run([] {
                auto never = goro::make_chan<int>();
                goro::go([never] { never.recv(); });
                goro::yield();
                std::raise(SIGQUIT);
                goro::sleep(10s);  // the dumper exits the process first
              }),
              testing::ExitedWithCode(2), "SIGQUIT: quit\n\ngoroutine [0-9]+ \\[");
}

TEST(LeakCheck, PassesWhenEveryGoroutineEnded) {
  goro::testing::leak_check leaks;
  goro::run([] {
    goro::wait_group wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i) goro::go([&] { wg.done(); });
    wg.wait();
  });
  EXPECT_TRUE(leaks.check_now());
}

auto leak_release = goro::make_chan<goro::unit>();

void leak_one() {
  goro::testing::leak_check leaks(50ms);
  goro::go([] { leak_release.recv(); });  // still blocked when the check runs
}

TEST(LeakCheck, FailsAndNamesTheLeakedGoroutine) {
  EXPECT_NONFATAL_FAILURE(leak_one(), "goroutine(s) started during the test are still alive");
  EXPECT_NONFATAL_FAILURE(leak_one(), "debug_test.cpp");
  leak_release.close();  // let them go
}

}  // namespace

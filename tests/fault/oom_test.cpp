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

// The first failed check of a child's body: a fixed buffer, since checks may run while
// allocations fail.
char g_failure[256];
#define CHILD_CHECK(cond)                                                                           \
  do {                                                                                              \
    if (!(cond) && !g_failure[0]) std::snprintf(g_failure, sizeof g_failure, "line %d: %s", __LINE__, #cond); \
  } while (0)

// Runs body as run()'s main in the child and exits 0 if every check held.
template <class F>
[[noreturn]] void child_main(F body, int procs = 0) {
  if (procs) goro::set_maxprocs(procs);
  goro::run(body);
  pf::faults_clear();
  if (g_failure[0]) std::fprintf(stderr, "FAIL: %s\n", g_failure);
  std::exit(g_failure[0] ? 1 : 0);
}

// Runs op with its k-th allocation on this thread failing, for k = 0, 1, ... until it
// runs with no allocation failing; op returns false for a failure it reports itself
// (a std::bad_alloc counts as one too). After each failure check() must hold: the
// failed op left nothing behind. Returns how many failures there were. op must not park
// (alloc_hook.hpp).
template <class Op, class Check>
int fail_each_allocation(Op op, Check check) {
  for (std::uint32_t k = 0; k < 200; ++k) {
    bool ok = false;
    std::uint64_t injected = 0;
    {
      goro::test::alloc_faults_on_this_thread here;
      pf::faults_force(sys_call::alloc, ENOMEM, 1, k);
      try {
        ok = op();
      } catch (const std::bad_alloc&) {
      }
      injected = pf::faults_injected(sys_call::alloc);
      pf::faults_clear();
    }
    if (injected == 0) {
      CHILD_CHECK(ok);
      return static_cast<int>(k);
    }
    if (!ok) check();
  }
  CHILD_CHECK(!"an operation that allocates more than 200 times");
  return -1;
}

// Timer entries and sleepers in every P's heap.
std::size_t heap_entries() {
  std::size_t n = 0;
  goro::detail::scheduler::get().for_each_p([&](goro::detail::processor* p) { n += p->timers.size(); });
  return n;
}

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

// Freeing control blocks and stacks happens on the exit path (noexcept): it must never
// allocate. 1,000 goroutines exit while every allocation of every thread fails.
TEST_F(Oom, ExitingGoroutinesNeverAllocate) {
  EXPECT_EXIT(child_main([] {
                constexpr int kGoroutines = 1000;
                auto gate = goro::make_chan<goro::unit>();
                goro::wait_group started, done;
                started.add(kGoroutines);
                done.add(kGoroutines);
                for (int i = 0; i < kGoroutines; ++i)
                  goro::go([&, gate] {
                    started.done();
                    gate.recv();
                    done.done();
                  });
                started.wait();  // each has its stack
                pf::faults_configure("alloc=1");
                gate.close();
                done.wait();
                const std::uint64_t tried = pf::faults_injected(sys_call::alloc);
                pf::faults_clear();
                CHILD_CHECK(tried == 0);
              }),
              ::testing::ExitedWithCode(0), "");
}

// goro::go reports running out of memory to the spawner, with no goroutine made: for a
// task stored on the heap, and for a control block when none is free.
TEST_F(Oom, SpawnThatCannotAllocateThrowsToTheSpawner) {
  EXPECT_EXIT(child_main(
                  [] {
                    struct big {
                      char bytes[256] = {};  // beyond the control block's inline room
                    };
                    const std::size_t before = goro::num_goroutines();
                    bool threw = false;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      try {
                        goro::go([b = big{}] { (void)b; });
                      } catch (const std::bad_alloc&) {
                        threw = true;
                      }
                      pf::faults_clear();
                    }
                    CHILD_CHECK(threw);
                    CHILD_CHECK(goro::num_goroutines() == before);
                    // Every free control block taken: the next spawn needs a new chunk.
                    auto gate = goro::make_chan<goro::unit>();
                    goro::wait_group wg;
                    std::size_t spawned = 0;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      for (;;) {
                        wg.add(1);
                        try {
                          goro::go([gate, &wg] {
                            gate.recv();
                            wg.done();
                          });
                        } catch (const std::bad_alloc&) {
                          wg.done();
                          break;
                        }
                        ++spawned;
                      }
                      pf::faults_clear();
                    }
                    CHILD_CHECK(spawned > 0);
                    CHILD_CHECK(goro::num_goroutines() == before + spawned);
                    gate.close();
                    wg.wait();
                    wg.add(1);
                    goro::go([&wg] { wg.done(); });  // with memory, spawning works
                    wg.wait();
                  },
                  1),
              ::testing::ExitedWithCode(0), "");
}

// An after_func's fire starts a goroutine on the scheduler's timer path, where
// nobody can be told: with no control block free and no memory for more, that is Go's
// fatal error, not std::terminate (or a panic of whichever goroutine was running).
TEST_F(Oom, AfterFuncFireWithoutMemoryIsAFatalError) {
  EXPECT_EXIT(child_main(
                  [] {
                    goro::timer t = goro::after_func(1h, [] {});
                    auto gate = goro::make_chan<goro::unit>();
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      for (;;) {  // use up every free control block (one P: all in reach)
                        try {
                          goro::go([gate] { gate.recv(); });
                        } catch (const std::bad_alloc&) {
                          break;
                        }
                      }
                    }
                    // Every allocation of every thread fails from here on.
                    t.reset(1ms);
                    gate.recv();
                  },
                  1),
              ::testing::ExitedWithCode(2),
              "fatal error: runtime: out of memory: cannot allocate a goroutine for an after_func timer");
}

// A sleep claims its slot in the timer heap before it parks, so the park's commit never
// allocates: without memory for the slot, sleep throws std::bad_alloc (the commit, run
// after the switch, could only terminate).
TEST_F(Oom, SleepWithoutMemoryThrowsBeforeItParks) {
  EXPECT_EXIT(child_main(
                  [] {
                    bool threw = false;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      try {
                        goro::sleep(1ms);  // the first timer of this P: its heap must grow
                      } catch (const std::bad_alloc&) {
                        threw = true;
                      }
                      pf::faults_clear();
                    }
                    CHILD_CHECK(threw);
                    CHILD_CHECK(heap_entries() == 0);
                    goro::sleep(1ms);  // with memory, it sleeps
                  },
                  1),
              ::testing::ExitedWithCode(0), "");
}

// Creating a timer, ticker, after_func (due later or at once) or a context with a
// timeout: each allocation in turn fails, and each failure throws std::bad_alloc with
// nothing left behind (no heap entry, no goroutine started, no child context linked).
TEST_F(Oom, TimerAndContextCreationFailCleanly) {
  EXPECT_EXIT(child_main([] {
                const std::size_t goroutines = goro::num_goroutines();
                auto nothing_left = [&] {
                  CHILD_CHECK(heap_entries() == 0);
                  CHILD_CHECK(goro::num_goroutines() == goroutines);
                };
                CHILD_CHECK(fail_each_allocation([] { return goro::timer(1h).stop(); }, nothing_left) > 0);
                CHILD_CHECK(fail_each_allocation(
                                [] {
                                  goro::ticker k(1h);
                                  return true;
                                },
                                nothing_left) > 0);
                CHILD_CHECK(fail_each_allocation([] { return goro::after_func(1h, [] {}).stop(); }, nothing_left) > 0);
                auto ran = goro::make_chan<int>(64);
                int started = 0;
                CHILD_CHECK(fail_each_allocation(
                                [&] {
                                  goro::after_func(0ns, [ran] { ran.try_send(1); });  // due: starts f at once
                                  ++started;
                                  return true;
                                },
                                nothing_left) > 0);
                for (int i = 0; i < started; ++i) ran.recv();
                CHILD_CHECK(started == 1);
                auto [parent, cancel_parent] = goro::with_cancel(goro::background());
                CHILD_CHECK(fail_each_allocation(
                                [&] {
                                  auto [ctx, cancel] = goro::with_timeout(parent, 1h);
                                  cancel();
                                  return true;
                                },
                                [&] {
                                  CHILD_CHECK(heap_entries() == 0);
                                  CHILD_CHECK(goro::detail::context_child_count(parent) == 0);
                                }) > 0);
                cancel_parent();  // every child's lock is free: no hang
              }),
              ::testing::ExitedWithCode(0), "");
}

// Once created, timers, tickers, after_funcs, sleeps and timed waits never allocate
// again: resets, stops, fires and ticks run with every allocation of every thread
// failing (a fire cannot report a failure to anyone).
TEST_F(Oom, TimersNeverAllocateOnceCreated) {
  EXPECT_EXIT(child_main(
                  [] {
                    goro::timer t(1h);
                    goro::ticker k(1h);
                    auto fired = goro::make_chan<int>(4);
                    goro::timer f = goro::after_func(1h, [fired] { fired.try_send(1); });
                    goro::mutex mu;
                    goro::condition_variable cv;
                    goro::sleep(1ms);  // a sleep's and a timed wait's heap slots exist from here on
                    {
                      std::unique_lock lk(mu);
                      cv.wait_for(lk, 1ms);
                    }
                    pf::faults_configure("alloc=1");
                    for (int i = 0; i < 20; ++i) {
                      t.reset(100us);
                      t.c().recv();
                      k.reset(100us);
                      k.c().recv();
                      f.reset(100us);
                      fired.recv();
                      goro::sleep(100us);
                      std::unique_lock lk(mu);
                      cv.wait_for(lk, 100us);
                      t.reset(1h);
                      t.stop();
                    }
                    const std::uint64_t tried = pf::faults_injected(sys_call::alloc);
                    pf::faults_clear();
                    CHILD_CHECK(tried == 0);
                  },
                  1),
              ::testing::ExitedWithCode(0), "");
}

// Freeing a long chain of contexts (destructors: nothing can be reported) allocates
// nothing.
TEST_F(Oom, FreeingAContextChainNeverAllocates) {
  EXPECT_EXIT(child_main([] {
                goro::context ctx = goro::background();
                for (int i = 0; i < 10000; ++i) ctx = goro::with_value(ctx, i, i);
                pf::faults_configure("alloc=1");
                ctx = goro::context();
                const std::uint64_t tried = pf::faults_injected(sys_call::alloc);
                pf::faults_clear();
                CHILD_CHECK(tried == 0);
              }),
              ::testing::ExitedWithCode(0), "");
}

// net: a deadline's timer claims its heap slot when set, so a deadline that cannot get
// one is ENOMEM from set_*_deadline; and a descriptor the poller has no record for is
// ENOMEM from listen (or std::bad_alloc), with no descriptor or registration leaked.
TEST_F(Oom, NetReportsOutOfMemoryAndLeaksNothing) {
  EXPECT_EXIT(child_main(
                  [] {
                    auto ln = net::listen("tcp", "127.0.0.1:0");
                    net::conn c = net::dial("tcp", ln.addr());
                    net::conn s = ln.accept();
                    std::error_code ec;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      c.set_read_deadline(clk::now() + 1h, ec);  // this P's first timer
                      pf::faults_clear();
                    }
                    CHILD_CHECK(ec == std::errc::not_enough_memory);
                    c.set_read_deadline(clk::now() + 5ms, ec);
                    CHILD_CHECK(!ec);
                    char b;
                    c.read(std::span<char>(&b, 1), ec);
                    CHILD_CHECK(ec == std::errc::timed_out);

                    // Every record of the poller's first chunk in use: the next listen
                    // needs a new chunk too.
                    auto& poller = goro::detail::poller::get();
                    std::vector<net::listener> held;
                    while (poller.descriptors() % 64 != 0) held.push_back(net::listen("tcp", "127.0.0.1:0"));
                    const long fds = goro::test::open_fds();
                    const int registered = poller.descriptors();
                    int listens = 0;
                    CHILD_CHECK(fail_each_allocation(
                                    [&] {
                                      std::error_code e;
                                      net::listener l = net::listen("tcp", "127.0.0.1:0", e);
                                      CHILD_CHECK(!e || e == std::errc::not_enough_memory);
                                      if (!e) ++listens;
                                      return !e;
                                    },
                                    [&] {
                                      CHILD_CHECK(goro::test::open_fds() == fds);
                                      CHILD_CHECK(poller.descriptors() == registered);
                                    }) > 0);
                    CHILD_CHECK(listens == 1);
                  },
                  1),
              ::testing::ExitedWithCode(0), "");
}

// Runs f in a goroutine and waits for it, at most 10 s: false if it hung (a watchdog, so
// that a lock left held fails the test instead of hanging it).
template <class F>
bool returns(F f) {
  auto done = goro::make_chan<goro::unit>(1);
  goro::go([f, done]() mutable {
    f();
    done.send({});
  });
  return goro::select(goro::recv_case(done), goro::recv_case(goro::after(10s))) == 0;
}

// errgroup::go and semaphore::acquire(ctx) that cannot allocate throw std::bad_alloc and
// leave the group and the semaphore as they were (the group counted a goroutine that
// never started, so wait() hung; the semaphore made its grant channel under its lock,
// which then stayed held).
TEST_F(Oom, ErrgroupAndSemaphoreLeaveNothingHalfDone) {
  EXPECT_EXIT(child_main(
                  [] {
                    struct big {
                      char bytes[256] = {};  // the goroutine's task goes on the heap
                    };
                    goro::errgroup g;
                    g.set_limit(1);
                    bool threw = false;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      try {
                        g.go([b = big{}] { (void)b; });
                      } catch (const std::bad_alloc&) {
                        threw = true;
                      }
                      pf::faults_clear();
                    }
                    CHILD_CHECK(threw);
                    const bool waited = returns([&g] { g.wait(); });
                    CHILD_CHECK(waited);
                    CHILD_CHECK(waited && g.try_go([] {}));  // the limit's slot was given back
                    if (waited) g.wait();

                    goro::semaphore sem(1);
                    sem.acquire();  // taken: acquire(ctx) has to wait
                    auto [ctx, cancel] = goro::with_cancel(goro::background());
                    threw = false;
                    {
                      goro::test::alloc_faults_on_this_thread here;
                      pf::faults_configure("alloc=1");
                      try {
                        sem.acquire(ctx, 1);
                      } catch (const std::bad_alloc&) {
                        threw = true;
                      }
                      pf::faults_clear();
                    }
                    CHILD_CHECK(threw);
                    const bool released = returns([&sem] { sem.release(); });
                    CHILD_CHECK(released);
                    CHILD_CHECK(released && sem.try_acquire());
                  },
                  2),
              ::testing::ExitedWithCode(0), "");
}

// run() that cannot start its main throws std::bad_alloc and leaves no main counted as
// outstanding (the deadlock check would count on a main that does not exist).
TEST_F(Oom, RunThatCannotStartItsMainCountsNone) {
  EXPECT_EXIT(
      {
        goro::set_maxprocs(1);
        auto gate = goro::make_chan<goro::unit>();
        goro::go([gate] { gate.recv(); });  // the runtime and its global queue exist now
        bool threw = false;
        {
          goro::test::alloc_faults_on_this_thread here;
          pf::faults_configure("alloc=1");
          for (;;) {  // every free control block taken: a main needs a new chunk
            try {
              goro::go([gate] { gate.recv(); });
            } catch (const std::bad_alloc&) {
              break;
            }
          }
          try {
            goro::run([] {});
          } catch (const std::bad_alloc&) {
            threw = true;
          }
          pf::faults_clear();
        }
        CHILD_CHECK(threw);
        CHILD_CHECK(goro::detail::scheduler::get().mains_outstanding.load() == 0);
        if (g_failure[0]) std::fprintf(stderr, "FAIL: %s\n", g_failure);
        std::exit(g_failure[0] ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

// A plain thread's first blocking call starts the runtime from a noexcept path: without
// memory for it, that is Go's fatal error.
TEST_F(Oom, RuntimeThatCannotStartIsAFatalError) {
  EXPECT_EXIT(
      {
        auto c = goro::make_chan<int>();  // starts nothing
        goro::test::alloc_faults_on_this_thread here;
        pf::faults_configure("alloc=1");
        c.recv();
      },
      ::testing::ExitedWithCode(2), "fatal error: runtime: out of memory: cannot allocate the runtime");
}

}  // namespace

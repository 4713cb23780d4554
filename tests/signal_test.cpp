// Tests for goro::signal_notify, signal_stop and signal_context (Go's os/signal): every
// registered channel receives the signal, a full channel misses it without blocking,
// stop ends delivery and restores the old disposition, a context ends at the signal,
// bad signals are refused, and waiting for a signal is not a deadlock.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;

namespace {
// Every thread of this process blocks the test signals (the runtime's threads inherit
// the mask from the thread that starts it), so only the runtime's delivery thread,
// which unblocks watched signals, can take them: the tests check that, and it keeps a
// signal from landing on a worker asleep in a raw futex wait, where TSan would defer its
// handler indefinitely.
const bool test_signals_blocked = [] {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  return pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}();

#if defined(__SANITIZE_THREAD__)
#define GORO_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_TEST_TSAN 1
#endif
#endif

// Sends sig to this process. Under TSan, to the runtime's delivery thread itself: TSan's
// own background thread does not block the test signals, and a signal the kernel hands
// to it is never handled.
void send_to_process(int sig) {
#ifdef GORO_TEST_TSAN
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name == "goro-signals") {
      ::syscall(SYS_tgkill, ::getpid(), std::stoi(entry.path().filename().string()), sig);
      return;
    }
  }
  ADD_FAILURE() << "no goro-signals thread";
#else
  ::kill(::getpid(), sig);
#endif
}

template <class F>
void run(F f) {
  goro::run([&] { f(); });
}
}  // namespace

TEST(Signal, EveryWatchingChannelReceivesIt) {
  ASSERT_TRUE(test_signals_blocked);
  run([] {
    auto a = goro::make_chan<int>(1);
    auto b = goro::make_chan<int>(4);
    goro::signal_notify(a, {SIGUSR1});
    goro::signal_notify(b, {SIGUSR1, SIGUSR2});
    send_to_process(SIGUSR1);
    EXPECT_EQ(*a.recv(), SIGUSR1);
    EXPECT_EQ(*b.recv(), SIGUSR1);
    send_to_process(SIGUSR2);
    EXPECT_EQ(*b.recv(), SIGUSR2);
    EXPECT_FALSE(a.try_recv()) << "a does not watch SIGUSR2";
    goro::signal_stop(a);
    goro::signal_stop(b);
  });
}

TEST(Signal, AFullChannelMissesTheSignalWithoutBlockingOthers) {
  run([] {
    auto full = goro::make_chan<int>(1);
    full.send(0);
    auto open = goro::make_chan<int>(1);
    goro::signal_notify(full, {SIGUSR1});
    goro::signal_notify(open, {SIGUSR1});
    send_to_process(SIGUSR1);
    EXPECT_EQ(*open.recv(), SIGUSR1);
    EXPECT_EQ(*full.recv(), 0);
    EXPECT_FALSE(full.try_recv()) << "the signal was dropped, not queued";
    goro::signal_stop(full);
    goro::signal_stop(open);
  });
}

TEST(Signal, StopEndsDeliveryAndRestoresTheDisposition) {
  run([] {
    struct sigaction before {};
    sigaction(SIGUSR2, nullptr, &before);
    auto stopped = goro::make_chan<int>(1);
    auto still = goro::make_chan<int>(1);
    goro::signal_notify(stopped, {SIGUSR2});
    goro::signal_notify(still, {SIGUSR2});
    goro::signal_stop(stopped);
    send_to_process(SIGUSR2);
    EXPECT_EQ(*still.recv(), SIGUSR2);
    // Both are served in one pass: had `stopped` still been registered, it had it now.
    EXPECT_FALSE(stopped.try_recv());
    goro::signal_stop(still);
    struct sigaction after {};
    sigaction(SIGUSR2, nullptr, &after);
    EXPECT_EQ(after.sa_handler, before.sa_handler);
  });
}

TEST(Signal, SignalContextIsCancelledByTheSignal) {
  run([] {
    auto [ctx, stop] = goro::signal_context(goro::background(), {SIGUSR1});
    EXPECT_FALSE(ctx.err());
    send_to_process(SIGUSR1);
    ctx.done().recv();
    EXPECT_EQ(ctx.err(), goro::errc::canceled);
    stop();
    auto [ctx2, stop2] = goro::signal_context(goro::background(), {SIGUSR1});
    stop2();  // cancels and stops watching
    ctx2.done().recv();
    EXPECT_EQ(ctx2.err(), goro::errc::canceled);
  });
}

TEST(Signal, BadSignalsAndNilChannelsAreRefused) {
  run([] {
    auto c = goro::make_chan<int>(1);
    EXPECT_THROW(goro::signal_notify(c, {SIGKILL}), std::invalid_argument);
    EXPECT_THROW(goro::signal_notify(c, {SIGSEGV}), std::invalid_argument);
    EXPECT_THROW(goro::signal_notify(c, {0}), std::invalid_argument);
    EXPECT_THROW(goro::signal_notify(c, {65}), std::invalid_argument);
    EXPECT_THROW(goro::signal_notify(goro::send_chan<int>(), {SIGUSR1}), std::invalid_argument);
    goro::signal_stop(c);  // never registered: nothing to do
  });
}

TEST(Signal, WaitingForASignalIsNotADeadlock) {
  // The only goroutine waits for a signal that a raw thread (not a goro user, so not a
  // possible waker in the deadlock check's eyes) sends later.
  run([] {
    auto c = goro::make_chan<int>(1);
    goro::signal_notify(c, {SIGUSR1});
    std::thread raw([] {
      std::this_thread::sleep_for(50ms);  // lets main block first; not needed for correctness
      send_to_process(SIGUSR1);
    });
    EXPECT_EQ(*c.recv(), SIGUSR1);
    raw.join();
    goro::signal_stop(c);
  });
}

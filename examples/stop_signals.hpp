// stop_signals: how the example servers learn to stop, at SIGINT or SIGTERM.
//
//   int main() { example::block_stop_signals(); return goro::run([] { ...
//     auto [ctx, cancel] = example::stop_context();   // done at the first of them
//
// block_stop_signals() blocks both signals in the calling thread before the runtime
// starts (its threads inherit the mask), so the only thread that takes them is goro's
// signal delivery thread, which unblocks the signals a channel watches (signal.hpp).
// Without it the kernel may hand the signal to a worker asleep in a raw futex wait, which
// is harmless in a plain build but not under ThreadSanitizer: TSan runs a handler only
// when its thread next enters an intercepted call, so the server would never stop.
// A signal that comes before stop_context() waits, blocked, until it is called.
// raise_stop_signal() is the self-tests' Ctrl-C: it sends SIGINT to goro's delivery
// thread (named goro-signals) rather than to the process, because under TSan the
// sanitizer's own background thread does not block it either and swallows it.
#pragma once

#include <goro/goro.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

namespace example {

inline void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

inline std::pair<goro::context, goro::cancel_func> stop_context() {
  return goro::signal_context(goro::background(), {SIGINT, SIGTERM});
}

// Sends SIGINT to the thread named goro-signals (after stop_context()), or else to the
// process.
inline void raise_stop_signal() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name == "goro-signals") {
      ::syscall(SYS_tgkill, ::getpid(), std::stoi(entry.path().filename().string()), SIGINT);
      return;
    }
  }
  ::kill(::getpid(), SIGINT);
}

}  // namespace example

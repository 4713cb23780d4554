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
#pragma once

#include <goro/goro.hpp>

#include <pthread.h>
#include <signal.h>

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

}  // namespace example

// The gdb helper's test subject: goroutine 2 parks in gdb_parked_here() (a channel
// receive), then main stops in gdb_stop_here(), where the test's gdb script lists the
// goroutines and prints goroutine 2's backtrace (tests/gdb/check.sh).
#include <goro/goro.hpp>

#include <atomic>

extern "C" __attribute__((noinline)) void gdb_stop_here() { asm volatile(""); }

namespace {
__attribute__((noinline)) void gdb_parked_here(goro::chan<int> c) {
  c.recv();
  asm volatile("");
}
}  // namespace

int main() {
  return goro::run([] {
    auto c = goro::make_chan<int>();
    std::atomic<bool> started{false};
    goro::go([&started, c] {
      started = true;
      gdb_parked_here(c);
    });
    while (!started.load()) goro::yield();
    while (goro::goroutines().size() < 2 || goro::goroutines()[1].state != "waiting") goro::yield();
    gdb_stop_here();
    c.send(1);
  });
}

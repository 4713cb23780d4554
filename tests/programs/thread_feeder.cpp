// Program: a plain std::thread (say, a legacy callback thread) feeds goroutines: it sends
// 5 values on a buffered channel, pausing 200 ms between sends as if waiting for a
// device, then closes it; a goroutine ranges over the channel and main waits for its sum.
// While the thread sleeps every goroutine is blocked, but the program is not deadlocked:
// settled detail 16 (revised) says a thread the runtime cannot see into (sleeping, not
// in goro) means "cannot tell", so no deadlock may be reported.
#include <goro/goro.hpp>

#include <chrono>
#include <thread>

#include "program_check.hpp"

using namespace std::chrono_literals;

int main() {
  return goro::run([] {
    const char* name = "thread_feeder";
    auto readings = goro::make_chan<int>(10);
    std::thread device([readings] {
      for (int i = 1; i <= 5; ++i) {
        readings.send(i);
        if (i < 5) std::this_thread::sleep_for(200ms);
      }
      readings.close();
    });

    auto total = goro::make_chan<int>();
    goro::go([readings, total] {
      int sum = 0;
      for (int v : readings) sum += v;
      total.send(sum);
    });
    const int sum = *total.recv();
    goro::blocking([&] { device.join(); });

    bool ok = goro_programs::expect_eq(name, "sum", sum, 15);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// Soak workload: calls that block their thread, wrapped in goro::blocking (a short
// sleep of the thread, then a read of /proc/self/stat), from a few goroutines at once.
// Each must return its own value: the slot hand-off and the requeue afterwards never
// lose or swap a call. It also keeps the spare worker threads in steady use, as a
// server that calls blocking C libraries does.
#include <goro/goro.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "soak_workloads.hpp"

namespace soak {

void blocking_calls(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) {
    constexpr int kCallers = 3;
    goro::wait_group wg;
    wg.add(kCallers);
    for (int k = 0; k < kCallers; ++k)
      goro::go([&wg, &c, k, pause = std::chrono::microseconds(50 + rng() % 450)] {
        int got = goro::blocking([k, pause] {
          std::this_thread::sleep_for(pause);
          char buf[256];
          int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
          ssize_t n = fd < 0 ? -1 : ::read(fd, buf, sizeof buf);
          if (fd >= 0) ::close(fd);
          return n > 0 ? k : -1;
        });
        if (got != k) fail("blocking", "call " + std::to_string(k) + " returned " + std::to_string(got));
        add(c.blocked, 1);
        wg.done();
      });
    wg.wait();
  }
}

}  // namespace soak

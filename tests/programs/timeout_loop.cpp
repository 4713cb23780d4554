// Program: a dispatcher that waits for work with a timeout, in the everyday Go form
//   select { case j := <-work: ...; case <-time.After(30 * time.Second): ... }
// in a loop of 200,000 iterations where work is always ready, handing each job to a
// goroutine under a weighted semaphore (at most 8 at once). Checks every job ran once,
// and that the 200,000 dropped time.After timers do not stay pending nor hold memory
// (settled detail 18: a timer that nothing refers to any more is freed at once, Go 1.23).
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "program_check.hpp"

using namespace std::chrono_literals;

int main() {
  return goro::run([] {
    const char* name = "timeout_loop";
    const std::int64_t n = goro_programs::scaled(200'000, 10);
    const std::int64_t max_active = 8;

    auto work = goro::make_chan<std::int64_t>(64);
    goro::go([=] {
      for (std::int64_t i = 1; i <= n; ++i) work.send(i);
      work.close();
    });

    goro::semaphore sem(max_active);
    std::atomic<std::int64_t> sum{0};
    std::int64_t timeouts = 0;
    for (bool open = true; open;) {
      goro::select(goro::recv_case(work,
                                   [&](std::optional<std::int64_t> job) {
                                     if (!job) {
                                       open = false;
                                       return;
                                     }
                                     sem.acquire();
                                     goro::go([&sem, &sum, j = *job] {
                                       sum.fetch_add(j);
                                       sem.release();
                                     });
                                   }),
                   goro::recv_case(goro::after(30s), [&] { ++timeouts; }));
    }
    sem.acquire(max_active);  // every handler has released its slot
    sem.release(max_active);

    bool ok = true;
    ok &= goro_programs::expect_eq(name, "sum", sum.load(), n * (n + 1) / 2);
    ok &= goro_programs::expect_eq(name, "timeouts", timeouts, std::int64_t(0));
    ok = goro_programs::expect_bounded(name, 1, 100, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

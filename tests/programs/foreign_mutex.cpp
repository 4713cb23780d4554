// Program: goroutines fed by plain threads that serialize on a std::mutex (a legacy
// library that is not thread-safe). Main takes the mutex briefly while it starts the
// threads, so they queue up behind it; each thread then holds the mutex for a 100 ms
// library call and sends its result on a channel that two goroutines range over.
// For most of the run every goroutine is blocked and the threads are in a std::mutex or
// in the library, not in goro: the program is correct and terminates, and a deadlock
// check that ignored those threads would kill it (settled detail 16, revised).
#include <goro/goro.hpp>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "program_check.hpp"

using namespace std::chrono_literals;

namespace {

std::mutex legacy_mu;  // guards the legacy library

int legacy_compute(int x) {  // a slow call into a library that blocks its thread
  std::this_thread::sleep_for(100ms);
  return x * x;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "foreign_mutex";
    const int n_threads = 4;
    auto results = goro::make_chan<int>();
    goro::wait_group fed;
    fed.add(n_threads);

    std::vector<std::thread> threads;
    {
      std::lock_guard lk(legacy_mu);  // "initialising the library": the threads wait
      for (int i = 1; i <= n_threads; ++i)
        threads.emplace_back([i, results, &fed] {
          std::lock_guard lk(legacy_mu);
          results.send(legacy_compute(i));
          fed.done();
        });
    }
    goro::go([&fed, results] {
      fed.wait();
      results.close();
    });

    auto sums = goro::make_chan<int>();
    for (int c = 0; c < 2; ++c)
      goro::go([results, sums] {
        int sum = 0;
        for (int v : results) sum += v;
        sums.send(sum);
      });
    const int total = *sums.recv() + *sums.recv();
    goro::blocking([&] {
      for (std::thread& t : threads) t.join();
    });

    bool ok = goro_programs::expect_eq(name, "sum of squares", total, 1 + 4 + 9 + 16);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// Program: a worker pool (Go by Example's "Worker Pools"): N workers range over a jobs
// channel and send results; a goroutine closes results once a wait_group says every
// worker is done (go func() { wg.Wait(); close(results) }()), and main ranges over
// results. Checks that every job was done exactly once and the sum of the results.
#include <goro/goro.hpp>

#include <cstdint>
#include <vector>

#include "program_check.hpp"

namespace {

struct result {
  int job;
  std::int64_t value;
};

void worker(goro::recv_chan<int> jobs, goro::send_chan<result> results, goro::wait_group* wg) {
  for (int j : jobs) results.send({j, std::int64_t(j) * j});
  wg->done();
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "worker_pool";
    const int n_jobs = static_cast<int>(goro_programs::scaled(100'000, 5));
    const int n_workers = 8;

    auto jobs = goro::make_chan<int>(100);
    auto results = goro::make_chan<result>(100);
    goro::wait_group wg;
    for (int w = 0; w < n_workers; ++w) {
      wg.add(1);
      goro::go(worker, jobs, results, &wg);
    }
    goro::go([&wg, results] {
      wg.wait();
      results.close();
    });
    goro::go([=] {
      for (int j = 0; j < n_jobs; ++j) jobs.send(j);
      jobs.close();
    });

    std::vector<int> done(n_jobs, 0);
    std::int64_t sum = 0;
    for (result r : results) {
      ++done[r.job];
      sum += r.value;
    }

    bool ok = true;
    for (int j = 0; j < n_jobs; ++j)
      if (done[j] != 1) {
        std::printf("%s: job %d done %d times, want once\n", name, j, done[j]);
        ok = false;
        break;
      }
    const std::int64_t n = n_jobs - 1;
    ok &= goro_programs::expect_eq(name, "sum", sum, n * (n + 1) * (2 * n + 1) / 6);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

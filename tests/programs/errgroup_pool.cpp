// Program: a worker pool on an errgroup: a goroutine starts one g.go per job, then takes
// the group's first error without throwing (auto e = g.wait_error(); Go's err := g.Wait())
// and closes results; main ranges over results, then receives the error. A clean run
// must sum every result with no error; in a second run one job fails and its error must
// come back while the other jobs' results still arrive.
// Needs errgroup::wait_error() (API.md, "Added 2026-12"): pending until it lands.
#include <goro/goro.hpp>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

#include "program_check.hpp"

namespace {

struct outcome {
  std::int64_t sum = 0;
  int results = 0;
  std::string error;
};

outcome run_jobs(int n, int failing_job) {
  goro::errgroup g;
  g.set_limit(4);
  auto results = goro::make_chan<std::int64_t>();
  auto errs = goro::make_chan<std::exception_ptr>(1);
  goro::go([&g, n, failing_job, results, errs] {
    for (int j = 1; j <= n; ++j)
      g.go([j, failing_job, results] {
        if (j == failing_job) throw std::runtime_error("job " + std::to_string(j) + " failed");
        results.send(std::int64_t(j) * 2);
      });
    auto e = g.wait_error();
    results.close();
    errs.send(e);
  });
  outcome o;
  for (std::int64_t r : results) {
    o.sum += r;
    ++o.results;
  }
  if (std::exception_ptr e = *errs.recv()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      o.error = ex.what();
    }
  }
  return o;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "errgroup_pool";
    const int n = static_cast<int>(goro_programs::scaled(10'000, 10));
    bool ok = true;

    outcome clean = run_jobs(n, 0);
    ok &= goro_programs::expect_eq(name, "clean run: sum", clean.sum, std::int64_t(n) * (n + 1));
    ok &= goro_programs::expect_eq(name, "clean run: results", clean.results, n);
    ok &= goro_programs::expect_eq(name, "clean run: error", clean.error, std::string());

    const int bad = n / 2;
    outcome failed = run_jobs(n, bad);
    ok &= goro_programs::expect_eq(name, "failing run: sum", failed.sum, std::int64_t(n) * (n + 1) - 2 * bad);
    ok &= goro_programs::expect_eq(name, "failing run: results", failed.results, n - 1);
    ok &= goro_programs::expect_eq(name, "failing run: error", failed.error, "job " + std::to_string(bad) + " failed");

    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// Program: a tree of contexts (with_cancel and with_timeout children of one root) with a
// worker goroutine on each, serving jobs until its ctx.done() fires. The short-timeout
// branch ends by itself with deadline_exceeded (its child too); cancelling the root then
// ends every other worker with canceled. Checks each worker's error, that the jobs were
// all served, and that every worker has exited.
#include <goro/goro.hpp>

#include <chrono>
#include <map>
#include <string>
#include <system_error>

#include "program_check.hpp"

using namespace std::chrono_literals;

namespace {

struct report {
  std::string worker;
  std::error_code err;
  int served = 0;
};

void worker(std::string name, goro::context ctx, goro::recv_chan<int> jobs, goro::send_chan<int> done_jobs,
            goro::send_chan<report> reports) {
  int served = 0;
  for (bool running = true; running;) {
    goro::select(goro::recv_case(ctx.done(), [&] { running = false; }),
                 goro::recv_case(jobs, [&](std::optional<int> j) {
                   if (!j) return;
                   ++served;
                   done_jobs.send(*j);
                 }));
  }
  reports.send({name, ctx.err(), served});
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "context_tree";
    auto jobs = goro::make_chan<int>();
    auto done_jobs = goro::make_chan<int>();
    auto reports = goro::make_chan<report>();

    auto [root, cancel_root] = goro::with_cancel(goro::background());
    auto [a, cancel_a] = goro::with_cancel(root);
    auto [b, cancel_b] = goro::with_timeout(root, 1h);
    auto [a1, cancel_a1] = goro::with_timeout(a, 1h);
    auto [quick, cancel_quick] = goro::with_timeout(root, 20ms);
    auto [quick1, cancel_quick1] = goro::with_cancel(quick);
    const std::map<std::string, goro::context> tree = {{"root", root}, {"a", a},         {"b", b},
                                                       {"a1", a1},     {"quick", quick}, {"quick1", quick1}};
    for (const auto& [w, ctx] : tree) goro::go(worker, w, ctx, jobs, done_jobs, reports);

    const int n_jobs = 1000;
    goro::go([=] {
      for (int j = 0; j < n_jobs; ++j) jobs.send(j);
    });
    long job_sum = 0;
    for (int j = 0; j < n_jobs; ++j) job_sum += *done_jobs.recv();

    bool ok = true;
    std::map<std::string, report> got;
    for (int i = 0; i < 2; ++i) {  // the quick branch times out by itself
      report r = *reports.recv();
      got[r.worker] = r;
    }
    ok &= goro_programs::expect(name, got.count("quick") && got.count("quick1"),
                                "the first two workers to stop were not the 20 ms branch");
    cancel_root();
    for (int i = 0; i < 4; ++i) {
      report r = *reports.recv();
      got[r.worker] = r;
    }

    const std::map<std::string, std::error_code> want = {
        {"root", goro::errc::canceled},        {"a", goro::errc::canceled},
        {"b", goro::errc::canceled},           {"a1", goro::errc::canceled},
        {"quick", goro::errc::deadline_exceeded}, {"quick1", goro::errc::deadline_exceeded}};
    int served = 0;
    for (const auto& [w, err] : want) {
      const std::string what = "worker " + w + ": ctx.err()";
      ok &= goro_programs::expect_eq(name, what.c_str(), got[w].err.message(), err.message());
      served += got[w].served;
    }
    ok &= goro_programs::expect_eq(name, "jobs served", served, n_jobs);
    ok &= goro_programs::expect_eq(name, "job sum", job_sum, long(n_jobs) * (n_jobs - 1) / 2);
    auto [late, cancel_late] = goro::with_cancel(a1);
    ok &= goro_programs::expect_eq(name, "a child of a cancelled context: err()", late.err().message(),
                                   std::error_code(goro::errc::canceled).message());

    for (const goro::cancel_func& cancel : {cancel_a, cancel_b, cancel_a1, cancel_quick, cancel_quick1, cancel_late})
      cancel();
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

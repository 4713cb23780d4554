// concurrency_vs_parallelism: concurrency is dealing with several things at once,
// parallelism is doing several things at once (Rob Pike). One morning's three jobs (an
// email to write, a video to upload, a book chapter to translate) are CPU-bound
// goroutines that work in slices and yield between slices. The same program runs twice:
//   GORO_MAXPROCS=1: one worker thread; the jobs take turns on it, so they all progress
//                    but never run at the same instant (concurrency without parallelism);
//   GORO_MAXPROCS=N: N worker threads (N = this machine's cores); jobs run at the same
//                    instant on different cores (parallelism), and the morning is shorter.
// For each run it prints a timeline: one row per job, one column per slice of time, and
// in each column the worker (A, B, ...) that ran that job then, or '.' while it waited.
//
// A slice is short (1 ms) so that no job holds a worker for sysmon's 10 ms: on a busy
// machine a worker stalled by the OS that long has its slot handed to another thread,
// and then more jobs than GORO_MAXPROCS can run at once (the program says so).
//
//   concurrency_vs_parallelism [--slices=24] [--slice-ms=1]
#include <goro/goro.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "measure.hpp"
#include "sliced_tasks.hpp"

namespace {

const std::vector<std::string> kJobs = {"email", "video upload", "translation"};
constexpr int kColumns = 72;

void print_timeline(const example::sliced_run& run) {
  std::printf("\nGORO_MAXPROCS=%d: %.1f ms in all, %d worker thread%s used, at most %d job%s running at once\n",
              run.procs, run.wall_ms, run.workers_used, run.workers_used == 1 ? "" : "s", example::most_at_once(run),
              example::most_at_once(run) == 1 ? "" : "s");
  const double ms_per_column = run.wall_ms / kColumns;
  for (std::size_t job = 0; job < kJobs.size(); ++job) {
    std::string row(kColumns, '.');
    for (const example::slice_record& s : run.slices[job]) {
      int first = std::min(kColumns - 1, static_cast<int>(s.begin_ms / ms_per_column));
      int last = std::min(kColumns - 1, static_cast<int>(s.end_ms / ms_per_column));
      for (int c = first; c <= last; ++c) row[c] = static_cast<char>('A' + s.worker);
    }
    std::printf("  %-13s|%s|\n", kJobs[job].c_str(), row.c_str());
  }
  std::printf("  %-13s 0 ms%*s%.0f ms\n", "", kColumns - 6, "", run.wall_ms);
  if (example::most_at_once(run) > run.procs)
    std::printf(
        "  (more jobs at once than workers: the OS stalled a worker for over 10 ms, so sysmon gave\n"
        "   its slot to another thread; the machine is busy with other work)\n");
}

}  // namespace

int main(int argc, char** argv) {
  const int slices = static_cast<int>(example::flag_value(argc, argv, "--slices", 24));
  const double slice_ms = static_cast<double>(example::flag_value(argc, argv, "--slice-ms", 1));
  return goro::run([&] {
    const int cores = goro::maxprocs();  // GORO_MAXPROCS, by default the cores we may use
    const long work = example::iterations_for_ms(slice_ms);
    std::printf("3 jobs x %d slices of ~%.0f ms of arithmetic each, goro::yield() between slices\n", slices, slice_ms);

    example::sliced_run one = example::run_sliced_tasks(kJobs, slices, work, 1);
    print_timeline(one);
    example::sliced_run many = example::run_sliced_tasks(kJobs, slices, work, cores);
    print_timeline(many);

    std::printf(
        "\nwith 1 worker the jobs interleave (concurrency); with %d they also overlap (parallelism): "
        "%.2fx faster\n",
        cores, one.wall_ms / many.wall_ms);
    // The same work both times, whatever the schedule: every slice ran, same results.
    bool complete = one.checksum == many.checksum;
    for (std::size_t j = 0; j < kJobs.size(); ++j)
      complete =
          complete && one.slices[j].size() == std::size_t(slices) && many.slices[j].size() == std::size_t(slices);
    if (!complete) {
      std::printf("FAILED: a job did not run all its slices, or computed something else\n");
      return 1;
    }
    std::printf("concurrency_vs_parallelism: ok (every job ran its %d slices in both runs)\n", slices);
    return 0;
  });
}

// sliced_tasks: CPU-bound tasks that run in slices with goro::yield() between them, and
// a record of when and on which worker thread every slice ran. concurrency_vs_parallelism
// draws that record as a timeline; goro_tour times the same tasks on 1 and N workers.
//
//   auto run = example::run_sliced_tasks({"email", "video upload"}, 12, work, procs);
//   run.wall_ms, run.slices[task] (begin, end, worker), run.workers_used
//
// run_sliced_tasks sets GORO_MAXPROCS to `procs` for the run (goro::set_maxprocs, Go's
// runtime.GOMAXPROCS) and puts the previous value back. A slice is a fixed amount of
// arithmetic (work_per_slice iterations of a multiply-add on a register), so the same
// tasks take the same CPU time in every run and only how they share the cores changes.
// Keep slices well under sysmon's 10 ms: a worker that has not switched for that long
// while others wait gets its slot handed to another thread (which a busy machine can
// cause by stalling a worker thread), and then more tasks than procs run at once.
// Workers are numbered in the order they first ran a slice. Call it from a goroutine.
#pragma once

#include <goro/goro.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "measure.hpp"

namespace example {

struct slice_record {
  double begin_ms, end_ms;  // since the run started
  int worker;               // 0, 1, ... in the order the workers first showed up
};

struct sliced_run {
  int procs = 0;
  double wall_ms = 0;
  int workers_used = 0;
  std::vector<std::vector<slice_record>> slices;  // per task, in order
  std::uint64_t checksum = 0;                     // keeps the arithmetic from being optimised away
};

// One slice of "real work": iterations of a 64-bit linear congruential step.
inline std::uint64_t cpu_work(std::uint64_t x, long iterations) {
  for (long i = 0; i < iterations; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

// How many cpu_work iterations take about `ms` on this machine (measured once, here).
inline long iterations_for_ms(double ms) {
  const long probe = 2'000'000;
  auto t = steady::now();
  volatile std::uint64_t sink = cpu_work(1, probe);
  (void)sink;
  return static_cast<long>(probe * ms / ms_since(t));
}

inline sliced_run run_sliced_tasks(const std::vector<std::string>& tasks, int slices_per_task, long work_per_slice,
                                   int procs) {
  sliced_run run;
  run.procs = procs;
  run.slices.resize(tasks.size());
  std::vector<std::uint64_t> results(tasks.size());
  std::mutex workers_mu;  // guards workers (held for a map lookup, never across a park)
  std::map<std::thread::id, int> workers;
  auto worker_number = [&] {
    std::lock_guard lk(workers_mu);
    return workers.emplace(std::this_thread::get_id(), static_cast<int>(workers.size())).first->second;
  };

  const int previous = goro::set_maxprocs(procs);
  const steady::time_point start = steady::now();
  goro::wait_group wg;
  wg.add(static_cast<int>(tasks.size()));
  for (std::size_t t = 0; t < tasks.size(); ++t)
    goro::go([&, t] {  // each task writes only its own slot of run.slices and results
      std::uint64_t x = t + 1;
      for (int s = 0; s < slices_per_task; ++s) {
        double begin = ms_since(start);
        x = cpu_work(x, work_per_slice);
        run.slices[t].push_back({begin, ms_since(start), worker_number()});
        goro::yield();  // let the others have this worker: the interleaving on one proc
      }
      results[t] = x;
      wg.done();
    });
  wg.wait();
  run.wall_ms = ms_since(start);
  goro::set_maxprocs(previous);
  run.workers_used = static_cast<int>(workers.size());
  for (std::uint64_t r : results) run.checksum ^= r;
  return run;
}

// The most slices that were running at the same moment: 1 means the tasks only
// interleaved (concurrency), more means some ran at once (parallelism).
inline int most_at_once(const sliced_run& run) {
  std::vector<std::pair<double, int>> edges;  // (time, +1 begin / -1 end)
  for (auto& task : run.slices)
    for (auto& s : task) {
      edges.emplace_back(s.begin_ms, +1);
      edges.emplace_back(s.end_ms, -1);
    }
  std::sort(edges.begin(), edges.end());  // an end sorts before a begin at the same time
  int now = 0, most = 0;
  for (auto& [time, step] : edges) most = std::max(most, now += step);
  return most;
}

}  // namespace example

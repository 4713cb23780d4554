// soak_sampler: the process's resources and the workloads' counters, read once a second,
// written as CSV rows, and the verdict on memory: RSS must not grow by more than the
// allowed fraction after warm-up.
#pragma once

#include <cstdint>
#include <cstdio>
#include <vector>

#include "soak_check.hpp"

namespace soak {

struct sample {
  double t_s = 0;            // seconds since the workloads started
  long rss_kib = 0;
  long fds = 0;              // open descriptors (/proc/self/fd)
  long threads = 0;          // OS threads (/proc/self/status)
  std::size_t heap_in_use = 0, heap_free = 0;  // malloc's bytes in use and held free (mallinfo2)
  std::size_t goroutines = 0;
  int workers = 0;  // worker threads started
  std::uint64_t hog_handoffs = 0;
  std::size_t stacks_in_use = 0, stacks_pooled = 0, timers = 0, poller_fds = 0;
  std::uint64_t spawned = 0, piped = 0, selected = 0, select_timeouts = 0, locked = 0, timer_events = 0,
                contexts = 0, echoed = 0, connections = 0, blocked = 0;
};

sample take_sample(double t_s, const counters& c);

void write_csv_header(std::FILE* f);
void write_csv_row(std::FILE* f, const sample& s);

// Growth after warm-up: medians of the last quarter of the samples taken after
// `warmup_s` against those of the first quarter. Medians: a leak moves them, a moment's
// peak of live goroutines' stacks does not (a CI run failed at +6.0% on its very last
// sample, 8.2 -> 8.8 MiB, medians +0.3%; the runs that really grew before the hog-rule
// fix: +9.9%, +12.6%, +38%).
//   threads: OS threads added (the runtime keeps a spare worker thread for each slot a
//            hand-off ever needed at once: a bounded pool, reused, not a leak);
//   rss:     RSS growth as a fraction of the first quarter's, less kThreadKiB for each
//            thread added (what a thread keeps resident here: its malloc arena and
//            stack pages, 570-680 KiB measured from runs that added two; without this a
//            late third blocking call at once, which starts a spare, failed runs of both
//            this session's start and end at +10-11%).
// Both 0 when there are too few samples.
struct growth {
  double rss = 0;
  long threads = 0;
};
inline constexpr long kThreadKiB = 640;
growth memory_growth(const std::vector<sample>& samples, double warmup_s);

}  // namespace soak

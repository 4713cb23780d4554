// goro_soak: the soak test (issue 9). Runs every workload of soak_workloads.hpp at once
// for --seconds, samples the process once a second into --csv, and fails (exit 1) on
//   - any broken invariant a workload reports (a value lost or received twice, a counter
//     that does not add up, a wrong error, a call that outlived its 10 s deadline);
//   - goroutines or descriptors left behind once every workload has returned;
//   - RSS growing by more than --max-growth (default 5%) after --warmup seconds, beyond
//     what the OS threads added meanwhile keep resident, or more than kMaxThreadsAdded
//     threads added (medians of the first and last quarters, soak_sampler.hpp; runs of
//     at least 60 s; shorter runs report the figures without judging them).
//   goro_soak [--seconds N] [--warmup S] [--csv file] [--seed K] [--max-growth F]
#include <goro/goro.hpp>
#include <goro/net.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "soak_sampler.hpp"
#include "support/process_stats.hpp"
#include "soak_workloads.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

// Spare worker threads the runtime may add after warm-up: one per slot that hand-offs
// (blocking calls, hogs) needed at once beyond what warm-up saw. A runaway hand-off
// would add them without bound.
constexpr long kMaxThreadsAdded = 4;

struct options {
  double seconds = 10;
  double warmup = -1;  // default: a quarter of the run, at most 30 s
  std::string csv = "soak.csv";
  std::uint64_t seed = 1;
  double max_growth = 0.05;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--seconds") o.seconds = std::atof(v);
    else if (k == "--warmup") o.warmup = std::atof(v);
    else if (k == "--csv") o.csv = v;
    else if (k == "--seed") o.seed = std::strtoull(v, nullptr, 10);
    else if (k == "--max-growth") o.max_growth = std::atof(v);
    else {
      std::fprintf(stderr, "goro_soak: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.warmup < 0) o.warmup = std::min(30.0, o.seconds / 4);
  return o;
}

using workload = void (*)(const goro::context&, soak::counters&, std::uint64_t);
constexpr workload kWorkloads[] = {soak::spawn_churn,     soak::pipelines,     soak::select_timeouts,
                                   soak::contended_mutex, soak::timers_tickers, soak::context_trees,
                                   soak::echo_traffic,    soak::blocking_calls};

// Waits (up to `grace`) for a figure to come back to its baseline: goroutines that
// signalled their joins may still be returning.
template <class F>
long settle(F current, long baseline, std::chrono::seconds grace) {
  auto until = clk::now() + grace;
  long now = current();
  while (now > baseline && clk::now() < until) {
    goro::sleep(1ms);
    now = current();
  }
  return now;
}

int soak_main(const options& o, std::FILE* csv) {
  // The poller's own descriptors (epoll, eventfd) exist from the first socket on: open
  // one before the baseline so they are not counted as a leak.
  goro::net::listen("tcp", "127.0.0.1:0").close();
  const long goroutines0 = static_cast<long>(goro::num_goroutines());
  const long fds0 = goro::test::open_fds();

  soak::counters counters;
  auto [stop, cancel] = goro::with_cancel(goro::background());
  goro::wait_group running;
  std::uint64_t seed = o.seed;
  for (workload w : kWorkloads) {
    running.add(1);
    goro::go([w, stop = stop, &counters, &running, s = seed++ * 0x9e3779b97f4a7c15ULL] {
      w(stop, counters, s);
      running.done();
    });
  }

  std::vector<soak::sample> samples;
  soak::write_csv_header(csv);
  const auto t0 = clk::now();
  goro::ticker every_second(1s);
  for (;;) {
    every_second.c().recv();
    double t = std::chrono::duration<double>(clk::now() - t0).count();
    samples.push_back(soak::take_sample(t, counters));
    soak::write_csv_row(csv, samples.back());
    const soak::sample& s = samples.back();
    if (static_cast<long>(t) % 10 == 0)
      std::printf("soak: %4.0f s  rss %ld KiB  goroutines %zu  fds %ld  piped %llu  echoed %llu B\n", t,
                  s.rss_kib, s.goroutines, s.fds, static_cast<unsigned long long>(s.piped),
                  static_cast<unsigned long long>(s.echoed));
    if (t >= o.seconds || soak::failures() > 0) break;
  }
  every_second.stop();
  cancel();
  running.wait();

  int verdict = 0;
  long goroutines = settle([] { return static_cast<long>(goro::num_goroutines()); }, goroutines0, 5s);
  if (goroutines != goroutines0) {
    std::printf("soak: FAIL %ld goroutines left behind:\n", goroutines - goroutines0);
    goro::dump(std::cout);
    verdict = 1;
  }
  long fds = settle(goro::test::open_fds, fds0, 5s);
  if (fds != fds0) {
    std::printf("soak: FAIL %ld descriptors left open (%ld at start)\n", fds - fds0, fds0);
    verdict = 1;
  }
  const soak::growth growth = soak::memory_growth(samples, o.warmup);
  const bool judged = o.seconds >= 60;
  std::printf("soak: RSS after %.0f s of warm-up grew %+.1f%% beyond %ld KiB per thread added (threads %+ld; limits "
              "%+.0f%%, %+d threads%s)\n",
              o.warmup, growth.rss * 100, soak::kThreadKiB, growth.threads, o.max_growth * 100, kMaxThreadsAdded,
              judged ? "" : ", not judged in a run under 60 s");
  if (judged && (growth.rss > o.max_growth || growth.threads > kMaxThreadsAdded)) verdict = 1;
  if (soak::failures() > 0) {
    std::printf("soak: FAIL %ld broken invariants (the first are printed above)\n", soak::failures());
    verdict = 1;
  }
  const soak::sample& last = samples.back();
  std::printf(
      "soak: %.0f s, %llu goroutines spawned, %llu values piped, %llu selected (%llu timeouts), %llu lock "
      "sections, %llu timer events, %llu contexts, %llu connections, %llu bytes echoed\n",
      last.t_s, static_cast<unsigned long long>(last.spawned), static_cast<unsigned long long>(last.piped),
      static_cast<unsigned long long>(last.selected), static_cast<unsigned long long>(last.select_timeouts),
      static_cast<unsigned long long>(last.locked), static_cast<unsigned long long>(last.timer_events),
      static_cast<unsigned long long>(last.contexts), static_cast<unsigned long long>(last.connections),
      static_cast<unsigned long long>(last.echoed));
  std::printf("soak: %s\n", verdict == 0 ? "PASS" : "FAIL");
  return verdict;
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse(argc, argv);
  std::FILE* csv = std::fopen(o.csv.c_str(), "w");
  if (!csv) {
    std::perror(o.csv.c_str());
    return 2;
  }
  int rc = goro::run([&] { return soak_main(o, csv); });
  std::fclose(csv);
  return rc;
}

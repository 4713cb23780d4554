// goro_tour: the showcase. Go's claims about goroutines, each measured on this machine
// with goro, printed as a table of claim and figure. What it runs is the teaching
// examples' own code (the headers named below), at sizes that keep the tour to a few
// seconds; each example prints the same thing in more detail:
//   memory, spawning, switching   goroutine_thread_costs.hpp  (goroutines_vs_threads)
//   1 vs N procs                  sliced_tasks.hpp            (concurrency_vs_parallelism)
//   channels in a pipeline        relay.hpp                   (daemon)
//   C10K                          the c10k program, run as a child process so that its
//                                 servers' memory is measured apart from the rest
//
//   goro_tour [--quick]      --quick: small sizes (the test, and sanitizer builds)
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "goroutine_thread_costs.hpp"
#include "measure.hpp"
#include "relay.hpp"
#include "sliced_tasks.hpp"

using namespace std::chrono_literals;

namespace {

struct sizes {
  long goroutines, threads, parked_threads, round_trips, pipeline_values, sleepers, connections;
  int slices;
  double slice_ms;
};
constexpr sizes kFull{100000, 10000, 10000, 200000, 1000000, 1000, 10000, 100, 1};
constexpr sizes kQuick{2000, 200, 100, 2000, 10000, 100, 50, 10, 1};

std::vector<std::pair<std::string, std::string>> table;  // claim, measured
int failures = 0;

template <class... A>
void row(const char* claim, const char* format, A... args) {
  char measured[512];
  std::snprintf(measured, sizeof measured, format, args...);
  table.emplace_back(claim, measured);
}

// A result that must hold on any machine (figures never do): counted, and printed.
void check(bool ok, const char* what) {
  if (!ok) std::printf("FAILED: %s\n", what);
  failures += !ok;
}

void step(const char* what) {
  std::printf("  measuring %s...\n", what);
  std::fflush(stdout);
}

const char* grouped(long n) {  // example::grouped as a C string for row()'s printf (8 live at once)
  static std::string ring[8];
  static int next = 0;
  return (ring[next++ % 8] = example::grouped(n)).c_str();
}

void memory_and_spawning(const sizes& s) {
  step("the memory of parked threads and goroutines, then spawning");
  example::parked_cost threads = example::park_threads(s.parked_threads);  // threads first: see the header
  example::parked_cost goroutines = example::park_goroutines(s.goroutines);
  row("\"goroutines cost a few KB\"", "%.1f KiB RSS per parked goroutine (%s parked) vs %.1f KiB per thread (%s)",
      goroutines.rss_bytes_each() / 1024, grouped(goroutines.count), threads.rss_bytes_each() / 1024,
      grouped(threads.count));
  row("\"stacks are small\"", "%.0f KiB of address space per goroutine vs %.0f KiB per thread (ulimit -s %zu KiB)",
      goroutines.vm_bytes_each() / 1024, threads.vm_bytes_each() / 1024, example::thread_stack_bytes() / 1024);

  example::spawn_cost gs = example::spawn_goroutines(s.goroutines);
  example::spawn_cost ts = example::spawn_threads(s.threads, 1000);
  check(gs.all_ran() && ts.all_ran(), "not every goroutine or thread ran");
  row("\"spawning is cheap\"", "%s goroutines in %.1f ms (%.0f ns each) vs %s threads in %.1f ms (%.0f ns each)",
      grouped(gs.count), gs.ms, gs.ns_each(), grouped(ts.count), ts.ms, ts.ns_each());
}

void switching(const sizes& s) {
  step("switches");
  double goroutine = example::goroutine_switch_ns(s.round_trips);
  double thread = example::thread_switch_ns(s.round_trips / 10);
  row("\"a few ns to switch\"", "goroutine switch %.0f ns vs thread switch %.0f ns (%.0fx), both on one CPU", goroutine,
      thread, thread / goroutine);
}

void procs(const sizes& s) {
  step("CPU-bound jobs on 1 and on N workers");
  const std::vector<std::string> jobs = {"email", "video upload", "translation"};
  const long work = example::iterations_for_ms(s.slice_ms);
  const int n = goro::maxprocs();
  example::sliced_run one = example::run_sliced_tasks(jobs, s.slices, work, 1);
  example::sliced_run many = example::run_sliced_tasks(jobs, s.slices, work, n);
  row("\"concurrency is not parallelism\"",
      "3 CPU-bound jobs: 1 proc %.0f ms (%d at once), %d procs %.0f ms (%d at once): %.2fx%s", one.wall_ms,
      example::most_at_once(one), n, many.wall_ms, example::most_at_once(many), one.wall_ms / many.wall_ms,
      example::most_at_once(one) > 1 ? " (busy machine: sysmon moved a stalled worker's slot)" : "");
}

void parking(const sizes& s) {
  step("sleeping goroutines");
  goro::wait_group asleep, woke;
  asleep.add(static_cast<int>(s.sleepers));
  woke.add(static_cast<int>(s.sleepers));
  auto t = example::steady::now();
  for (long i = 0; i < s.sleepers; ++i)
    goro::go([&] {
      asleep.done();
      goro::sleep(50ms);
      woke.done();
    });
  asleep.wait();
  long threads = example::os_threads();  // while they all sleep
  woke.wait();
  row("\"a blocked goroutine parks only itself\"",
      "%s goroutines slept 50 ms at once: %.0f ms in all, on %ld OS threads", grouped(s.sleepers), example::ms_since(t),
      threads);
}

void pipeline(const sizes& s) {
  step("a pipeline");
  auto numbers = goro::make_chan<long>(64), middle = goro::make_chan<long>(64), out = goro::make_chan<long>(64);
  goro::go(example::relay<long>, numbers, middle);
  goro::go(example::relay<long>, middle, out);
  auto t = example::steady::now();
  goro::go([numbers, n = s.pipeline_values] {
    for (long v = 0; v < n; ++v) numbers.send(v);
    numbers.close();
  });
  long sum = 0;
  for (long v : out) sum += v;
  row("\"share memory by communicating\"", "%s values through 3 channels and 2 relay goroutines: %.0f ns each",
      grouped(s.pipeline_values), example::ns_per(t, static_cast<double>(s.pipeline_values)));
  check(sum == s.pipeline_values * (s.pipeline_values - 1) / 2, "the pipeline lost or changed values");
}

// Runs the c10k example next to this program and reads its "result" lines.
void c10k(const sizes& s) {
  step("C10K (the c10k example, in a child process)");
  auto program = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "c10k";
  if (!std::filesystem::exists(program)) {
    row("\"C10K\"", "(not measured: %s is not built)", program.c_str());
    return;
  }
  example::child_process child({program.string(), "--n=" + std::to_string(s.connections), "--rounds=5", "--results"});
  struct server {
    long connections = 0, rss_kib = 0;
    double p50 = 0, p99 = 0;
  } threads, goroutines;
  goro::blocking([&] {
    for (std::string line; child.read_line(line);) {
      std::istringstream in(line);
      std::string word, name;
      in >> word >> name;
      if (word != "result") continue;
      server& into = name == "threads" ? threads : goroutines;
      in >> into.connections >> into.rss_kib >> into.p50 >> into.p99;
    }
  });
  int status = goro::blocking([&] { return child.wait(); });
  row("\"C10K\"", "%s connections: goroutines %+.1f MiB vs threads %+.1f MiB; p99 %.0f ms vs %.0f ms",
      grouped(goroutines.connections), static_cast<double>(goroutines.rss_kib) / 1024,
      static_cast<double>(threads.rss_kib) / 1024, goroutines.p99 / 1000, threads.p99 / 1000);
  check(status == 0 && goroutines.connections > 0 && threads.connections > 0,  // c10k checks every echo
        "c10k reported failed connections (run it alone to see them)");
}

}  // namespace

int main(int argc, char** argv) {
  const sizes s = example::has_flag(argc, argv, "--quick") ? kQuick : kFull;
  return goro::run([&] {
    auto t = example::steady::now();
    std::printf("goro tour: Go's claims about goroutines, measured here (%d workers: GORO_MAXPROCS)\n\n",
                goro::maxprocs());
    memory_and_spawning(s);
    switching(s);
    procs(s);
    parking(s);
    pipeline(s);
    c10k(s);

    std::printf("\n%-44s | %s\n%s\n", "claim", "measured on this machine", std::string(120, '-').c_str());
    for (auto& [claim, measured] : table) std::printf("%-44s | %s\n", claim.c_str(), measured.c_str());
    std::printf(
        "\n(%.1f s; each figure comes from one run: rerun for the spread. The examples print more:\n"
        " goroutines_vs_threads, concurrency_vs_parallelism, c10k, daemon.)\n",
        example::ms_since(t) / 1000);
    return failures == 0 ? 0 : 1;
  });
}

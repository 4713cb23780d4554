// The shared harness of the C++ comparison programs (goro, boostfiber, thread): reading
// sizes from the environment, the RESULT line of BENCH.md, size notes in the unit field,
// the procs figure names, best-of-3 timing, RSS, the sum checks, W8's serial fib and its
// checks, and W10's sleep durations and CPU time. Each program calls bench::set_system("<name>") first; the Go program has
// its own copy in Go.
#pragma once

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

namespace bench {

// Each timed workload runs kReps times and reports the best run (BENCH.md).
inline constexpr int kReps = 3;

inline std::string& system_name() {
  static std::string name = "?";
  return name;
}
inline void set_system(const char* name) { system_name() = name; }

// Positive integer from env var `name`, or `def` when unset; exits on garbage.
inline long env_long(const char* name, long def) {
  const char* s = std::getenv(name);
  if (s == nullptr || *s == '\0') return def;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (*end != '\0' || v <= 0) {
    std::fprintf(stderr, "%s_compare: bad %s=%s\n", system_name().c_str(), name, s);
    std::exit(2);
  }
  return v;
}

// CPUs in this process's affinity mask.
inline int cpus_available() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// `base`, with the size appended when it differs from the contract default; `extra` (if
// any) is a note in the same parentheses, e.g. ns(emulated=shared-channel,N=10).
inline std::string unit(const char* base, long n, long def, const char* extra = nullptr) {
  std::string notes = extra ? extra : "";
  if (n != def) notes += (notes.empty() ? "" : ",") + std::string("N=") + std::to_string(n);
  return notes.empty() ? std::string(base) : std::string(base) + "(" + notes + ")";
}

// base_procs1 on one worker, base_procsall on all CPUs, base_procs<k> otherwise.
inline std::string procs_figure_for(const char* base, int procs, int all_cpus) {
  if (procs == 1) return std::string(base) + "_procs1";
  if (procs == all_cpus) return std::string(base) + "_procsall";
  return std::string(base) + "_procs" + std::to_string(procs);
}

inline void result(const char* workload, const std::string& figure, double value, const std::string& unit) {
  std::printf("RESULT %s %s %s %.2f %s\n", system_name().c_str(), workload, figure.c_str(), value,
              unit.c_str());
  std::fflush(stdout);
}

// A failed check: say why on stderr and leave at once with status 1 (no RESULT line).
inline void check_sum(const char* workload, std::int64_t got, std::int64_t want) {
  if (got == want) return;
  std::fprintf(stderr, "%s_compare: %s: received sum %lld, sent %lld\n", system_name().c_str(), workload,
               static_cast<long long>(got), static_cast<long long>(want));
  std::fflush(stdout);
  std::_Exit(1);
}

// Resident set size of this process in bytes (VmRSS from /proc/self/status).
inline long vm_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb * 1024;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  std::fprintf(stderr, "%s_compare: no VmRSS in /proc/self/status\n", system_name().c_str());
  std::exit(1);
}

// Runs once() kReps times and returns the shortest time in ns.
template <class Fn>
double best_of(Fn&& once) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < kReps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    once();
    best = std::min(best, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// CPU time (user + system, all threads) this process has used so far, in ms.
inline double cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// W8 (fork-join): fib(n), default n = kForkN; every call with n >= kForkCutoff runs in a
// goroutine of its own (its parent spawns it and joins it), the calls below the cut-off run
// serially in their caller (fib_serial). go/main.go has the same constants and functions.
inline constexpr long kForkN = 32;
inline constexpr long kForkCutoff = 20;

// The serial part: plain doubly recursive fib. Not inlined into its callers, so that the
// three C++ programs run the same machine code for it (same compiler, flags and source).
[[gnu::noinline]] inline long fib_serial(long n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

// What W8 must find: fib(n), computed by iteration (independent of the code measured).
inline long fib_expected(long n) {
  long a = 0, b = 1;
  for (long i = 0; i < n; ++i) {
    const long next = a + b;
    a = b;
    b = next;
  }
  return a;
}

// How many goroutines W8 must spawn for fib(n): the calls with argument >= kForkCutoff,
// c(k) = 1 + c(k-1) + c(k-2) from the cut-off up, 0 below (609 for fib(32)).
inline long fork_spawns_expected(long n) {
  long below2 = 0, below1 = 0;  // c(k-2), c(k-1)
  for (long k = kForkCutoff; k <= n; ++k) {
    const long c = 1 + below1 + below2;
    below2 = below1;
    below1 = c;
  }
  return n < kForkCutoff ? 0 : below1;
}

// W8's checks after a run: the result is fib(n) and exactly fork_spawns_expected(n)
// goroutines ran, or the program leaves with status 1 (no RESULT line).
inline void check_fork(long n, long got, long spawned) {
  if (got == fib_expected(n) && spawned == fork_spawns_expected(n)) return;
  std::fprintf(stderr, "%s_compare: W8: fib(%ld) = %ld with %ld goroutines spawned, want %ld and %ld\n",
               system_name().c_str(), n, got, spawned, fib_expected(n), fork_spawns_expected(n));
  std::fflush(stdout);
  std::_Exit(1);
}

// W10 (timers): every goroutine sleeps kTimerSleeps times.
inline constexpr int kTimerSleeps = 10;

// The k-th sleep of goroutine g in W10, 1..50 ms: a fixed hash of (g, k) (the splitmix64
// finalizer), so that every system sleeps the same durations. go/main.go has the same
// function (timerSleepMs); keep the two identical.
inline int timer_sleep_ms(long g, int k) {
  std::uint64_t z = (static_cast<std::uint64_t>(g) * kTimerSleeps + static_cast<std::uint64_t>(k) + 1) *
                    0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<int>(1 + z % 50);
}

// W10's ideal wall time for goroutines 0..n-1: the longest total sleep of any one, in ms.
inline long timer_ideal_ms(long n) {
  long ideal = 0;
  for (long g = 0; g < n; ++g) {
    long sum = 0;
    for (int k = 0; k < kTimerSleeps; ++k) sum += timer_sleep_ms(g, k);
    ideal = std::max(ideal, sum);
  }
  return ideal;
}

// Runs once() kReps times; returns the shortest run's wall time and that run's CPU time
// (getrusage delta), both in ms.
struct wall_cpu {
  double wall_ms, cpu_ms;
};
template <class Fn>
wall_cpu best_wall_cpu(Fn&& once) {
  wall_cpu best{std::numeric_limits<double>::infinity(), 0};
  for (int r = 0; r < kReps; ++r) {
    const double cpu0 = cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    once();
    const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_ms() - cpu0;
    if (wall < best.wall_ms) best = {wall, cpu};
  }
  return best;
}

// W10's two figures from the best run. A wall time below the ideal means some sleep
// returned early: that fails the check (status 1, no RESULT line).
inline void timer_results(const wall_cpu& best, long ideal_ms, const std::string& unit) {
  if (best.wall_ms < static_cast<double>(ideal_ms)) {
    std::fprintf(stderr, "%s_compare: W10: wall time %.2f ms is below the ideal %ld ms (a sleep returned early)\n",
                 system_name().c_str(), best.wall_ms, ideal_ms);
    std::fflush(stdout);
    std::_Exit(1);
  }
  result("W10", "overshoot_ms", best.wall_ms - static_cast<double>(ideal_ms), unit);
  result("W10", "cpu_ms", best.cpu_ms, unit);
}

}  // namespace bench

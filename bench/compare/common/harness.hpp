// The shared harness of the C++ comparison programs (goro, boostfiber, thread): reading
// sizes from the environment, the RESULT line of BENCH.md, size notes in the unit field,
// the procs figure names, best-of-3 timing, RSS, and the sum checks. Each program calls
// bench::set_system("<name>") first; the Go program has its own copy in Go.
#pragma once

#include <sched.h>

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

}  // namespace bench

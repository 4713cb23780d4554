// measure: the small measuring helpers the teaching examples and goro_tour share, so
// each program reads as its idea and not as bookkeeping: the process's memory and thread
// count from /proc/self/status, a millisecond clock, latency percentiles, and the
// command-line flags every example takes (--quick for the small sizes the tests use,
// --name=value for a size).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace example {

using steady = std::chrono::steady_clock;

// A field of /proc/self/status as a number: VmRSS and VmSize are in KiB, Threads is a
// count; 0 if the field is missing.
inline long proc_status(std::string_view field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':')
      return std::atol(line.c_str() + field.size() + 1);
  return 0;
}
inline long rss_kib() { return proc_status("VmRSS"); }       // resident memory
inline long vm_size_kib() { return proc_status("VmSize"); }  // address space
inline long os_threads() { return proc_status("Threads"); }

inline double ms_since(steady::time_point start) {
  return std::chrono::duration<double, std::milli>(steady::now() - start).count();
}
inline double ns_per(steady::time_point start, double count) { return ms_since(start) * 1e6 / count; }

// `--quick` anywhere on the command line.
inline bool has_flag(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == flag) return true;
  return false;
}
// `--name=value` as a number, else fallback.
inline long flag_value(int argc, char** argv, std::string_view name, long fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.size() > name.size() + 1 && a.substr(0, name.size()) == name && a[name.size()] == '=')
      return std::atol(a.data() + name.size() + 1);
  }
  return fallback;
}

// Latency percentiles of a sample (any unit): p50, p99 and the maximum.
struct percentiles {
  double p50 = 0, p99 = 0, max = 0;
};
inline percentiles percentiles_of(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
  return {at(0.50), at(0.99), v.back()};
}

// 12345678 -> "12,345,678": the figures the examples print are easier to read grouped.
inline std::string grouped(long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace example

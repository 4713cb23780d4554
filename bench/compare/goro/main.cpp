// goro_compare: the BENCH.md workloads on goro. `goro_compare W1|W2|W3`; sizes from env N,
// workers from env PROCS (or GORO_MAXPROCS). Prints RESULT lines; each timed workload runs
// 3 times and reports the best; W2 is one measurement per process (the run script runs 3).
//
// W2 note: BENCH.md parks the goroutines in a channel receive; goro's channels are not
// built yet (issue 3), so here they park in wait_group::wait, which goes through the same
// park path. The unit field says so.
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using clk = std::chrono::steady_clock;

namespace {

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atol(v) : fallback;
}

long rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  return 0;
}

void result(const char* workload, const char* figure, double value, const char* unit) {
  std::printf("RESULT goro %s %s %.1f %s\n", workload, figure, value, unit);
  std::fflush(stdout);
}

template <class F>
double best_of_3(F&& once) {
  double best = 1e300;
  for (int i = 0; i < 3; ++i) {
    auto t = clk::now();
    once();
    best = std::min(best, std::chrono::duration<double, std::nano>(clk::now() - t).count());
  }
  return best;
}

void w1_spawn() {
  const long n = env_long("N", 1000000);
  double ns = best_of_3([&] {
    goro::wait_group wg;
    wg.add(static_cast<int>(n));
    for (long i = 0; i < n; ++i) goro::go([&wg] { wg.done(); });
    wg.wait();
  });
  result("W1", "ns_per_goroutine", ns / static_cast<double>(n), "ns");
}

void w2_park_memory() {
  const long n = env_long("N", 100000);
  goro::wait_group parked, gate, finished;
  parked.add(static_cast<int>(n));
  gate.add(1);
  finished.add(static_cast<int>(n));
  long before = rss_bytes();
  for (long i = 0; i < n; ++i)
    goro::go([&] {
      parked.done();
      gate.wait();
      finished.done();
    });
  parked.wait();
  // Every goroutine has signalled; wait until each has really switched out (parked).
  while (goro::num_goroutines() > static_cast<std::size_t>(n) + 1) goro::yield();
  goro::yield();
  long after = rss_bytes();
  result("W2", "bytes_per_parked", static_cast<double>(after - before) / static_cast<double>(n),
         "bytes(wait=wait_group)");
  gate.done();
  finished.wait();
}

void w3_yield() {
  const long n = env_long("N", 5000000);
  goro::set_maxprocs(1);
  double ns = best_of_3([&] {
    goro::wait_group wg;
    wg.add(2);
    for (int k = 0; k < 2; ++k)
      goro::go([&] {
        for (long i = 0; i < n; ++i) goro::yield();
        wg.done();
      });
    wg.wait();
  });
  result("W3", "ns_per_switch", ns / (2.0 * static_cast<double>(n)), "ns");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: goro_compare W1|W2|W3\n");
    return 2;
  }
  if (long p = env_long("PROCS", 0); p > 0) goro::set_maxprocs(static_cast<int>(p));
  std::string w = argv[1];
  return goro::run([&] {
    if (w == "W1") w1_spawn();
    else if (w == "W2") w2_park_memory();
    else if (w == "W3") w3_yield();
    else {
      std::fprintf(stderr, "goro_compare: unknown workload %s\n", w.c_str());
      return 2;
    }
    return 0;
  });
}

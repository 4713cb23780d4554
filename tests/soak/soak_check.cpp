// soak_check: see soak_check.hpp.
#include "soak_check.hpp"

#include <cstdio>
#include <mutex>

namespace soak {
namespace {
std::atomic<long> g_failures{0};
std::mutex g_print;
}  // namespace

void fail(const char* workload, const std::string& what) {
  long n = g_failures.fetch_add(1) + 1;
  if (n > 20) return;
  std::lock_guard<std::mutex> lock(g_print);
  std::fprintf(stderr, "soak: FAIL [%s] %s\n", workload, what.c_str());
}

long failures() { return g_failures.load(); }

}  // namespace soak

// The shared end of every program in tests/programs/: checks a computed value against
// the expected one, and checks that the program leaves no goroutine, pending timer or
// memory behind (goroutines get a bounded time to exit: a deadline loop, not a fixed
// sleep). Sizes come from tests/support/scale.hpp: full in a plain build, smaller under
// ASan and TSan. Header-only, so a program builds with a plain compiler line:
//   g++ -std=c++20 prog.cpp $(pkg-config --cflags --libs goro)
#pragma once

#include <goro/goro.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "../support/scale.hpp"

namespace goro_programs {

using goro::test::kSanitized;
using goro::test::scaled;

// Resident memory from /proc/self/status, in MiB (0 if unknown).
inline long rss_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return 0;
}

// Prints "<name>: <what> = <got>, want <want>" and returns false if they differ.
template <class A, class B>
bool expect_eq(const char* name, const char* what, const A& got, const B& want) {
  if (got == want) return true;
  std::cout << name << ": " << what << " = " << got << ", want " << want << std::endl;
  return false;
}

// Prints "<name>: <what>" and returns false unless cond holds.
inline bool expect(const char* name, bool cond, const char* what) {
  if (!cond) std::cout << name << ": " << what << std::endl;
  return cond;
}

// Called at the end of a program's main goroutine: waits (up to a deadline) until at most
// max_goroutines goroutines are alive (the caller counts as one) and at most max_timers
// timers are pending, then checks those and that RSS is at most max_rss_mib (plus
// headroom for the sanitizers' shadow memory). Prints what differed, with a goroutine
// dump if goroutines were left; returns whether everything held.
inline bool expect_bounded(const char* name, std::size_t max_goroutines, std::size_t max_timers,
                           long max_rss_mib) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + (kSanitized ? 20s : 5s);
  std::size_t goroutines = goro::num_goroutines();
  std::size_t timers = goro::stats().timers;
  while ((goroutines > max_goroutines || timers > max_timers) && std::chrono::steady_clock::now() < deadline) {
    goro::sleep(1ms);
    goroutines = goro::num_goroutines();
    timers = goro::stats().timers;
  }
  const long rss = rss_mib();
  const long rss_limit = max_rss_mib + (kSanitized ? 64 : 0);
  bool ok = true;
  if (goroutines > max_goroutines) {
    std::cout << name << ": " << goroutines << " goroutines still alive, want at most " << max_goroutines
              << std::endl;
    goro::dump(std::cout);
    ok = false;
  }
  if (timers > max_timers) {
    std::cout << name << ": " << timers << " timers pending, want at most " << max_timers << std::endl;
    ok = false;
  }
  if (rss > rss_limit) {
    std::cout << name << ": RSS " << rss << " MiB, want at most " << rss_limit << " MiB" << std::endl;
    ok = false;
  }
  return ok;
}

// The last line of a program: "ok <name>" and 0 if ok, else 1 (what differed is printed).
inline int result(const char* name, bool ok) {
  if (ok) std::cout << "ok " << name << std::endl;
  return ok ? 0 : 1;
}

}  // namespace goro_programs

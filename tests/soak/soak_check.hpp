// soak_check: how the soak test records a broken invariant and counts work done.
// A failure is printed at once (the first 20, with the workload's name) and counted; the
// verdict at the end fails if any was recorded. Counters are the figures the sampler
// writes each second, so a stalled workload shows in the CSV as a flat column.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace soak {

void fail(const char* workload, const std::string& what);
long failures();

// Work done so far, one counter per workload (relaxed: figures, not synchronisation).
struct counters {
  std::atomic<std::uint64_t> spawned{0};          // short goroutines started and joined
  std::atomic<std::uint64_t> piped{0};            // values through the pipelines, each checked
  std::atomic<std::uint64_t> selected{0};         // values received by a select
  std::atomic<std::uint64_t> select_timeouts{0};  // selects that took their after() case
  std::atomic<std::uint64_t> locked{0};           // contended mutex critical sections
  std::atomic<std::uint64_t> timer_events{0};     // ticks, after_func runs, timer fires
  std::atomic<std::uint64_t> contexts{0};         // contexts cancelled (directly or by a parent)
  std::atomic<std::uint64_t> echoed{0};           // bytes echoed over loopback and checked
  std::atomic<std::uint64_t> connections{0};      // loopback connections opened and closed
  std::atomic<std::uint64_t> blocked{0};          // goro::blocking calls completed
};

inline void add(std::atomic<std::uint64_t>& c, std::uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }

}  // namespace soak

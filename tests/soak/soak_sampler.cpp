// soak_sampler: see soak_sampler.hpp.
#include "soak_sampler.hpp"

#include "support/process_stats.hpp"

#include <goro/debug.hpp>

#include <malloc.h>

#include <algorithm>
#include <string>

namespace soak {

sample take_sample(double t_s, const counters& c) {
  goro::runtime_stats st = goro::stats();
  auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  sample s;
  s.t_s = t_s;
  s.rss_kib = goro::test::rss_kib();
  s.fds = goro::test::open_fds();
  s.threads = goro::test::thread_count();
  struct mallinfo2 mi = mallinfo2();
  s.heap_in_use = mi.uordblks + mi.hblkhd;
  s.heap_free = mi.fordblks;
  s.goroutines = st.goroutines;
  s.workers = st.threads;
  s.hog_handoffs = st.hog_handoffs;
  s.stacks_in_use = st.stacks_in_use;
  s.stacks_pooled = st.stacks_pooled;
  s.timers = st.timers;
  s.poller_fds = st.poller_fds;
  s.spawned = get(c.spawned);
  s.piped = get(c.piped);
  s.selected = get(c.selected);
  s.select_timeouts = get(c.select_timeouts);
  s.locked = get(c.locked);
  s.timer_events = get(c.timer_events);
  s.contexts = get(c.contexts);
  s.echoed = get(c.echoed);
  s.connections = get(c.connections);
  s.blocked = get(c.blocked);
  return s;
}

void write_csv_header(std::FILE* f) {
  std::fputs(
      "t_s,rss_kib,fds,threads,heap_in_use,heap_free,workers,hog_handoffs,goroutines,stacks_in_use,stacks_pooled,timers,poller_fds,spawned,piped,selected,"
      "select_timeouts,locked,timer_events,contexts,echoed_bytes,connections,blocking_calls\n",
      f);
}

void write_csv_row(std::FILE* f, const sample& s) {
  std::fprintf(f, "%.1f,%ld,%ld,%ld,%zu,%zu,%d,%llu,%zu,%zu,%zu,%zu,%zu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", s.t_s,
               s.rss_kib, s.fds, s.threads, s.heap_in_use, s.heap_free, s.workers,
               static_cast<unsigned long long>(s.hog_handoffs), s.goroutines, s.stacks_in_use, s.stacks_pooled, s.timers, s.poller_fds,
               static_cast<unsigned long long>(s.spawned), static_cast<unsigned long long>(s.piped),
               static_cast<unsigned long long>(s.selected), static_cast<unsigned long long>(s.select_timeouts),
               static_cast<unsigned long long>(s.locked), static_cast<unsigned long long>(s.timer_events),
               static_cast<unsigned long long>(s.contexts), static_cast<unsigned long long>(s.echoed),
               static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.blocked));
  std::fflush(f);
}

growth memory_growth(const std::vector<sample>& samples, double warmup_s) {
  std::vector<long> rss, threads;
  for (const sample& s : samples)
    if (s.t_s >= warmup_s) {
      rss.push_back(s.rss_kib);
      threads.push_back(s.threads);
    }
  if (rss.size() < 8) return {};
  const long quarter = static_cast<long>(rss.size() / 4);
  auto median = [](std::vector<long> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  auto first = [&](const std::vector<long>& v) { return median({v.begin(), v.begin() + quarter}); };
  auto last = [&](const std::vector<long>& v) { return median({v.end() - quarter, v.end()}); };
  growth g;
  g.threads = last(threads) - first(threads);
  long added_kib = last(rss) - first(rss) - kThreadKiB * std::max(0L, g.threads);
  g.rss = static_cast<double>(added_kib) / static_cast<double>(first(rss));
  return g;
}

}  // namespace soak

// Soak workloads: select with timeouts on both sides of a channel (every value still
// arrives exactly once), and timers/tickers/after_func with stop and reset churn (every
// after_func either runs once or is stopped before it starts, never both, never neither).
#include <goro/goro.hpp>

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "soak_workloads.hpp"

using namespace std::chrono_literals;

namespace soak {

namespace {

void select_round(std::uint32_t count, std::uint64_t seed, counters& c) {
  auto ch = goro::make_chan<std::uint32_t>();
  goro::go([ch, count, seed, &c] {
    std::mt19937_64 rng(seed);
    for (std::uint32_t i = 0; i < count;) {
      auto patience = std::chrono::microseconds(rng() % 500);
      goro::select(goro::send_case(ch, i, [&] { ++i; }),
                   goro::recv_case(goro::after(patience), [&] { add(c.select_timeouts, 1); }));
    }
    ch.close();
  });
  constexpr int kReceivers = 3;
  std::vector<std::vector<std::uint32_t>> got(kReceivers);
  goro::wait_group wg;
  wg.add(kReceivers);
  for (int r = 0; r < kReceivers; ++r)
    goro::go([ch, &got, &wg, &c, r] {
      for (bool open = true; open;)
        goro::select(goro::recv_case(ch, [&](std::optional<std::uint32_t> v) {
                       if (v) got[r].push_back(*v);
                       else open = false;
                     }),
                     goro::recv_case(goro::after(300us), [&] { add(c.select_timeouts, 1); }));
      wg.done();
    });
  wg.wait();
  std::vector<unsigned char> seen(count, 0);
  std::uint32_t received = 0;
  for (auto& values : got)
    for (std::uint32_t v : values) {
      if (v >= count || seen[v]++) fail("select", "value " + std::to_string(v) + " received twice or never sent");
      else ++received;
    }
  if (received != count) fail("select", std::to_string(count - received) + " values lost");
  add(c.selected, received);
}

// A ticker delivers ticks; a timer reset many times fires once, at its last deadline;
// after_funcs stopped at random: stopped-before-start + ran == started.
void timer_round(std::mt19937_64& rng, counters& c) {
  goro::ticker tick(200us);
  for (int i = 0; i < 5; ++i) tick.c().recv();
  tick.stop();
  add(c.timer_events, 5);

  goro::timer t(50ms);
  for (int i = 0; i < 20; ++i) t.reset(std::chrono::microseconds(100 + rng() % 400));
  auto fired_at = t.c().recv();
  if (!fired_at) fail("timers", "a timer's channel was closed");
  if (t.stop()) fail("timers", "stop() after the timer fired reported it active");
  add(c.timer_events, 1);

  const int n = 50 + static_cast<int>(rng() % 100);
  std::atomic<int> ran{0};
  goro::wait_group finished;  // one done() per after_func: by its run, or by a successful stop
  finished.add(n);
  std::vector<goro::timer> funcs;
  funcs.reserve(n);
  for (int i = 0; i < n; ++i)
    funcs.push_back(goro::after_func(std::chrono::microseconds(rng() % 2000), [&ran, &finished] {
      ran.fetch_add(1);
      finished.done();
    }));
  int stopped = 0;
  for (auto& f : funcs)
    if (rng() % 2 && f.stop()) {
      ++stopped;
      finished.done();
    }
  finished.wait();
  if (ran.load() + stopped != n)
    fail("timers", std::to_string(ran.load()) + " ran + " + std::to_string(stopped) + " stopped != " +
                       std::to_string(n) + " after_funcs");
  add(c.timer_events, ran.load());
}

}  // namespace

void select_timeouts(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) select_round(200 + static_cast<std::uint32_t>(rng() % 800), rng(), c);
}

void timers_tickers(const goro::context& stop, counters& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!stop.err()) timer_round(rng, c);
}

}  // namespace soak

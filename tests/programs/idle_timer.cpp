// Program: timers reset in loops. A session goroutine resets one goro::timer on every
// event and ends when no event came for the idle timeout (the idle-timeout idiom), then
// Go 1.23's stop/reset rules are checked on one timer: stop() and reset() report whether
// the timer was active, and after either no stale value is received. A timer reset
// 100,000 times leaves one pending timer, not 100,000, and none is left at the end.
#include <goro/goro.hpp>

#include <chrono>
#include <optional>

#include "program_check.hpp"

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// Counts events until none has come for `idle`, then reports the count.
void session(goro::recv_chan<int> events, std::chrono::milliseconds idle, goro::send_chan<int> report) {
  goro::timer t(idle);
  int seen = 0;
  for (bool idle_out = false; !idle_out;) {
    goro::select(goro::recv_case(events,
                                 [&](std::optional<int> e) {
                                   if (!e) return;
                                   ++seen;
                                   t.reset(idle);
                                 }),
                 goro::recv_case(t.c(), [&] { idle_out = true; }));
  }
  report.send(seen);
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "idle_timer";
    bool ok = true;

    {  // the idle timeout: a burst of events, then silence
      const int n = static_cast<int>(goro_programs::scaled(10'000, 10));
      auto events = goro::make_chan<int>(static_cast<std::size_t>(n));
      auto report = goro::make_chan<int>();
      for (int i = 0; i < n; ++i) events.send(i);  // all ready: no reset waits for one
      goro::go(session, events, 250ms, report);
      ok &= goro_programs::expect_eq(name, "events seen before the idle timeout", *report.recv(), n);
    }

    {  // stop and reset (Go 1.23)
      goro::timer t(10ms);
      goro::sleep(30ms);  // it has fired (or is about to): either way stop() finds it active
      ok &= goro_programs::expect_eq(name, "stop() of a fired, unreceived timer", t.stop(), true);
      ok &= goro_programs::expect(name, !t.c().try_recv(), "a value was received after stop()");
      ok &= goro_programs::expect_eq(name, "stop() of a stopped timer", t.stop(), false);

      ok &= goro_programs::expect_eq(name, "reset() of a stopped timer", t.reset(10ms), false);
      goro::sleep(30ms);  // fired again, unreceived
      const steady::time_point before_reset = steady::now();
      ok &= goro_programs::expect_eq(name, "reset() of a fired, unreceived timer", t.reset(20ms), true);
      std::optional<steady::time_point> v = t.c().recv();
      ok &= goro_programs::expect(name, v && *v >= before_reset + 20ms, "reset(20ms) delivered a stale value");
      ok &= goro_programs::expect_eq(name, "stop() after the value was received", t.stop(), false);

      ok &= goro_programs::expect_eq(name, "reset() of a received timer", t.reset(1h), false);
      ok &= goro_programs::expect_eq(name, "reset() of a pending timer", t.reset(1h), true);
      ok &= goro_programs::expect_eq(name, "stop() of a pending timer", t.stop(), true);
    }

    {  // one timer reset in a loop stays one pending timer
      goro::timer t(1h);
      for (int i = 0; i < 100'000; ++i) t.reset(1h);
      ok &= goro_programs::expect(name, goro::stats().timers <= 1, "100,000 resets of one timer left more than one pending");
      t.stop();
    }

    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// select_timeout: waiting on several channels at once, with a time limit. select blocks
// until one of its cases can proceed and runs that case's handler; goro::after(d) is a
// channel that receives once d has passed, so a case on it is the timeout.
//
// Shows, one select per round, which case fired and why:
//   1. a value is already waiting on "results": that case fires at once;
//   2. "alerts" gets a value from a goroutine 10 ms later: select waits for it;
//   3. nothing arrives: the 30 ms timeout fires;
//   4. a closed channel is always ready: its case fires with "no value" (nullopt);
//   5. a default case: select does not wait at all when nothing is ready.
// The timeouts of rounds 1, 2 and 4 are a second, far longer than what they wait for,
// so the case that fires is the same on any machine.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "measure.hpp"

using namespace std::chrono_literals;

namespace {

struct inputs {
  goro::chan<int> results = goro::make_chan<int>(1);
  goro::chan<std::string> alerts = goro::make_chan<std::string>();
  goro::chan<goro::unit> quit = goro::make_chan<goro::unit>();
};

// One select over the three channels and a timeout; returns the name of the case taken.
std::string wait_for_one(inputs& in, std::chrono::milliseconds timeout, bool with_default = false) {
  std::string fired;
  auto on_result = goro::recv_case(in.results, [&](std::optional<int> v) { fired = "results: " + std::to_string(*v); });
  auto on_alert = goro::recv_case(in.alerts, [&](std::optional<std::string> s) { fired = "alerts: " + *s; });
  auto on_quit = goro::recv_case(
      in.quit, [&](std::optional<goro::unit> v) { fired = v ? "quit: a value" : "quit: closed (no value)"; });
  auto on_timeout = goro::recv_case(goro::after(timeout), [&] { fired = "timeout"; });
  if (with_default)
    goro::select(on_result, on_alert, on_quit, on_timeout,
                 goro::default_case([&] { fired = "default: nothing ready"; }));
  else
    goro::select(on_result, on_alert, on_quit, on_timeout);
  return fired;
}

}  // namespace

int main() {
  return goro::run([] {
    inputs in;
    int failures = 0;
    auto round = [&](const char* what, std::chrono::milliseconds timeout, const std::string& expect,
                     bool with_default = false) {
      auto t = example::steady::now();
      std::string fired = wait_for_one(in, timeout, with_default);
      std::printf("%-40s -> %-26s after %5.1f ms\n", what, fired.c_str(), example::ms_since(t));
      if (fired != expect) {
        std::printf("FAILED: expected %s\n", expect.c_str());
        ++failures;
      }
    };

    in.results.send(42);  // buffered: waits in the channel
    round("1. a result is already waiting", 1s, "results: 42");

    goro::go([alerts = in.alerts] {
      goro::sleep(10ms);
      alerts.send("disk almost full");
    });
    round("2. an alert comes 10 ms later", 1s, "alerts: disk almost full");

    round("3. nothing comes within 30 ms", 30ms, "timeout");

    in.quit.close();
    round("4. quit is closed", 1s, "quit: closed (no value)");

    in.quit = goro::make_chan<goro::unit>();  // open again, and empty
    round("5. nothing ready, with a default case", 1s, "default: nothing ready", true);

    if (failures) return 1;
    std::printf("select_timeout: ok\n");
    return 0;
  });
}

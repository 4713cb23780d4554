// Program: rate limiting with a ticker (Go by Example's "Rate Limiting"): requests are
// served one per tick of goro::tick, then with a bursty limiter (a buffered channel that
// a goroutine refills from a goro::ticker) that lets 3 through at once and the rest one
// per tick. Checks that every request was served and none earlier than its tick allows
// (a ticker never ticks early), and that the ticker goroutine and timers are gone at the end.
#include <goro/goro.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "program_check.hpp"

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

goro::chan<int> requests(int n) {
  auto c = goro::make_chan<int>(static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) c.send(i);
  c.close();
  return c;
}

// Request k (0-based) may be served no earlier than start + (k + 1 - burst) ticks.
bool check_pace(const char* name, const char* what, const std::vector<steady::time_point>& served,
                steady::time_point start, std::chrono::milliseconds period, int burst) {
  bool ok = true;
  for (std::size_t k = 0; k < served.size(); ++k) {
    const long ticks = static_cast<long>(k) + 1 - burst;
    if (ticks > 0 && served[k] < start + ticks * period) {
      std::printf("%s: %s: request %zu served %.3f ms after the start, before tick %ld (%ld ms)\n", name, what,
                  k + 1, std::chrono::duration<double, std::milli>(served[k] - start).count(), ticks,
                  static_cast<long>(ticks * period.count()));
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "rate_limiter";
    const int n = 20;
    const auto period = 5ms;
    bool ok = true;

    {  // one request per tick
      const steady::time_point start = steady::now();
      auto limiter = goro::tick(period);
      std::vector<steady::time_point> served;
      for (int req : requests(n)) {
        (void)req;
        limiter.recv();
        served.push_back(steady::now());
      }
      ok &= goro_programs::expect_eq(name, "steady: served", served.size(), std::size_t(n));
      ok &= check_pace(name, "steady", served, start, period, 0);
    }

    {  // bursts of up to 3, then one per tick
      const int burst = 3;
      auto bursty = goro::make_chan<steady::time_point>(burst);
      for (int i = 0; i < burst; ++i) bursty.send(steady::now());
      auto done = goro::make_chan<goro::unit>();
      auto refiller_done = goro::make_chan<goro::unit>();
      const steady::time_point start = steady::now();
      goro::go([=] {
        goro::ticker t(period);
        for (bool running = true; running;) {
          goro::select(goro::recv_case(t.c(), [&](auto tick) {
                         goro::select(goro::send_case(bursty, *tick), goro::recv_case(done, [&] { running = false; }));
                       }),
                       goro::recv_case(done, [&] { running = false; }));
        }
        t.stop();
        refiller_done.close();
      });
      std::vector<steady::time_point> served;
      for (int req : requests(n)) {
        (void)req;
        bursty.recv();
        served.push_back(steady::now());
      }
      done.close();
      refiller_done.recv();
      ok &= goro_programs::expect_eq(name, "bursty: served", served.size(), std::size_t(n));
      ok &= check_pace(name, "bursty", served, start, period, burst);
    }

    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

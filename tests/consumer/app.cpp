// The program every consumer project builds: goroutines, a channel, select with a timer,
// a context and a wait_group. Prints "consumer ok 4950" when all of it worked.
#include <goro/goro.hpp>

#include <cstdio>

using namespace std::chrono_literals;

int main() {
  return goro::run([] {
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 10s);
    auto c = goro::make_chan<int>(8);
    goro::wait_group wg;
    wg.add(1);
    goro::go([&, c] {
      for (int i = 0; i < 100; ++i) c.send(i);
      c.close();
      wg.done();
    });
    long sum = 0;
    for (int v : c) sum += v;
    wg.wait();
    goro::timer t(1ms);
    bool timed = goro::select(goro::recv_case(t.c()), goro::recv_case(ctx.done())) == 0;
    cancel();
    std::printf("consumer %s %ld\n", timed && ctx.err() == goro::errc::canceled ? "ok" : "FAILED", sum);
    return timed ? 0 : 1;
  });
}

// GORO_TRACE's test subject: a pipeline of three stages joined by unbuffered channels
// (every hand-off parks one goroutine and readies another), a worker pool joined by a
// wait_group, and a sleep; tests/trace/check_trace.py checks the trace it leaves.
#include <goro/goro.hpp>

#include <cstdio>

using namespace std::chrono_literals;

int main() {
  return goro::run([] {
    auto numbers = goro::make_chan<int>(), squares = goro::make_chan<int>();
    goro::go([numbers] {
      for (int i = 0; i < 200; ++i) numbers.send(i);
      numbers.close();
    });
    goro::go([numbers, squares] {
      for (int v : numbers) squares.send(v * v);
      squares.close();
    });
    long sum = 0;
    for (int v : squares) sum += v;
    goro::wait_group wg;
    for (int i = 0; i < 8; ++i) {
      wg.add(1);
      goro::go([&wg] {
        goro::sleep(1ms);
        wg.done();
      });
    }
    wg.wait();
    std::printf("sum %ld\n", sum);
    return sum == 2646700 ? 0 : 1;
  });
}

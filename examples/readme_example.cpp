// readme_example: the program shown at the top of README.md, built and run by a test so
// that the README stays true.
#include <goro/goro.hpp>
#include <cstdio>

using namespace std::chrono_literals;

int main() {
  return goro::run([] {
    auto results = goro::make_chan<int>(16);
    goro::wait_group wg;
    for (int i = 0; i < 100000; ++i) {
      wg.add(1);
      goro::go([&wg, results, i] {
        goro::sleep(10ms);  // 100,000 goroutines sleep at once on GORO_MAXPROCS threads
        results.send(i % 7);
        wg.done();
      });
    }
    goro::go([&wg, results] { wg.wait(); results.close(); });
    long sum = 0;
    for (int v : results) sum += v;  // receives until closed
    goro::select(goro::recv_case(goro::after(1s), [] { std::puts("timeout"); }),
                 goro::default_case([&] { std::printf("sum %ld\n", sum); }));
  });
}

// runtime_tour: what goro's runtime and channels do, measured on this machine and
// printed. (The full showcase of the project's ideas comes with sync, time and net.)
//   1. spawn 100,000 goroutines and join them with a wait_group;
//   2. park 100,000 goroutines at once (in a channel receive) and report their memory;
//   3. two goroutines yielding to each other on one worker: the cost of a switch;
//   4. 1,000 goroutines sleeping at once without holding a thread;
//   5. parallel work spread over every worker;
//   6. a pipeline of goroutines joined by channels, and a select with a timeout.
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

static long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

static double ms_since(clk::time_point t) {
  return std::chrono::duration<double, std::milli>(clk::now() - t).count();
}

int main(int argc, char** argv) {
  // --quick: small sizes, for the test that runs every example (and sanitizer builds).
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int many = quick ? 2000 : 100000;
  return goro::run([&] {
    std::printf("goro runtime tour: %d workers (GORO_MAXPROCS)\n\n", goro::maxprocs());

    {  // 1. spawn and join
      const int n = many;
      std::atomic<long> sum{0};
      goro::wait_group wg;
      auto t = clk::now();
      wg.add(n);
      for (int i = 0; i < n; ++i)
        goro::go([&, i] {
          sum.fetch_add(i, std::memory_order_relaxed);
          wg.done();
        });
      wg.wait();
      double ms = ms_since(t);
      std::printf("spawn+join  %d goroutines in %.1f ms (%.0f ns each), sum %ld (expected %ld)\n", n,
                  ms, ms * 1e6 / n, sum.load(), long(n) * (n - 1) / 2);
    }
    {  // 2. parked goroutines cost a page of stack plus a control block
      const int n = many;
      auto gate = goro::make_chan<goro::unit>();
      goro::wait_group started, finished;
      long before = rss_kib();
      started.add(n);
      finished.add(n);
      for (int i = 0; i < n; ++i)
        goro::go([&] {
          started.done();
          gate.recv();  // parks until the channel is closed
          finished.done();
        });
      started.wait();
      long after = rss_kib();
      std::printf("parked      %d goroutines at once: %zu alive, %.0f bytes of RSS each\n", n,
                  goro::num_goroutines(), (after - before) * 1024.0 / n);
      gate.close();  // wakes every one of them
      finished.wait();
    }
    {  // 3. context switch
      int old = goro::set_maxprocs(1);
      const int n = quick ? 10000 : 1000000;
      goro::wait_group wg;
      wg.add(2);
      auto t = clk::now();
      for (int k = 0; k < 2; ++k)
        goro::go([&] {
          for (int i = 0; i < n; ++i) goro::yield();
          wg.done();
        });
      wg.wait();
      std::printf("yield       %.1f ns per switch between two goroutines on one worker\n",
                  ms_since(t) * 1e6 / (2.0 * n));
      goro::set_maxprocs(old);
    }
    {  // 4. sleeping goroutines hold no thread
      constexpr int n = 1000;
      goro::wait_group wg;
      wg.add(n);
      auto t = clk::now();
      for (int i = 0; i < n; ++i)
        goro::go([&] {
          goro::sleep(50ms);
          wg.done();
        });
      wg.wait();
      std::printf("sleep       %d goroutines each slept 50 ms on %d workers: %.1f ms in all\n", n,
                  goro::maxprocs(), ms_since(t));
    }
    {  // 5. parallelism: busy goroutines spread over the workers (thread ids seen)
      constexpr int n = 64;
      std::mutex mu;
      std::set<std::thread::id> threads;
      goro::wait_group wg;
      wg.add(n);
      auto t = clk::now();
      for (int i = 0; i < n; ++i)
        goro::go([&] {
          volatile double x = 0;
          for (int k = 0; k < (quick ? 20000 : 2000000); ++k) x = x + k * 0.5;
          {
            std::lock_guard lk(mu);
            threads.insert(std::this_thread::get_id());
          }
          wg.done();  // after the unlock: once it is done, mu may be destroyed
        });
      wg.wait();
      std::printf("parallel    %d CPU-bound goroutines ran on %zu worker threads in %.1f ms\n", n,
                  threads.size(), ms_since(t));
    }
    {  // 6. share memory by communicating: a pipeline, then a select with a timeout
      const int n = quick ? 10000 : 1000000;
      auto numbers = goro::make_chan<int>(64);
      auto squares = goro::make_chan<long>(64);
      auto t = clk::now();
      goro::go([=] {
        for (int i = 0; i < n; ++i) numbers.send(i);
        numbers.close();
      });
      goro::go([=] {
        for (int v : numbers) squares.send(long(v) * v);
        squares.close();
      });
      long sum = 0;
      for (long v : squares) sum += v;
      std::printf("pipeline    %d values through 3 goroutines and 2 channels: %.0f ns per value "
                  "(sum of squares %ld)\n",
                  n, ms_since(t) * 1e6 / n, sum);
      auto never = goro::make_chan<int>();
      t = clk::now();
      goro::select(goro::recv_case(never, [](std::optional<int>) { std::puts("impossible"); }),
                   goro::recv_case(goro::after(std::chrono::milliseconds(20)), [&] {
                     std::printf("select      nothing arrived: timed out after %.1f ms\n", ms_since(t));
                   }));
    }
    return 0;
  });
}

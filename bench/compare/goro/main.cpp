// goro_compare: the BENCH.md workloads on goro. `goro_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11`;
// sizes from env N, workers from env PROCS (or GORO_MAXPROCS). Prints RESULT lines; each
// timed workload runs 3 times and reports the best; W2 is one measurement per process (the
// run script runs 3). A size other than the contract's is written into the unit, `ns(N=...)`.
// Exit status 3: workload not implemented; 1: a workload's check failed (W5, W6: the sum
// received differs from the sum sent; W7: the counter differs from the increments made;
// W8: the result is not fib(N) or not every call at or above the cut-off was a goroutine;
// W10: the wall time is below the ideal, so a sleep returned early).
//
// W4 and W8 name their figure after the worker count they ran with (goro::maxprocs():
// 1 -> procs1, all CPUs -> procsall, else procs<k>); bench/compare/run starts each once
// with PROCS=1 and once with PROCS=<all CPUs> (and computes W8's speedup from the two).
//
// W2 parks the goroutines in a receive from one unbuffered channel, as BENCH.md says.
//
// W10 sleeps with goro::sleep (a timer on the P's heap; the goroutine parks, no thread is
// held) and reports the fastest run's overshoot over the ideal and that run's CPU time.
//
// W11 is a server, not a measurement: a TCP echo server on 127.0.0.1 (port from env PORT,
// default 0 = any free one) with a goroutine per connection (goro::net: the goroutine
// parks in read/write, the poller wakes it). It prints `PORT <port>` as its first stdout
// line and serves until its stdin reaches end of file (bench/compare/run holds it open
// and closes it to stop the server; SIGTERM also ends it). The load client
// (loadclient/main.cpp) measures it and prints the RESULT lines.
#include <goro/goro.hpp>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using clk = std::chrono::steady_clock;

#include "../common/harness.hpp"

namespace {

using bench::best_of;
using bench::check_sum;
using bench::env_long;
using bench::result;
using bench::unit;
using bench::vm_rss_bytes;

// base_procs1 on one worker, base_procsall on all CPUs, base_procs<k> otherwise.
std::string procs_figure(const char* base) {
  return bench::procs_figure_for(base, goro::maxprocs(), bench::cpus_available());
}

void w1_spawn() {
  const long n = env_long("N", 1000000);
  double ns = best_of([&] {
    goro::wait_group wg;
    wg.add(static_cast<int>(n));
    for (long i = 0; i < n; ++i) goro::go([&wg] { wg.done(); });
    wg.wait();
  });
  result("W1", "ns_per_goroutine", ns / static_cast<double>(n), unit("ns", n, 1000000));
}

void w2_park_memory() {
  const long n = env_long("N", 100000);
  auto c = goro::make_chan<int>();
  goro::wait_group running, finished;
  running.add(static_cast<int>(n));
  finished.add(static_cast<int>(n));
  long before = vm_rss_bytes();
  for (long i = 0; i < n; ++i)
    goro::go([&] {
      running.done();
      c.recv();  // parks until close
      finished.done();
    });
  running.wait();
  // Every goroutine has run (its stack page is touched); let the last ones reach recv.
  for (int i = 0; i < 100; ++i) goro::yield();
  long after = vm_rss_bytes();
  result("W2", "bytes_per_parked", static_cast<double>(after - before) / static_cast<double>(n),
         unit("bytes", n, 100000));
  c.close();
  finished.wait();
}

void w3_yield() {
  const long n = env_long("N", 5000000);
  goro::set_maxprocs(1);
  double ns = best_of([&] {
    goro::wait_group wg;
    wg.add(2);
    for (int k = 0; k < 2; ++k)
      goro::go([&] {
        for (long i = 0; i < n; ++i) goro::yield();
        wg.done();
      });
    wg.wait();
  });
  result("W3", "ns_per_switch", ns / (2.0 * static_cast<double>(n)), unit("ns", n, 5000000));
}

// W4: two goroutines bounce a value over two unbuffered channels n times.
void w4_pingpong() {
  constexpr long def = 1000000;
  const long n = env_long("N", def);
  double ns = best_of([&] {
    auto ping = goro::make_chan<int>(), pong = goro::make_chan<int>();
    goro::wait_group wg;
    wg.add(2);
    goro::go([&] {  // the pinger starts every round trip
      for (long i = 0; i < n; ++i) {
        ping.send(static_cast<int>(i));
        pong.recv();
      }
      wg.done();
    });
    goro::go([&] {  // the ponger answers it
      for (long i = 0; i < n; ++i) pong.send(*ping.recv());
      wg.done();
    });
    wg.wait();
  });
  result("W4", procs_figure("ns_per_roundtrip"), ns / static_cast<double>(n), unit("ns", n, def));
}

// Sends 0..n-1 through a channel of capacity 1024 from p producers (each a contiguous
// share) to c consumers, which range over it until it is closed; checks the sum.
void buffered_run(int p, int c, long n) {
  auto ch = goro::make_chan<int>(1024);
  goro::wait_group producers, consumers;
  std::atomic<std::int64_t> total{0};
  producers.add(p);
  consumers.add(c);
  for (int k = 0; k < p; ++k) {
    const long lo = n * k / p, hi = n * (k + 1) / p;
    goro::go([&, lo, hi] {
      for (long i = lo; i < hi; ++i) ch.send(static_cast<int>(i));
      producers.done();
    });
  }
  for (int k = 0; k < c; ++k)
    goro::go([&] {
      std::int64_t sum = 0;
      for (int v : ch) sum += v;
      total.fetch_add(sum, std::memory_order_relaxed);
      consumers.done();
    });
  producers.wait();
  ch.close();
  consumers.wait();
  check_sum("W5", total.load(), static_cast<std::int64_t>(n) * (n - 1) / 2);
}

// W5: buffered channel (capacity 1024), 1 producer 1 consumer, then 4 and 4; n ints.
void w5_buffered() {
  constexpr long def = 10000000;
  const long n = env_long("N", def);
  double ns = best_of([&] { buffered_run(1, 1, n); });
  result("W5", "ns_per_item_1p1c", ns / static_cast<double>(n), unit("ns", n, def));
  ns = best_of([&] { buffered_run(4, 4, n); });
  result("W5", "ns_per_item_4p4c", ns / static_cast<double>(n), unit("ns", n, def));
}

// W6: two producers each send n/2 ints on their own unbuffered channel and close it; one
// consumer selects over both and sets a closed one to nil (never ready), until both are.
void w6_select() {
  constexpr long def = 1000000;
  const long n = env_long("N", def), half = n / 2;
  double ns = best_of([&] {
    goro::chan<int> a = goro::make_chan<int>(), b = goro::make_chan<int>();
    for (const auto& c : {a, b})
      goro::go([c, half] {
        for (long i = 0; i < half; ++i) c.send(static_cast<int>(i));
        c.close();
      });
    std::int64_t sum = 0;
    while (a || b) {
      bool closed = false;
      auto take = [&](std::optional<int> v) {
        if (v) sum += *v;
        else closed = true;
      };
      const std::size_t i = goro::select(goro::recv_case(a, take), goro::recv_case(b, take));
      if (closed) (i == 0 ? a : b) = goro::chan<int>{};
    }
    check_sum("W6", sum, static_cast<std::int64_t>(half) * (half - 1));
  });
  result("W6", "ns_per_msg", ns / static_cast<double>(2 * half), unit("ns", n, def));
}

// W7: 4*PROCS goroutines share n increments of one counter (each a contiguous share, so
// they add up to exactly n), each increment under one goro::mutex; the count is checked.
void w7_mutex() {
  constexpr long def = 10000000;
  const long n = env_long("N", def);
  const int workers = 4 * goro::maxprocs();
  double ns = best_of([&] {
    goro::mutex m;
    std::int64_t counter = 0;  // guarded by m
    goro::wait_group wg;
    wg.add(workers);
    for (int k = 0; k < workers; ++k) {
      const long share = n * (k + 1) / workers - n * k / workers;
      goro::go([&, share] {
        for (long i = 0; i < share; ++i) {
          std::lock_guard<goro::mutex> lk(m);
          ++counter;
        }
        wg.done();
      });
    }
    wg.wait();
    if (counter != n) {
      std::fprintf(stderr, "goro_compare: W7: counter is %lld, want %ld\n",
                   static_cast<long long>(counter), n);
      std::fflush(stdout);
      std::_Exit(1);
    }
  });
  result("W7", "ns_per_op", ns / static_cast<double>(n), unit("ns", n, def));
}

// W8's fork: fib(n) for n >= kForkCutoff, running in its own goroutine. Each child call at
// or above the cut-off gets a goroutine (spawned first), the others run here serially;
// a wait_group joins the children. `spawned` counts the goroutines started.
long fib_fork(long n, std::atomic<long>& spawned) {
  spawned.fetch_add(1, std::memory_order_relaxed);
  long r[2] = {0, 0};
  goro::wait_group wg;
  for (int i = 0; i < 2; ++i) {
    const long m = n - 1 - i;
    if (m >= bench::kForkCutoff) {
      wg.add(1);
      goro::go([&r, &wg, &spawned, i, m] {
        r[i] = fib_fork(m, spawned);
        wg.done();
      });
    } else {
      r[i] = bench::fib_serial(m);
    }
  }
  wg.wait();
  return r[0] + r[1];
}

// W8: fork-join fib(N) (default 32; see bench::kForkN): main spawns the root call's
// goroutine and waits for it; each run's result and goroutine count are checked.
void w8_forkjoin() {
  const long n = env_long("N", bench::kForkN);
  double ns = best_of([&] {
    std::atomic<long> spawned{0};
    long got = 0;
    if (n >= bench::kForkCutoff) {
      goro::wait_group wg;
      wg.add(1);
      goro::go([&] {
        got = fib_fork(n, spawned);
        wg.done();
      });
      wg.wait();
    } else {
      got = bench::fib_serial(n);
    }
    bench::check_fork(n, got, spawned.load());
  });
  result("W8", procs_figure("ms"), ns / 1e6, unit("ms", n, bench::kForkN));
}

// W9: 503 goroutines in a ring of unbuffered channels pass a token n hops. The token
// carries the hops left; whoever receives 0 closes the next channel, and each goroutine
// that finds its input closed closes the next one and exits, so the ring winds down.
void w9_threadring() {
  constexpr long def = 10000000;
  constexpr int kRing = 503;
  const long n = env_long("N", def);
  double ns = best_of([&] {
    std::vector<goro::chan<int>> ring;
    for (int i = 0; i < kRing; ++i) ring.push_back(goro::make_chan<int>());
    goro::wait_group wg;
    wg.add(kRing);
    for (int i = 0; i < kRing; ++i)
      goro::go([in = ring[i], out = ring[(i + 1) % kRing], &wg] {
        for (int t : in) {
          if (t == 0) break;
          out.send(t - 1);
        }
        out.close();
        wg.done();
      });
    ring[0].send(static_cast<int>(n));
    wg.wait();
  });
  result("W9", "ns_per_hop", ns / static_cast<double>(n), unit("ns", n, def));
}

// W10: n goroutines each sleep kTimerSleeps times for bench::timer_sleep_ms(g, k) (1..50 ms,
// the same durations in every system); main waits on a wait_group. The wall time covers
// spawning and joining; overshoot = wall - ideal (the longest goroutine's total sleep).
void w10_timers() {
  constexpr long def = 100000;
  const long n = env_long("N", def);
  const long ideal = bench::timer_ideal_ms(n);
  const bench::wall_cpu best = bench::best_wall_cpu([&] {
    goro::wait_group wg;
    wg.add(static_cast<int>(n));
    for (long g = 0; g < n; ++g)
      goro::go([&wg, g] {
        for (int k = 0; k < bench::kTimerSleeps; ++k)
          goro::sleep(std::chrono::milliseconds(bench::timer_sleep_ms(g, k)));
        wg.done();
      });
    wg.wait();
  });
  bench::timer_results(best, ideal, unit("ms", n, def));
}

// W11: the echo server (see the top of this file). A connection reset by the client ends
// its goroutine quietly (error_code overloads, nothing throws).
int w11_echo_server() {
  rlimit rl{};  // a descriptor per connection: take all the hard limit allows
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  const char* port = std::getenv("PORT");
  std::error_code ec;
  goro::net::listener ln = goro::net::listen("tcp", std::string("127.0.0.1:") + (port && *port ? port : "0"), ec);
  if (ec) {
    std::fprintf(stderr, "goro_compare: W11: listen: %s\n", ec.message().c_str());
    return 1;
  }
  std::printf("PORT %u\n", static_cast<unsigned>(ln.addr().port()));
  std::fflush(stdout);
  // The stop signal: end of file on stdin (a plain thread blocks reading it).
  std::thread([] {
    char b[256];
    while (::read(0, b, sizeof b) > 0) {
    }
    std::_Exit(0);
  }).detach();
  for (long errors = 0;;) {
    goro::net::conn c = ln.accept(ec);
    if (ec) {
      if (errors++ < 10) std::fprintf(stderr, "goro_compare: W11: accept: %s\n", ec.message().c_str());
      if (ec == goro::net::errc::closed) return 1;
      continue;
    }
    goro::go([c]() mutable {
      char buf[4096];
      std::error_code e;
      for (;;) {
        const std::size_t n = c.read(std::span<char>(buf), e);
        if (e || n == 0) break;
        c.write(std::string_view(buf, n), e);
        if (e) break;
      }
      c.close(e);
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::set_system("goro");
  if (argc < 2) {
    std::fprintf(stderr, "usage: goro_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11\n");
    return 2;
  }
  if (long p = env_long("PROCS", 0); p > 0) goro::set_maxprocs(static_cast<int>(p));
  std::string w = argv[1];
  return goro::run([&] {
    if (w == "W1") w1_spawn();
    else if (w == "W2") w2_park_memory();
    else if (w == "W3") w3_yield();
    else if (w == "W4") w4_pingpong();
    else if (w == "W5") w5_buffered();
    else if (w == "W6") w6_select();
    else if (w == "W7") w7_mutex();
    else if (w == "W8") w8_forkjoin();
    else if (w == "W9") w9_threadring();
    else if (w == "W10") w10_timers();
    else if (w == "W11") return w11_echo_server();
    else {
      std::fprintf(stderr, "goro_compare: unsupported workload %s\n", w.c_str());
      return 3;
    }
    return 0;
  });
}

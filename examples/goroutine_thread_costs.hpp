// goroutine_thread_costs: what a goroutine costs next to an OS thread (std::thread),
// measured the same way for both: the time to start and finish many, the memory of many
// parked at once, the time of a switch from one to another, and the stack each reserves.
// goroutines_vs_threads prints these; goro_tour puts them in its table.
//
// Fairness: both sides run the same work (an atomic add, a wait, a hand-over); a parked
// goroutine waits in a channel receive, a parked thread in std::latch (a futex); the
// switch is measured between two goroutines on one worker and between two threads on one
// CPU, so neither side pays for moving between cores. Threads are started and joined in
// batches, so that no more than `batch` exist at once (this machine allows ~32,000 tasks
// in all, and each thread reserves a stack of address space).
//
// Memory is the change in the process's resident set (VmRSS) and address space (VmSize)
// while they are all parked. Measure threads before goroutines: goro keeps the stacks of
// goroutines that ended for reuse, resident, and returns them to the system half a
// second or more later, which would shrink the RSS under a measurement that follows.
// Call these from a goroutine.
#pragma once

#include <goro/goro.hpp>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "measure.hpp"

namespace example {

struct spawn_cost {
  long count = 0;
  double ms = 0;
  long sum = 0;  // of 0 .. count-1, added by each goroutine or thread: proof that all ran
  double ns_each() const { return ms * 1e6 / static_cast<double>(count); }
  bool all_ran() const { return sum == count * (count - 1) / 2; }
};

struct parked_cost {
  long count = 0;
  long rss_kib = 0, vm_kib = 0;  // growth of VmRSS and VmSize while all were parked
  double rss_bytes_each() const { return static_cast<double>(rss_kib) * 1024 / static_cast<double>(count); }
  double vm_bytes_each() const { return static_cast<double>(vm_kib) * 1024 / static_cast<double>(count); }
};

// Starts n goroutines that each do an atomic add, and waits for them all.
inline spawn_cost spawn_goroutines(long n) {
  std::atomic<long> sum{0};
  goro::wait_group wg;
  auto t = steady::now();
  wg.add(static_cast<int>(n));
  for (long i = 0; i < n; ++i)
    goro::go([&sum, &wg, i] {
      sum.fetch_add(i, std::memory_order_relaxed);
      wg.done();
    });
  wg.wait();
  return {n, ms_since(t), sum.load()};
}

// The same with std::thread, started and joined `batch` at a time. Joining blocks the
// calling thread, so the whole of it runs inside goro::blocking (the worker's other
// goroutines move to another thread meanwhile).
inline spawn_cost spawn_threads(long n, long batch) {
  return goro::blocking([&] {
    std::atomic<long> sum{0};
    std::vector<std::thread> running;
    running.reserve(static_cast<std::size_t>(batch));
    auto t = steady::now();
    for (long i = 0; i < n;) {
      for (long b = 0; b < batch && i < n; ++b, ++i)
        running.emplace_back([&sum, i] { sum.fetch_add(i, std::memory_order_relaxed); });
      for (std::thread& th : running) th.join();
      running.clear();
    }
    return spawn_cost{n, ms_since(t), sum.load()};
  });
}

// n goroutines parked at once in a receive on one channel, then released by its close.
inline parked_cost park_goroutines(long n) {
  auto gate = goro::make_chan<goro::unit>();
  goro::wait_group started, finished;
  const long rss0 = rss_kib(), vm0 = vm_size_kib();
  started.add(static_cast<int>(n));
  finished.add(static_cast<int>(n));
  for (long i = 0; i < n; ++i)
    goro::go([&, gate] {
      started.done();
      gate.recv();  // parks until the close below
      finished.done();
    });
  started.wait();
  parked_cost cost{n, rss_kib() - rss0, vm_size_kib() - vm0};
  gate.close();
  finished.wait();
  return cost;
}

// n threads blocked at once on a std::latch, then released.
inline parked_cost park_threads(long n) {
  std::latch started(n), release(1);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  const long rss0 = rss_kib(), vm0 = vm_size_kib();
  for (long i = 0; i < n; ++i)
    threads.emplace_back([&] {
      started.count_down();
      release.wait();
    });
  goro::blocking([&] { started.wait(); });  // a wait that blocks this worker's thread
  parked_cost cost{n, rss_kib() - rss0, vm_size_kib() - vm0};
  release.count_down();
  goro::blocking([&] {
    for (std::thread& th : threads) th.join();
  });
  return cost;
}

// Two goroutines hand a value back and forth over unbuffered channels, on one worker
// (GORO_MAXPROCS=1 for the measurement). Nanoseconds per switch (a round trip is two).
inline double goroutine_switch_ns(long round_trips) {
  const int previous = goro::set_maxprocs(1);
  auto ping = goro::make_chan<long>(), pong = goro::make_chan<long>();
  goro::go([=] {
    for (long v : ping) pong.send(v + 1);
    pong.close();
  });
  auto t = steady::now();
  for (long i = 0; i < round_trips; ++i) {
    ping.send(i);
    pong.recv();
  }
  double ns = ns_per(t, 2.0 * static_cast<double>(round_trips));
  ping.close();
  pong.recv();  // the echoer has finished
  goro::set_maxprocs(previous);
  return ns;
}

// Two threads take turns through a mutex and a condition variable, both pinned to the
// CPU the caller runs on. Nanoseconds per switch.
inline double thread_switch_ns(long round_trips) {
  std::mutex mu;
  std::condition_variable turn_changed;
  int turn = 0;  // 0: the pinger's turn, 1: the ponger's
  cpu_set_t one_cpu;
  CPU_ZERO(&one_cpu);
  CPU_SET(sched_getcpu(), &one_cpu);
  std::latch pinned(2);
  double ns = 0;  // written by the pinger, read after the join
  auto player = [&](int me) {
    pthread_setaffinity_np(pthread_self(), sizeof one_cpu, &one_cpu);
    pinned.arrive_and_wait();
    auto t = steady::now();
    std::unique_lock lk(mu);
    for (long i = 0; i < round_trips; ++i) {
      turn_changed.wait(lk, [&] { return turn == me; });
      turn = 1 - me;
      turn_changed.notify_one();
    }
    if (me == 0) ns = ns_per(t, 2.0 * static_cast<double>(round_trips));
  };
  goro::blocking([&] {
    std::thread pinger(player, 0), ponger(player, 1);
    pinger.join();
    ponger.join();
  });
  return ns;
}

// The stack a new std::thread reserves by default (from ulimit -s: 8 MiB on Linux).
inline std::size_t thread_stack_bytes() {
  pthread_attr_t attr;
  std::size_t size = 0;
  pthread_getattr_default_np(&attr);
  pthread_attr_getstacksize(&attr, &size);
  pthread_attr_destroy(&attr);
  return size;
}

}  // namespace example

// boostfiber_compare: the Boost.Fiber (1.74) baseline for the bench/compare workloads
// (see BENCH.md).
//
// Usage: boostfiber_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10
// Env:   N      workload size (defaults as in BENCH.md)
//        PROCS  worker threads (default: CPUs in the affinity mask); W3 uses 1.
// Prints `RESULT boostfiber <workload> <figure> <value> <unit>` lines on stdout.
// Exit status 3: workload not implemented; 1: a check failed (W5/W6 sums, W7 count, W8
// result and fiber count, W10 wall time below the ideal).
//
// Scheduling: every workload but W3 runs on PROCS threads sharing fibers through
// boost::fibers::algo::work_stealing (the main thread is one of them; idle threads spin
// looking for work, the algorithm's default); W3 runs on the main thread alone with the
// default round_robin scheduler. work_stealing keeps its thread registry in statics, so a
// process sets up one pool (WorkStealingPool) per workload and never a second one.
// Channels: W2, W4, W6 and W9 use boost::fibers::unbuffered_channel; W5 uses
// buffered_channel(1024), whose ring keeps one slot free, so it holds at most 1023 items.
// W4 and W8 name their figure after the worker count (1 -> procs1, all CPUs -> procsall,
// else procs<k>); bench/compare/run starts each once with PROCS=1 and once with all CPUs.
// W8: fork-join fib(32), a fiber per call at or above the cut-off (20) on the PROCS
// work_stealing threads (a spawned fiber waits in its spawner's queue until stolen); a
// parent joins its children with fiber::join (Boost.Fiber's own join; no WaitGroup).
// W6: Boost.Fiber has no select. It is emulated by both producers pushing into one shared
// unbuffered channel (the last producer to finish closes it), which the consumer drains;
// the unit says `emulated=shared-channel`.
// W7: 4*PROCS fibers on the PROCS work_stealing threads increment one counter under a
// boost::fibers::mutex (a fiber that must wait is suspended, its thread runs others).
// W10: 100,000 fibers on the PROCS work_stealing threads each sleep 10 times with
// boost::this_fiber::sleep_for (the fiber waits in its thread's sleep queue). A thread
// with no ready fiber does not block until its next deadline: work_stealing's default
// (no suspend) keeps it polling, so cpu_ms is about PROCS x the wall time.
// Stacks: every fiber gets a boost::fibers::fixedsize_stack of 16 KiB (malloc'd, no guard
// page). The library default (128 KiB) would make each stack its own mmap, and 100,000 of
// those exceed vm.max_map_count; protected_fixedsize_stack needs two mappings per fiber.
// Joining: Boost.Fiber has no WaitGroup, so W1/W2 use a latch made of an atomic counter
// plus boost::fibers::mutex / condition_variable (the fiber that brings it to zero wakes
// the waiter).
// Every workload but W2 runs 3 times in-process and prints the best (minimum time) run; W2
// is one measurement per process (bench/compare/run starts 3 processes and keeps the lowest).
// W11 (TCP echo server) is not implemented (exit status 3): Boost.Fiber has no network
// poller, so a fiber blocked in a socket call would block its whole thread.
#include <boost/fiber/all.hpp>

#include <malloc.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bf = boost::fibers;
using Clock = std::chrono::steady_clock;

#include "../common/harness.hpp"

namespace {

using bench::best_of;
using bench::kReps;
using bench::check_sum;
using bench::cpus_available;
using bench::env_long;
using bench::result;
using bench::unit;
using bench::vm_rss_bytes;

constexpr std::size_t kStackSize = 16 * 1024;

// Worker threads for the work_stealing workloads: env PROCS, default all CPUs.
unsigned procs() { return static_cast<unsigned>(env_long("PROCS", cpus_available())); }

// base_procs1 on one thread, base_procsall on all CPUs, base_procs<k> otherwise.
std::string procs_figure(const char* base) {
    return bench::procs_figure_for(base, static_cast<int>(procs()), cpus_available());
}

double ns_since(Clock::time_point start) {
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

// Counts down from n; wait() blocks the calling fiber until the count reaches zero.
class Latch {
public:
    explicit Latch(long n) : remaining_(n) {}
    void count_down() {
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::lock_guard<bf::mutex> lk(m_);
            done_ = true;
            cv_.notify_all();
        }
    }
    void wait() {
        std::unique_lock<bf::mutex> lk(m_);
        cv_.wait(lk, [this] { return done_; });
    }

private:
    std::atomic<long> remaining_;
    bf::mutex m_;
    bf::condition_variable cv_;
    bool done_ = false;
};

template <class Fn>
void spawn(Fn&& fn) {
    bf::fiber(std::allocator_arg, bf::fixedsize_stack(kStackSize), std::forward<Fn>(fn)).detach();
}

// PROCS threads running the work_stealing scheduler: the calling (main) thread plus
// procs-1 helpers that park their main fiber until the pool is destroyed, so their
// schedulers keep running (stolen) fibers meanwhile.
class WorkStealingPool {
public:
    explicit WorkStealingPool(unsigned procs) {
        for (unsigned i = 1; i < procs; ++i) {
            helpers_.emplace_back([this, procs] {
                bf::use_scheduling_algorithm<bf::algo::work_stealing>(procs);
                std::unique_lock<bf::mutex> lk(m_);
                cv_.wait(lk, [this] { return stop_; });
            });
        }
        bf::use_scheduling_algorithm<bf::algo::work_stealing>(procs);
    }
    ~WorkStealingPool() {
        {
            std::lock_guard<bf::mutex> lk(m_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : helpers_) t.join();
    }

private:
    std::vector<std::thread> helpers_;
    bf::mutex m_;
    bf::condition_variable cv_;
    bool stop_ = false;
};

// W1: spawn n fibers that each only count down a latch; main waits on it.
// The spawning main fiber outruns the fibers, so most of the n stacks are alive at once
// (about 11 GB resident at n = 1,000,000). Heap trimming is switched off so that the
// later runs reuse the freed stacks instead of page-faulting fresh memory, as Go reuses
// its goroutines; the best run is reported.
void w1() {
    constexpr long def = 1000000;
    const long n = env_long("N", def);
    mallopt(M_TRIM_THRESHOLD, -1);
    WorkStealingPool pool(procs());
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < kReps; ++r) {
        Latch done(n);
        const auto start = Clock::now();
        for (long i = 0; i < n; ++i) spawn([&done] { done.count_down(); });
        done.wait();
        best = std::min(best, ns_since(start));
    }
    result("W1", "ns_per_goroutine", best / static_cast<double>(n), unit("ns", n, def));
}

// W2: n fibers block receiving from one unbuffered channel; RSS delta / n. One measurement.
void w2() {
    constexpr long def = 100000;
    const long n = env_long("N", def);
    WorkStealingPool pool(procs());
    bf::unbuffered_channel<int> ch;
    std::atomic<long> parked{0};
    Latch done(n);
    const long before = vm_rss_bytes();
    for (long i = 0; i < n; ++i) {
        spawn([&] {
            parked.fetch_add(1, std::memory_order_relaxed);
            int v = 0;
            ch.pop(v);  // returns channel_op_status::closed once main closes the channel
            done.count_down();
        });
    }
    // Every fiber counts itself just before it receives; once all have counted, a short
    // settle lets the last ones reach the receive and park.
    while (parked.load(std::memory_order_relaxed) < n) boost::this_fiber::yield();
    boost::this_fiber::sleep_for(std::chrono::milliseconds(50));
    const long after = vm_rss_bytes();
    ch.close();
    done.wait();
    result("W2", "bytes_per_parked", static_cast<double>(after - before) / static_cast<double>(n),
           unit("bytes", n, def));
}

// W3: one thread (round_robin), two fibers each call boost::this_fiber::yield n times.
void w3() {
    constexpr long def = 5000000;
    const long n = env_long("N", def);
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < kReps; ++r) {
        auto body = [n] {
            for (long i = 0; i < n; ++i) boost::this_fiber::yield();
        };
        const auto start = Clock::now();
        bf::fiber a(std::allocator_arg, bf::fixedsize_stack(kStackSize), body);
        bf::fiber b(std::allocator_arg, bf::fixedsize_stack(kStackSize), body);
        a.join();
        b.join();
        best = std::min(best, ns_since(start));
    }
    result("W3", "ns_per_switch", best / static_cast<double>(2 * n), unit("ns", n, def));
}

// W4: two fibers bounce a value over two unbuffered channels n times.
void w4() {
    constexpr long def = 1000000;
    const long n = env_long("N", def);
    WorkStealingPool pool(procs());
    const double best = best_of([&] {
        bf::unbuffered_channel<int> ping, pong;
        Latch done(2);
        spawn([&] {  // the pinger starts every round trip
            int v = 0;
            for (long i = 0; i < n; ++i) {
                ping.push(static_cast<int>(i));
                pong.pop(v);
            }
            done.count_down();
        });
        spawn([&] {  // the ponger answers it
            int v = 0;
            for (long i = 0; i < n; ++i) {
                ping.pop(v);
                pong.push(v);
            }
            done.count_down();
        });
        done.wait();
    });
    result("W4", procs_figure("ns_per_roundtrip").c_str(), best / static_cast<double>(n),
           unit("ns", n, def));
}

// Sends 0..n-1 through a buffered_channel(1024) from p producers (each a contiguous share)
// to c consumers, which pop until it is closed; checks the sum.
void buffered_run(int p, int c, long n) {
    bf::buffered_channel<int> ch(1024);
    Latch produced(p), consumed(c);
    std::atomic<std::int64_t> total{0};
    for (int k = 0; k < p; ++k) {
        const long lo = n * k / p, hi = n * (k + 1) / p;
        spawn([&, lo, hi] {
            for (long i = lo; i < hi; ++i) ch.push(static_cast<int>(i));
            produced.count_down();
        });
    }
    for (int k = 0; k < c; ++k) {
        spawn([&] {
            std::int64_t sum = 0;
            int v = 0;
            while (ch.pop(v) == bf::channel_op_status::success) sum += v;
            total.fetch_add(sum, std::memory_order_relaxed);
            consumed.count_down();
        });
    }
    produced.wait();
    ch.close();
    consumed.wait();
    check_sum("W5", total.load(), static_cast<std::int64_t>(n) * (n - 1) / 2);
}

// W5: buffered channel (capacity 1024), 1 producer 1 consumer, then 4 and 4; n ints.
void w5() {
    constexpr long def = 10000000;
    const long n = env_long("N", def);
    WorkStealingPool pool(procs());
    double best = best_of([&] { buffered_run(1, 1, n); });
    result("W5", "ns_per_item_1p1c", best / static_cast<double>(n), unit("ns", n, def));
    best = best_of([&] { buffered_run(4, 4, n); });
    result("W5", "ns_per_item_4p4c", best / static_cast<double>(n), unit("ns", n, def));
}

// W6, emulated (no select in Boost.Fiber): two producers each push n/2 ints into one
// shared unbuffered channel; the second to finish closes it; the consumer (the main
// fiber) pops until it is closed.
void w6() {
    constexpr long def = 1000000;
    const long n = env_long("N", def), half = n / 2;
    WorkStealingPool pool(procs());
    const double best = best_of([&] {
        bf::unbuffered_channel<int> shared;
        std::atomic<int> producing{2};
        for (int k = 0; k < 2; ++k) {
            spawn([&] {
                for (long i = 0; i < half; ++i) shared.push(static_cast<int>(i));
                if (producing.fetch_sub(1, std::memory_order_acq_rel) == 1) shared.close();
            });
        }
        std::int64_t sum = 0;
        int v = 0;
        while (shared.pop(v) == bf::channel_op_status::success) sum += v;
        check_sum("W6", sum, static_cast<std::int64_t>(half) * (half - 1));
    });
    result("W6", "ns_per_msg", best / static_cast<double>(2 * half),
           unit("ns", n, def, "emulated=shared-channel"));
}

// W7: 4*PROCS fibers share n increments of one counter (each a contiguous share, so they
// add up to exactly n), each increment under one boost::fibers::mutex; the count is checked.
void w7() {
    constexpr long def = 10000000;
    const long n = env_long("N", def);
    const unsigned p = procs();
    const long workers = 4L * p;
    WorkStealingPool pool(p);
    const double best = best_of([&] {
        bf::mutex m;
        std::int64_t counter = 0;  // guarded by m
        Latch done(workers);
        for (long k = 0; k < workers; ++k) {
            const long share = n * (k + 1) / workers - n * k / workers;
            spawn([&, share] {
                for (long i = 0; i < share; ++i) {
                    std::lock_guard<bf::mutex> lk(m);
                    ++counter;
                }
                done.count_down();
            });
        }
        done.wait();  // every fiber's increments happen before its count_down
        if (counter != n) {
            std::fprintf(stderr, "boostfiber_compare: W7: counter is %lld, want %ld\n",
                         static_cast<long long>(counter), n);
            std::fflush(stdout);
            std::_Exit(1);
        }
    });
    result("W7", "ns_per_op", best / static_cast<double>(n), unit("ns", n, def));
}

// W8's fork: fib(n) for n >= kForkCutoff, running in its own fiber. Each child call at or
// above the cut-off gets a fiber (spawned first), the others run here serially; the
// children are joined (fiber::join). `spawned` counts the fibers started.
long fib_fork(long n, std::atomic<long>& spawned) {
    spawned.fetch_add(1, std::memory_order_relaxed);
    long r[2] = {0, 0};
    bf::fiber children[2];
    for (int i = 0; i < 2; ++i) {
        const long m = n - 1 - i;
        if (m >= bench::kForkCutoff) {
            children[i] = bf::fiber(std::allocator_arg, bf::fixedsize_stack(kStackSize),
                                    [&r, &spawned, i, m] { r[i] = fib_fork(m, spawned); });
        } else {
            r[i] = bench::fib_serial(m);
        }
    }
    for (auto& c : children)
        if (c.joinable()) c.join();
    return r[0] + r[1];
}

// W8: fork-join fib(N) (default 32): the main fiber spawns the root call's fiber and joins
// it; each run's result and fiber count are checked.
void w8() {
    const long n = env_long("N", bench::kForkN);
    WorkStealingPool pool(procs());
    const double best = best_of([&] {
        std::atomic<long> spawned{0};
        long got = 0;
        if (n >= bench::kForkCutoff) {
            bf::fiber root(std::allocator_arg, bf::fixedsize_stack(kStackSize),
                           [&] { got = fib_fork(n, spawned); });
            root.join();
        } else {
            got = bench::fib_serial(n);
        }
        bench::check_fork(n, got, spawned.load());
    });
    result("W8", procs_figure("ms"), best / 1e6, unit("ms", n, bench::kForkN));
}

// W9: 503 fibers in a ring of unbuffered channels pass a token n hops. The token carries
// the hops left; whoever receives 0 closes the next channel, and each fiber that finds its
// input closed closes the next one and exits, so the ring winds down.
void w9() {
    constexpr long def = 10000000;
    constexpr int kRing = 503;
    const long n = env_long("N", def);
    WorkStealingPool pool(procs());
    const double best = best_of([&] {
        auto ring = std::make_unique<bf::unbuffered_channel<int>[]>(kRing);
        Latch done(kRing);
        for (int i = 0; i < kRing; ++i) {
            spawn([&, in = &ring[i], out = &ring[(i + 1) % kRing]] {
                int t = 0;
                while (in->pop(t) == bf::channel_op_status::success && t != 0) out->push(t - 1);
                out->close();
                done.count_down();
            });
        }
        ring[0].push(static_cast<int>(n));
        done.wait();
    });
    result("W9", "ns_per_hop", best / static_cast<double>(n), unit("ns", n, def));
}

// W10: n fibers each sleep kTimerSleeps times for bench::timer_sleep_ms(g, k) (1..50 ms,
// the same durations in every system); main waits on a latch. The wall time covers
// spawning and joining; overshoot = wall - ideal (the longest fiber's total sleep).
void w10() {
    constexpr long def = 100000;
    const long n = env_long("N", def);
    const long ideal = bench::timer_ideal_ms(n);
    WorkStealingPool pool(procs());
    const bench::wall_cpu best = bench::best_wall_cpu([&] {
        Latch done(n);
        for (long g = 0; g < n; ++g) {
            spawn([&done, g] {
                for (int k = 0; k < bench::kTimerSleeps; ++k)
                    boost::this_fiber::sleep_for(std::chrono::milliseconds(bench::timer_sleep_ms(g, k)));
                done.count_down();
            });
        }
        done.wait();
    });
    bench::timer_results(best, ideal, unit("ms", n, def));
}

}  // namespace

int main(int argc, char** argv) {
    bench::set_system("boostfiber");
    const std::map<std::string, std::function<void()>> workloads{
        {"W1", w1}, {"W2", w2}, {"W3", w3}, {"W4", w4}, {"W5", w5}, {"W6", w6}, {"W7", w7}, {"W8", w8}, {"W9", w9},
        {"W10", w10}};
    if (argc != 2) {
        std::fprintf(stderr, "usage: boostfiber_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10\n");
        return 2;
    }
    if (std::string(argv[1]) == "W11") {
        std::fprintf(stderr, "boostfiber_compare: W11 not implemented: Boost.Fiber has no network poller "
                             "(a fiber blocked in a socket call blocks its whole thread)\n");
        return 3;
    }
    auto it = workloads.find(argv[1]);
    if (it == workloads.end()) {
        std::fprintf(stderr, "boostfiber_compare: unsupported workload %s\n", argv[1]);
        return 3;
    }
    it->second();
    return 0;
}

// boostfiber_compare: the Boost.Fiber (1.74) baseline for the bench/compare workloads
// (see BENCH.md).
//
// Usage: boostfiber_compare W1|W2|W3
// Env:   N      workload size (defaults as in BENCH.md)
//        PROCS  worker threads for W1/W2 (default: CPUs in the affinity mask); W3 uses 1.
// Prints `RESULT boostfiber <workload> <figure> <value> <unit>` lines on stdout.
//
// Scheduling: W1 and W2 run on PROCS threads sharing fibers through
// boost::fibers::algo::work_stealing (the main thread is one of them); W3 runs on the
// main thread alone with the default round_robin scheduler.
// Stacks: every fiber gets a boost::fibers::fixedsize_stack of 16 KiB (malloc'd, no guard
// page). The library default (128 KiB) would make each stack its own mmap, and 100,000 of
// those exceed vm.max_map_count; protected_fixedsize_stack needs two mappings per fiber.
// Joining: Boost.Fiber has no WaitGroup, so W1/W2 use a latch made of an atomic counter
// plus boost::fibers::mutex / condition_variable (the fiber that brings it to zero wakes
// the waiter).
// W1 and W3 run 3 times in-process and print the best (minimum time) run; W2 is one
// measurement per process (bench/compare/run starts 3 processes and keeps the lowest).
#include <boost/fiber/all.hpp>

#include <malloc.h>
#include <sched.h>

#include <atomic>
#include <chrono>
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

namespace {

constexpr int kReps = 3;
constexpr std::size_t kStackSize = 16 * 1024;

// Positive integer from env var `name`, or `def` when unset; exits on garbage.
long env_long(const char* name, long def) {
    const char* s = std::getenv(name);
    if (s == nullptr || *s == '\0') return def;
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (*end != '\0' || v <= 0) {
        std::fprintf(stderr, "boostfiber_compare: bad %s=%s\n", name, s);
        std::exit(2);
    }
    return v;
}

unsigned cpus_available() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

// `base`, with the size appended when it differs from the contract default.
std::string unit(const char* base, long n, long def) {
    return n == def ? std::string(base) : std::string(base) + "(N=" + std::to_string(n) + ")";
}

void result(const char* workload, const char* figure, double value, const std::string& unit) {
    std::printf("RESULT boostfiber %s %s %.2f %s\n", workload, figure, value, unit.c_str());
    std::fflush(stdout);
}

// Resident set size of this process in bytes (VmRSS from /proc/self/status).
long vm_rss_bytes() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            long kb = 0;
            in >> kb;
            return kb * 1024;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    std::fprintf(stderr, "boostfiber_compare: no VmRSS in /proc/self/status\n");
    std::exit(1);
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
    WorkStealingPool pool(static_cast<unsigned>(env_long("PROCS", cpus_available())));
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
    WorkStealingPool pool(static_cast<unsigned>(env_long("PROCS", cpus_available())));
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

}  // namespace

int main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> workloads{
        {"W1", w1}, {"W2", w2}, {"W3", w3}};
    if (argc != 2) {
        std::fprintf(stderr, "usage: boostfiber_compare W1|W2|W3\n");
        return 2;
    }
    auto it = workloads.find(argv[1]);
    if (it == workloads.end()) {
        std::fprintf(stderr, "boostfiber_compare: unsupported workload %s\n", argv[1]);
        return 3;
    }
    it->second();
    return 0;
}

// thread_compare: the std::thread baseline for the bench/compare workloads (see BENCH.md):
// one OS thread per goroutine, std::mutex / std::condition_variable for channels and
// WaitGroups.
//
// Usage: thread_compare W1|W2|W3
// Env:   N      workload size (defaults below; scaled down from BENCH.md where threads
//               cannot reach it, and then the size is in the unit field)
//        PROCS  read for symmetry with the other systems; the kernel schedules the threads.
// Prints `RESULT thread <workload> <figure> <value> <unit>` lines on stdout.
// W1 and W3 run 3 times in-process and print the best (minimum time) run; W2 is one
// measurement per process (bench/compare/run starts 3 processes and keeps the lowest).
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

constexpr int kReps = 3;

// Positive integer from env var `name`, or `def` when unset; exits on garbage.
long env_long(const char* name, long def) {
    const char* s = std::getenv(name);
    if (s == nullptr || *s == '\0') return def;
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (*end != '\0' || v <= 0) {
        std::fprintf(stderr, "thread_compare: bad %s=%s\n", name, s);
        std::exit(2);
    }
    return v;
}

// `base`, with the size appended when it differs from the BENCH.md default.
std::string unit(const char* base, long n, long contract_n) {
    return n == contract_n ? std::string(base)
                           : std::string(base) + "(N=" + std::to_string(n) + ")";
}

void result(const char* workload, const char* figure, double value, const std::string& unit) {
    std::printf("RESULT thread %s %s %.2f %s\n", workload, figure, value, unit.c_str());
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
    std::fprintf(stderr, "thread_compare: no VmRSS in /proc/self/status\n");
    std::exit(1);
}

double ns_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::nano>(b - a).count();
}

// Go's sync.WaitGroup: wait() blocks until done() was called `n` times.
class WaitGroup {
public:
    explicit WaitGroup(long n) : count_(n) {}
    void done() {
        std::lock_guard<std::mutex> lk(m_);
        if (--count_ == 0) cv_.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [this] { return count_ == 0; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    long count_;
};

// A channel of ints on a mutex and a condition variable (only what W2 needs: receive,
// close, and how many receivers are blocked).
class Channel {
public:
    // Blocks until a value arrives (returns it) or the channel is closed (nullopt).
    std::optional<int> recv() {
        std::unique_lock<std::mutex> lk(m_);
        ++waiting_;
        cv_.wait(lk, [this] { return closed_ || !items_.empty(); });
        --waiting_;
        if (items_.empty()) return std::nullopt;
        int v = items_.front();
        items_.pop_front();
        return v;
    }
    void close() {
        std::lock_guard<std::mutex> lk(m_);
        closed_ = true;
        cv_.notify_all();
    }
    // Receivers inside recv(); each one counted here is blocked in cv_.wait, because
    // it releases m_ only there.
    long waiting() {
        std::lock_guard<std::mutex> lk(m_);
        return waiting_;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<int> items_;
    long waiting_ = 0;
    bool closed_ = false;
};

// W1: N threads that each only signal a WaitGroup; main waits. At most kWave threads are
// alive at once (the kernel caps threads and pids), so they are spawned, awaited and
// joined in waves; the figure covers create + run + exit + join.
void w1() {
    constexpr long contract_n = 1000000, def = 20000, kWave = 1000;
    const long n = env_long("N", def);
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < kReps; ++r) {
        std::vector<std::thread> threads;
        threads.reserve(kWave);
        const auto start = Clock::now();
        for (long spawned = 0; spawned < n;) {
            const long wave = std::min(kWave, n - spawned);
            WaitGroup wg(wave);
            for (long i = 0; i < wave; ++i) threads.emplace_back([&wg] { wg.done(); });
            wg.wait();
            for (auto& t : threads) t.join();
            threads.clear();
            spawned += wave;
        }
        best = std::min(best, ns_between(start, Clock::now()));
    }
    result("W1", "ns_per_goroutine", best / static_cast<double>(n), unit("ns", n, contract_n));
}

// W2: N threads block receiving from one channel; RSS delta / N. One measurement.
void w2() {
    constexpr long contract_n = 100000, def = 10000, kMax = 10000;
    long n = env_long("N", def);
    if (n > kMax) {
        std::fprintf(stderr, "thread_compare: W2 capped at N=%ld threads\n", kMax);
        n = kMax;
    }
    Channel ch;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n));
    const long before = vm_rss_bytes();
    for (long i = 0; i < n; ++i) threads.emplace_back([&ch] { ch.recv(); });
    while (ch.waiting() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const long after = vm_rss_bytes();
    ch.close();
    for (auto& t : threads) t.join();
    result("W2", "bytes_per_parked", static_cast<double>(after - before) / static_cast<double>(n),
           unit("bytes", n, contract_n));
}

// First CPU this process may run on.
int first_allowed_cpu() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set)) return c;
    }
    return 0;
}

// W3: two threads pinned to the same CPU each call std::this_thread::yield N times, so
// every yield hands the CPU to the other one. Timed from the first thread's start to the
// last thread's end, after both are pinned and ready.
void w3() {
    constexpr long contract_n = 5000000, def = 500000;
    const long n = env_long("N", def);
    const int cpu = first_allowed_cpu();
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < kReps; ++r) {
        std::atomic<int> ready{0};
        Clock::time_point begin[2], end[2];
        auto body = [&](int id) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            ready.fetch_add(1);
            while (ready.load() < 2) std::this_thread::yield();
            begin[id] = Clock::now();
            for (long i = 0; i < n; ++i) std::this_thread::yield();
            end[id] = Clock::now();
        };
        std::thread a(body, 0), b(body, 1);
        a.join();
        b.join();
        best = std::min(best, ns_between(std::min(begin[0], begin[1]), std::max(end[0], end[1])));
    }
    result("W3", "ns_per_switch", best / static_cast<double>(2 * n), unit("ns", n, contract_n));
}

}  // namespace

int main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> workloads{
        {"W1", w1}, {"W2", w2}, {"W3", w3}};
    if (argc != 2) {
        std::fprintf(stderr, "usage: thread_compare W1|W2|W3\n");
        return 2;
    }
    auto it = workloads.find(argv[1]);
    if (it == workloads.end()) {
        std::fprintf(stderr, "thread_compare: unsupported workload %s\n", argv[1]);
        return 3;
    }
    it->second();
    return 0;
}

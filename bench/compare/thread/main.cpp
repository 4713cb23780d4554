// thread_compare: the std::thread baseline for the bench/compare workloads (see BENCH.md):
// one OS thread per goroutine, std::mutex / std::condition_variable for channels and
// WaitGroups.
//
// Usage: thread_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11
// Env:   N      workload size (defaults below; scaled down from BENCH.md where threads
//               cannot reach it, and then the size is in the unit field)
//        PROCS  number of CPUs the process may use: when below the CPUs available, the
//               process is restricted (sched_setaffinity) to the first PROCS of them
//               before any thread starts; the kernel schedules the threads on those.
// Prints `RESULT thread <workload> <figure> <value> <unit>` lines on stdout.
// Exit status 3: workload not implemented; 1: a check failed (W5/W6 sums, W7 count, W8
// result and thread count, W10 wall time below the ideal).
// Every workload but W2 runs 3 times in-process and prints the best (minimum time) run; W2
// is one measurement per process (bench/compare/run starts 3 processes and keeps the lowest).
//
// Channels (W4-W6, W9) are the classes below, a mutex and condition variables each:
// UnbufferedChan hands off (a sender returns only once a receiver took its value),
// BufferedChan is a ring of fixed capacity. W6 has a real select over two UnbufferedChans
// (Selector: the channels signal a shared condition variable when a value is offered or
// they close; the selector polls them in turn and sleeps when none is ready).
// W4 and W8 name their figure after the CPU count (1 -> procs1, all -> procsall, else
// procs<k>); bench/compare/run starts each once with PROCS=1 and once with all CPUs.
// W8: fork-join fib(32) at the contract size and cut-off: a std::thread per call at or
// above the cut-off (20), joined by its parent. That is 609 threads per run (at most 609
// alive at once), which threads manage; no scaling down.
// W10: one thread per goroutine calling std::this_thread::sleep_for, scaled down to 5,000
// threads (unit `ms(N=5000)`).
// W11 is a server, not a measurement: a TCP echo server on 127.0.0.1 (port from env PORT,
// default 0 = any free one) with one detached std::thread per connection on blocking
// sockets (default stack size: 8 MiB of address space, ulimit -s; 10,000 of them fit, as
// the kernel only commits the pages a thread touches). It prints `PORT <port>` as its first
// stdout line and serves until its stdin reaches end of file (bench/compare/run holds it
// open and closes it to stop the server; SIGTERM also ends it). The load client
// (loadclient/main.cpp) prints the RESULT lines.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

#include "../common/harness.hpp"

namespace {

using bench::best_of;
using bench::kReps;
using bench::check_sum;
using bench::env_long;
using bench::result;
using bench::unit;
using bench::vm_rss_bytes;


// CPUs in the affinity mask at start (before PROCS restricts it), and after.
int g_cpus_all = 1;
int g_procs = 1;

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

// N from the environment (default def), capped at max_threads threads at once (this
// machine's pid_max and descriptor limits), saying so on stderr.
long threads_for(const char* workload, long def, long max_threads) {
    long n = env_long("N", def);
    if (n > max_threads) {
        std::fprintf(stderr, "thread_compare: %s capped at N=%ld threads\n", workload, max_threads);
        n = max_threads;
    }
    return n;
}

// W2: N threads block receiving from one channel; RSS delta / N. One measurement.
void w2() {
    constexpr long contract_n = 100000;
    const long n = threads_for("W2", 10000, 10000);
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

// base_procs1 on one CPU, base_procsall on all CPUs, base_procs<k> otherwise.
std::string procs_figure(const char* base) { return bench::procs_figure_for(base, g_procs, g_cpus_all); }

// Applies PROCS: keeps the process on the first PROCS CPUs of its affinity mask (threads
// started later inherit it). Sets g_cpus_all and g_procs.
void apply_procs() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return;
    g_cpus_all = g_procs = CPU_COUNT(&set);
    const long want = env_long("PROCS", g_cpus_all);
    if (want >= g_cpus_all) return;
    cpu_set_t fewer;
    CPU_ZERO(&fewer);
    for (int c = 0, kept = 0; c < CPU_SETSIZE && kept < want; ++c)
        if (CPU_ISSET(c, &set)) {
            CPU_SET(c, &fewer);
            ++kept;
        }
    if (sched_setaffinity(0, sizeof fewer, &fewer) == 0) g_procs = static_cast<int>(want);
}

// Where a select sleeps: channels bump `gen` and notify when they offer a value or close.
struct Selector {
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t gen = 0;
    void signal() {
        {
            std::lock_guard<std::mutex> lk(m);
            ++gen;
        }
        cv.notify_one();
    }
};

// What a non-blocking receive found.
enum class Poll { value, empty, closed };

// Unbuffered channel of ints: send() offers its value in the one slot, then waits until a
// receiver has taken it (a hand-off, as Go's). Sending on a closed channel aborts.
// Waiters are notified after the mutex is released, so a woken thread does not at once
// block again on the mutex its waker still holds.
class UnbufferedChan {
public:
    // Makes `s` hear about offers and the close (one selecting receiver at most).
    void watch(Selector* s) {
        std::lock_guard<std::mutex> lk(m_);
        selector_ = s;
    }
    void send(int v) {
        std::unique_lock<std::mutex> lk(m_);
        send_cv_.wait(lk, [this] { return !full_ || closed_; });  // the slot is free
        if (closed_) abort_closed();
        value_ = v;
        full_ = true;
        const std::uint64_t ticket = ++offered_;
        lk.unlock();
        recv_cv_.notify_one();
        if (selector_) selector_->signal();
        lk.lock();
        send_cv_.wait(lk, [&] { return taken_ >= ticket; });
    }
    // Blocks until a value is offered (returns it) or the channel is closed (nullopt).
    std::optional<int> recv() {
        std::unique_lock<std::mutex> lk(m_);
        recv_cv_.wait(lk, [this] { return full_ || closed_; });
        if (!full_) return std::nullopt;
        return take(lk);
    }
    // Takes an offered value into `out` if there is one; never blocks.
    Poll try_recv(int& out) {
        std::unique_lock<std::mutex> lk(m_);
        if (full_) {
            out = take(lk);
            return Poll::value;
        }
        return closed_ ? Poll::closed : Poll::empty;
    }
    void close() {
        {
            std::lock_guard<std::mutex> lk(m_);
            closed_ = true;
        }
        recv_cv_.notify_all();
        send_cv_.notify_all();
        if (selector_) selector_->signal();
    }

private:
    // Empties the slot (lk holds m_ and is released) and wakes the senders: the one
    // waiting for its ticket, and one waiting for the free slot.
    int take(std::unique_lock<std::mutex>& lk) {
        full_ = false;
        ++taken_;
        const int v = value_;
        lk.unlock();
        send_cv_.notify_all();
        return v;
    }
    [[noreturn]] static void abort_closed() {
        std::fprintf(stderr, "thread_compare: send on closed channel\n");
        std::abort();
    }

    std::mutex m_;
    std::condition_variable recv_cv_, send_cv_;
    Selector* selector_ = nullptr;  // set before use, then only read
    int value_ = 0;
    bool full_ = false, closed_ = false;
    std::uint64_t offered_ = 0, taken_ = 0;
};

// Buffered channel of ints: a ring of `capacity` slots; send() blocks while it is full,
// recv() while it is empty (nullopt once closed and drained).
class BufferedChan {
public:
    explicit BufferedChan(std::size_t capacity) : buf_(capacity) {}
    void send(int v) {
        std::unique_lock<std::mutex> lk(m_);
        not_full_.wait(lk, [this] { return count_ < buf_.size() || closed_; });
        if (closed_) {
            std::fprintf(stderr, "thread_compare: send on closed channel\n");
            std::abort();
        }
        buf_[(head_ + count_) % buf_.size()] = v;
        ++count_;
        lk.unlock();
        not_empty_.notify_one();
    }
    std::optional<int> recv() {
        std::unique_lock<std::mutex> lk(m_);
        not_empty_.wait(lk, [this] { return count_ > 0 || closed_; });
        if (count_ == 0) return std::nullopt;
        const int v = buf_[head_];
        head_ = (head_ + 1) % buf_.size();
        --count_;
        lk.unlock();
        not_full_.notify_one();
        return v;
    }
    void close() {
        {
            std::lock_guard<std::mutex> lk(m_);
            closed_ = true;
        }
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable not_full_, not_empty_;
    std::vector<int> buf_;
    std::size_t head_ = 0, count_ = 0;
    bool closed_ = false;
};

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

// W4: two threads bounce a value over two unbuffered channels N times (default scaled down
// to 100,000: a round trip is two futex wake-ups, tens of microseconds across CPUs).
void w4() {
    constexpr long contract_n = 1000000, def = 100000;
    const long n = env_long("N", def);
    const double best = best_of([&] {
        UnbufferedChan ping, pong;
        std::thread pinger([&] {  // starts every round trip
            for (long i = 0; i < n; ++i) {
                ping.send(static_cast<int>(i));
                pong.recv();
            }
        });
        std::thread ponger([&] {  // answers it
            for (long i = 0; i < n; ++i) pong.send(*ping.recv());
        });
        pinger.join();
        ponger.join();
    });
    result("W4", procs_figure("ns_per_roundtrip").c_str(), best / static_cast<double>(n),
           unit("ns", n, contract_n));
}

// Sends 0..n-1 through a BufferedChan(1024) from p producer threads (each a contiguous
// share) to c consumer threads, which receive until it is closed; checks the sum.
void buffered_run(int p, int c, long n) {
    BufferedChan ch(1024);
    std::atomic<std::int64_t> total{0};
    std::vector<std::thread> producers, consumers;
    for (int k = 0; k < p; ++k) {
        const long lo = n * k / p, hi = n * (k + 1) / p;
        producers.emplace_back([&, lo, hi] {
            for (long i = lo; i < hi; ++i) ch.send(static_cast<int>(i));
        });
    }
    for (int k = 0; k < c; ++k) {
        consumers.emplace_back([&] {
            std::int64_t sum = 0;
            while (auto v = ch.recv()) sum += *v;
            total.fetch_add(sum, std::memory_order_relaxed);
        });
    }
    for (auto& t : producers) t.join();
    ch.close();
    for (auto& t : consumers) t.join();
    check_sum("W5", total.load(), static_cast<std::int64_t>(n) * (n - 1) / 2);
}

// W5: buffered channel (capacity 1024), 1 producer 1 consumer, then 4 and 4; N ints.
void w5() {
    constexpr long contract_n = 10000000;
    const long n = env_long("N", contract_n);
    double best = best_of([&] { buffered_run(1, 1, n); });
    result("W5", "ns_per_item_1p1c", best / static_cast<double>(n), unit("ns", n, contract_n));
    best = best_of([&] { buffered_run(4, 4, n); });
    result("W5", "ns_per_item_4p4c", best / static_cast<double>(n), unit("ns", n, contract_n));
}

// Select over two channels: receives from whichever is ready (trying them in turn,
// starting with the one after the last taken, for fairness) and sleeps on the Selector
// while neither is. Returns the index of the channel taken and what it found there
// (Poll::value with `out` set, or Poll::closed). A nil channel (nullptr) is never ready.
std::pair<int, Poll> select2(UnbufferedChan* chans[2], Selector& sel, int& out, int& next) {
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lk(sel.m);
            seen = sel.gen;
        }
        for (int k = 0; k < 2; ++k) {
            const int i = (next + k) % 2;
            if (chans[i] == nullptr) continue;
            const Poll r = chans[i]->try_recv(out);
            if (r != Poll::empty) {
                next = (i + 1) % 2;
                return {i, r};
            }
        }
        std::unique_lock<std::mutex> lk(sel.m);
        sel.cv.wait(lk, [&] { return sel.gen != seen; });  // an offer or close since `seen`
    }
}

// W6: two producer threads each send N/2 ints on their own unbuffered channel and close
// it; the main thread selects over both and drops (nils) a closed one, until both are.
void w6() {
    constexpr long contract_n = 1000000;
    const long n = env_long("N", contract_n), half = n / 2;
    const double best = best_of([&] {
        Selector sel;
        UnbufferedChan a, b;
        a.watch(&sel);
        b.watch(&sel);
        auto produce = [half](UnbufferedChan* c) {
            for (long i = 0; i < half; ++i) c->send(static_cast<int>(i));
            c->close();
        };
        std::thread pa(produce, &a), pb(produce, &b);
        UnbufferedChan* chans[2] = {&a, &b};
        std::int64_t sum = 0;
        int v = 0, next = 0;
        while (chans[0] || chans[1]) {
            const auto [i, r] = select2(chans, sel, v, next);
            if (r == Poll::closed) chans[i] = nullptr;
            else sum += v;
        }
        pa.join();
        pb.join();
        check_sum("W6", sum, static_cast<std::int64_t>(half) * (half - 1));
    });
    result("W6", "ns_per_msg", best / static_cast<double>(2 * half), unit("ns", n, contract_n));
}

// W7: 4*PROCS threads share N increments of one counter (each a contiguous share, so they
// add up to exactly N), each increment under one std::mutex; the count is checked. The
// threads are created and joined inside the timed part, as goroutines are spawned there.
void w7() {
    constexpr long contract_n = 10000000;
    const long n = env_long("N", contract_n);
    const long workers = 4L * g_procs;
    const double best = best_of([&] {
        std::mutex m;
        std::int64_t counter = 0;  // guarded by m
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(workers));
        for (long k = 0; k < workers; ++k) {
            const long share = n * (k + 1) / workers - n * k / workers;
            threads.emplace_back([&, share] {
                for (long i = 0; i < share; ++i) {
                    std::lock_guard<std::mutex> lk(m);
                    ++counter;
                }
            });
        }
        for (auto& t : threads) t.join();
        if (counter != n) {
            std::fprintf(stderr, "thread_compare: W7: counter is %lld, want %ld\n",
                         static_cast<long long>(counter), n);
            std::fflush(stdout);
            std::_Exit(1);
        }
    });
    result("W7", "ns_per_op", best / static_cast<double>(n), unit("ns", n, contract_n));
}

// W8's fork: fib(n) for n >= kForkCutoff, running in its own thread. Each child call at or
// above the cut-off gets a thread (started first), the others run here serially; the
// children are joined. `spawned` counts the threads started.
long fib_fork(long n, std::atomic<long>& spawned) {
    spawned.fetch_add(1, std::memory_order_relaxed);
    long r[2] = {0, 0};
    std::thread children[2];
    for (int i = 0; i < 2; ++i) {
        const long m = n - 1 - i;
        if (m >= bench::kForkCutoff) {
            children[i] = std::thread([&r, &spawned, i, m] { r[i] = fib_fork(m, spawned); });
        } else {
            r[i] = bench::fib_serial(m);
        }
    }
    for (auto& c : children)
        if (c.joinable()) c.join();
    return r[0] + r[1];
}

// W8: fork-join fib(N) (default 32): main starts the root call's thread and joins it; each
// run's result and thread count are checked. Thread creation is inside the timed part.
void w8() {
    const long n = env_long("N", bench::kForkN);
    const double best = best_of([&] {
        std::atomic<long> spawned{0};
        long got = 0;
        if (n >= bench::kForkCutoff) {
            std::thread root([&] { got = fib_fork(n, spawned); });
            root.join();
        } else {
            got = bench::fib_serial(n);
        }
        bench::check_fork(n, got, spawned.load());
    });
    result("W8", procs_figure("ms"), best / 1e6, unit("ms", n, bench::kForkN));
}

// W9: 503 threads in a ring of unbuffered channels pass a token N hops (default scaled
// down to 1,000,000: every hop is a futex wake-up and a context switch). The token carries
// the hops left; whoever receives 0 closes the next channel, and each thread that finds
// its input closed closes the next one and exits, so the ring winds down.
void w9() {
    constexpr long contract_n = 10000000, def = 1000000;
    constexpr int kRing = 503;
    const long n = env_long("N", def);
    const double best = best_of([&] {
        auto ring = std::make_unique<UnbufferedChan[]>(kRing);
        std::vector<std::thread> threads;
        threads.reserve(kRing);
        for (int i = 0; i < kRing; ++i) {
            threads.emplace_back([in = &ring[i], out = &ring[(i + 1) % kRing]] {
                while (auto t = in->recv()) {
                    if (*t == 0) break;
                    out->send(*t - 1);
                }
                out->close();
            });
        }
        ring[0].send(static_cast<int>(n));
        for (auto& t : threads) t.join();
    });
    result("W9", "ns_per_hop", best / static_cast<double>(n), unit("ns", n, contract_n));
}

// W10: N threads each sleep kTimerSleeps times with std::this_thread::sleep_for for
// bench::timer_sleep_ms(g, k) (1..50 ms, the same durations in every system); main joins
// them. Scaled down to 5,000 threads (at most: pid_max is 32768 for the whole machine).
// The wall time covers creating and joining; overshoot = wall - ideal (the longest
// thread's total sleep, over these N).
void w10() {
    constexpr long contract_n = 100000;
    const long n = threads_for("W10", 5000, 5000);
    const long ideal = bench::timer_ideal_ms(n);
    const bench::wall_cpu best = bench::best_wall_cpu([&] {
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(n));
        for (long g = 0; g < n; ++g) {
            threads.emplace_back([g] {
                for (int k = 0; k < bench::kTimerSleeps; ++k)
                    std::this_thread::sleep_for(std::chrono::milliseconds(bench::timer_sleep_ms(g, k)));
            });
        }
        for (auto& t : threads) t.join();
    });
    bench::timer_results(best, ideal, unit("ms", n, contract_n));
}

// W11's per-connection thread: echoes until the client closes (or resets) the connection.
void echo_connection(int fd) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::send(fd, buf + done, static_cast<size_t>(n - done), MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                ::close(fd);
                return;
            }
            done += w;
        }
    }
    ::close(fd);
}

// W11: the echo server (see the top of this file). TCP_NODELAY on every connection, as
// Go and goro::net do.
void w11() {
    rlimit rl{};  // a descriptor per connection: take all the hard limit allows
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    auto fail = [](const char* what) {
        std::fprintf(stderr, "thread_compare: W11: %s: %s\n", what, std::strerror(errno));
        std::exit(1);
    };
    int ln = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ln < 0) fail("socket");
    int one = 1;
    ::setsockopt(ln, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char* port = std::getenv("PORT");  // unset or 0: any free port
    at.sin_port = htons(static_cast<uint16_t>(port ? std::strtoul(port, nullptr, 10) : 0));
    if (::bind(ln, reinterpret_cast<sockaddr*>(&at), sizeof at) < 0) fail("bind");
    if (::listen(ln, 65535) < 0) fail("listen");  // the kernel caps it at net.core.somaxconn
    socklen_t len = sizeof at;
    if (::getsockname(ln, reinterpret_cast<sockaddr*>(&at), &len) < 0) fail("getsockname");
    std::printf("PORT %u\n", static_cast<unsigned>(ntohs(at.sin_port)));
    std::fflush(stdout);
    std::thread([] {  // the stop signal: end of file on stdin
        char b[256];
        while (::read(0, b, sizeof b) > 0) {
        }
        std::_Exit(0);
    }).detach();
    for (long errors = 0;;) {
        int c = ::accept4(ln, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR) continue;
            if (errors++ < 10) std::fprintf(stderr, "thread_compare: W11: accept: %s\n", std::strerror(errno));
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        try {
            std::thread(echo_connection, c).detach();
        } catch (const std::system_error& e) {
            if (errors++ < 10) std::fprintf(stderr, "thread_compare: W11: thread for a connection: %s\n", e.what());
            ::close(c);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bench::set_system("thread");
    const std::map<std::string, std::function<void()>> workloads{
        {"W1", w1}, {"W2", w2}, {"W3", w3}, {"W4", w4}, {"W5", w5}, {"W6", w6}, {"W7", w7}, {"W8", w8}, {"W9", w9},
        {"W10", w10}, {"W11", w11}};
    if (argc != 2) {
        std::fprintf(stderr, "usage: thread_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11\n");
        return 2;
    }
    auto it = workloads.find(argv[1]);
    if (it == workloads.end()) {
        std::fprintf(stderr, "thread_compare: unsupported workload %s\n", argv[1]);
        return 3;
    }
    apply_procs();
    it->second();
    return 0;
}

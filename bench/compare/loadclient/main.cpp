// w11_loadclient: THE load client of workload W11 (TCP echo, C10K), one program for every
// server (goro, go, thread), so that the servers are measured by the same yardstick. Plain
// C++20 on Linux epoll, no goro.
//
// Usage: w11_loadclient <system> <host:port> [<server_pid>]
// Env:   C          concurrent connections (default 10000, the contract's)
//        R          round trips per connection (default 20)
//        SIZE       message bytes (default 64)
//        T          client threads, each with its own epoll set and C/T connections
//                   (default: the CPUs in this process's affinity mask)
//        SERVER_PID the server's pid, when not given as the third argument
//        RAMP       connects in flight at most, over all threads (default 256)
//        RETRIES    connect attempts per connection before it fails for good (default 8)
//        STALL_S    seconds without progress before the run is declared stuck (default 60)
//        ON_STALL   a shell command run when the run is stuck, while every connection is
//                   still open (bench/compare/run: SIGQUIT to a goro or Go server, which
//                   dumps its goroutines), before the client reports the failure
//        NOTE       an extra note for the unit field (e.g. stack=256K), set by the caller
//
// What it does, in order:
//  1. Ramp: opens all C connections with non-blocking connect(), keeping at most RAMP
//     connects in flight so that the server's accept backlog (net.core.somaxconn, 4096
//     here) is not overrun. A connect that fails with ECONNREFUSED, ECONNRESET,
//     ETIMEDOUT or EAGAIN (or a connection the server resets or closes before the round
//     trips start) is retried after a back-off (10 ms doubling, at most 1 s), RETRIES
//     attempts in all.
//  2. Barrier: the round trips start only once every connection is established, so that
//     the server really holds C connections at once (C10K): every thread finishes its
//     connects, then, given the server's pid, the client waits until the server holds C
//     more descriptors than before the ramp (/proc/<pid>/fd), i.e. it has accepted all C.
//  3. Round trips: every connection writes SIZE bytes, reads SIZE bytes back (partial
//     reads are collected), checks that they are the bytes it sent (each message is
//     unique: a hash of connection id, round and offset), records the latency (steady
//     clock, write to last byte, ns), and starts the next, R times; then it closes. All C
//     connections do this at the same time.
//  4. Figures: req_per_s = C*R / (last reply received - first request sent), over all
//     threads; p50_us / p99_us are nearest-rank percentiles of all C*R latencies;
//     server_rss_mb is the server's peak resident set (VmHWM in /proc/<pid>/status, read
//     after the run) in MiB (2^20 bytes; the unit says MiB).
//
// Prints `RESULT <system> W11 req_per_s|p50_us|p99_us|server_rss_mb <value> <unit>`; sizes
// other than the contract's go into the unit, e.g. `us(C=1000)`. Exit status 0 with the
// four lines; 1 (no RESULT line, the reason on stderr) when an echo did not match, a
// connection failed for good, the server did not accept all C or the run stalled; 2 on
// bad arguments.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../common/harness.hpp"

namespace {

constexpr long kContractC = 10000, kContractR = 20, kContractSize = 64;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void die(int status, const std::string& why) {
  std::fprintf(stderr, "w11_loadclient: %s\n", why.c_str());
  std::fflush(stdout);
  std::_Exit(status);
}

long env_or(const char* name, long def) {
  const char* s = std::getenv(name);
  if (s == nullptr || *s == '\0') return def;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (*end != '\0' || v <= 0) die(2, std::string("bad ") + name + "=" + s);
  return v;
}

// Byte `off` of the message of round `round` on connection `id`: every message differs.
char message_byte(std::uint32_t id, std::uint32_t round, std::uint32_t off) {
  std::uint64_t z = ((static_cast<std::uint64_t>(id) << 32) | round) * 0x9E3779B97F4A7C15ull + off;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<char>(z ^ (z >> 31));
}

// Descriptors process `pid` has open, or -1 when /proc/<pid>/fd cannot be read.
long open_fds(long pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  long n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n;
}

// The peak resident set (VmHWM) of process `pid`, in kB, or -1.
long vm_hwm_kb(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      long kb = -1;
      in >> kb;
      return kb;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return -1;
}

struct Config {
  sockaddr_in target{};
  long c = kContractC, r = kContractR, size = kContractSize, threads = 1;
  long ramp = 256, retries = 8, stall_s = 60;
};
Config cfg;

// Set when some thread hit a fatal problem (a stall, a bad descriptor limit): all stop.
std::atomic<bool> g_abort{false};
// Set when nothing progressed for STALL_S seconds (then ON_STALL runs).
std::atomic<bool> g_stalled{false};

enum class St : std::uint8_t { idle, connecting, connected, wait_retry, writing, reading, done, failed };

struct Conn {
  int fd = -1;
  std::uint32_t id = 0;
  std::uint32_t round = 0;     // round trips completed
  std::uint32_t attempts = 0;  // connects started
  std::uint32_t sent = 0, got = 0;
  St st = St::idle;
  bool out_armed = false;     // EPOLLOUT is in the epoll set (a write was cut short)
  std::int64_t t0 = 0;        // when the current round trip's write started
  std::int64_t retry_at = 0;  // wait_retry: when to connect again
};

class Worker {
 public:
  Worker(int index, std::uint32_t first_id, std::uint32_t count) : index_(index) {
    conns_.resize(count);
    for (std::uint32_t i = 0; i < count; ++i) conns_[i].id = first_id + i;
    tx_.resize(static_cast<std::size_t>(count) * cfg.size);
    rx_.resize(static_cast<std::size_t>(count) * cfg.size);
    lat_.reserve(static_cast<std::size_t>(count) * cfg.r);
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) die(1, std::string("epoll_create1: ") + std::strerror(errno));
  }
  ~Worker() {
    for (auto& c : conns_)
      if (c.fd >= 0) close(c.fd);
    close(ep_);
  }

  // Phase 1: opens every connection (or gives up on it). Returns when none is pending.
  void connect_all(long max_inflight) {
    std::size_t next = 0;
    long inflight = 0;  // connecting, or waiting for a retry
    std::vector<epoll_event> evs(256);
    std::int64_t last_progress = now_ns();
    while (!g_abort.load(std::memory_order_relaxed)) {
      const std::int64_t now = now_ns();
      if (waiting_ > 0)  // retries that are due
        for (auto& c : conns_)
          if (c.st == St::wait_retry && c.retry_at <= now) {
            --waiting_;
            start_connect(c, inflight);
          }
      while (inflight < max_inflight && next < conns_.size()) start_connect(conns_[next++], inflight);
      if (inflight == 0 && next == conns_.size()) return;
      int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 5);
      if (n < 0 && errno != EINTR) die(1, std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[evs[i].data.u32];
        if (c.st == St::connecting) {
          int err = 0;
          socklen_t len = sizeof err;
          if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
          if (err == 0) {
            connected(c, inflight);
            last_progress = now_ns();
          } else {
            retry_or_fail(c, err, inflight, "connect");
          }
        } else if (c.st == St::connected) {
          check_idle(c, inflight);  // readable before any request: EOF or reset?
        }
      }
      if (n > 0) continue;
      if (now_ns() - last_progress > cfg.stall_s * 1'000'000'000LL) {
        std::fprintf(stderr, "w11_loadclient: thread %d: no connect completed for %ld s (%ld in flight, %zu of %zu started)\n",
                     index_, cfg.stall_s, inflight, next, conns_.size());
        g_stalled = true;
        g_abort = true;
        return;
      }
    }
  }

  // Phase 3: R round trips on every established connection, all at once.
  void round_trips() {
    std::vector<epoll_event> evs(512);
    long active = 0;
    for (auto& c : conns_) {
      if (c.st != St::connected) continue;
      ++active;
      start_round(c);
      if (c.st != St::writing && c.st != St::reading) --active;
    }
    std::int64_t last_progress = now_ns();
    while (active > 0 && !g_abort.load(std::memory_order_relaxed)) {
      int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 1000);
      if (n < 0 && errno != EINTR) die(1, std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[evs[i].data.u32];
        if (c.st != St::writing && c.st != St::reading) continue;
        if (c.st == St::writing && (evs[i].events & EPOLLOUT)) write_more(c);
        // Also while a long message is still being written: the echo must be drained, or
        // both sides could block with full buffers. (got <= sent, so a reply completes
        // only once the whole message is out.)
        if ((c.st == St::writing || c.st == St::reading) && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
          read_more(c);
        if (c.st == St::done || c.st == St::failed) --active;
      }
      if (n > 0) {
        last_progress = now_ns();
      } else if (now_ns() - last_progress > cfg.stall_s * 1'000'000'000LL) {
        report_stall(active);
        g_stalled = true;
        g_abort = true;
        return;
      }
    }
  }

  std::vector<std::int64_t>& latencies() { return lat_; }
  std::int64_t first_send() const { return first_send_; }
  std::int64_t last_recv() const { return last_recv_; }
  long failed() const { return failed_; }
  long mismatched() const { return mismatched_; }
  long retried() const { return retried_; }
  long established() const {
    return std::count_if(conns_.begin(), conns_.end(), [](const Conn& c) { return c.st == St::connected; });
  }
  long count() const { return static_cast<long>(conns_.size()); }

 private:
  char* tx(const Conn& c) { return tx_.data() + static_cast<std::size_t>(&c - conns_.data()) * cfg.size; }
  char* rx(const Conn& c) { return rx_.data() + static_cast<std::size_t>(&c - conns_.data()) * cfg.size; }
  std::uint32_t index_of(const Conn& c) const { return static_cast<std::uint32_t>(&c - conns_.data()); }

  void set_events(Conn& c, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = index_of(c);
    if (epoll_ctl(ep_, op, c.fd, &ev) < 0) die(1, std::string("epoll_ctl: ") + std::strerror(errno));
  }

  void start_connect(Conn& c, long& inflight) {
    if (c.st != St::wait_retry) ++inflight;  // a retry was already counted
    ++c.attempts;
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      const int err = errno;
      if (err == EMFILE || err == ENFILE) {
        std::fprintf(stderr, "w11_loadclient: socket: %s (raise the descriptor limit)\n", std::strerror(err));
        g_abort = true;
      }
      c.st = St::connecting;
      retry_or_fail(c, err, inflight, "socket");
      return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.st = St::connecting;
    if (connect(c.fd, reinterpret_cast<const sockaddr*>(&cfg.target), sizeof cfg.target) == 0) {
      set_events(c, EPOLLIN, EPOLL_CTL_ADD);
      connected(c, inflight);
    } else if (errno == EINPROGRESS) {
      set_events(c, EPOLLOUT, EPOLL_CTL_ADD);
    } else {
      retry_or_fail(c, errno, inflight, "connect");
    }
  }

  void connected(Conn& c, long& inflight) {
    --inflight;
    c.st = St::connected;
    set_events(c, EPOLLIN, EPOLL_CTL_MOD);  // level-triggered; nothing comes until we write
  }

  // An established connection became readable during the ramp. The server closed or reset
  // it before the first request (it could not take it): another attempt, as for a failed
  // connect. (One that dies after the ramp fails in the round trips instead.)
  void check_idle(Conn& c, long& inflight) {
    char b;
    ssize_t r = recv(c.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (r > 0) {
      fail(c, "the server sent data before any request");
      return;
    }
    ++inflight;  // pending again
    c.st = St::connecting;
    retry_or_fail(c, r == 0 ? ECONNRESET : errno, inflight, "connection lost before the first request");
  }

  // c (counted in inflight) failed with err: closes it and schedules another attempt, or
  // gives up on it for good.
  void retry_or_fail(Conn& c, int err, long& inflight, const char* what) {
    if (c.fd >= 0) {
      close(c.fd);  // also removes it from the epoll set
      c.fd = -1;
    }
    const bool retryable = err == ECONNREFUSED || err == ECONNRESET || err == ETIMEDOUT || err == EAGAIN ||
                           err == EADDRNOTAVAIL || err == EINTR;
    if (retryable && c.attempts < static_cast<std::uint32_t>(cfg.retries) && !g_abort.load()) {
      ++retried_;
      ++waiting_;
      c.st = St::wait_retry;
      const std::int64_t backoff_ms = std::min<std::int64_t>(1000, 10LL << std::min<std::uint32_t>(c.attempts - 1, 7));
      c.retry_at = now_ns() + backoff_ms * 1'000'000;
      return;
    }
    --inflight;
    fail(c, std::string(what) + ": " + std::strerror(err) + " (attempt " + std::to_string(c.attempts) + ")");
  }

  void fail(Conn& c, const std::string& why) {
    if (c.fd >= 0) {
      close(c.fd);
      c.fd = -1;
    }
    c.st = St::failed;
    if (failed_++ < 5)
      std::fprintf(stderr, "w11_loadclient: connection %u (round %u): %s\n", c.id, c.round, why.c_str());
  }

  void start_round(Conn& c) {
    char* m = tx(c);
    for (long i = 0; i < cfg.size; ++i) m[i] = message_byte(c.id, c.round, static_cast<std::uint32_t>(i));
    c.sent = c.got = 0;
    c.t0 = now_ns();
    first_send_ = std::min(first_send_, c.t0);
    c.st = St::writing;
    write_more(c);
  }

  void write_more(Conn& c) {
    while (c.sent < cfg.size) {
      ssize_t w = send(c.fd, tx(c) + c.sent, cfg.size - c.sent, MSG_NOSIGNAL);
      if (w > 0) {
        c.sent += static_cast<std::uint32_t>(w);
      } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.out_armed) set_events(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        c.out_armed = true;
        return;
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else {
        fail(c, std::string("write: ") + std::strerror(errno));
        return;
      }
    }
    if (c.out_armed) set_events(c, EPOLLIN, EPOLL_CTL_MOD);
    c.out_armed = false;
    c.st = St::reading;
  }

  void read_more(Conn& c) {
    for (;;) {
      ssize_t r = recv(c.fd, rx(c) + c.got, cfg.size - c.got, 0);
      if (r > 0) {
        c.got += static_cast<std::uint32_t>(r);
        if (c.got < cfg.size) continue;
        const std::int64_t t1 = now_ns();
        lat_.push_back(t1 - c.t0);
        last_recv_ = std::max(last_recv_, t1);
        if (std::memcmp(rx(c), tx(c), cfg.size) != 0) {
          if (mismatched_++ < 5)
            std::fprintf(stderr, "w11_loadclient: connection %u round %u: the echo differs from the message sent\n",
                         c.id, c.round);
        }
        if (++c.round == static_cast<std::uint32_t>(cfg.r)) {
          close(c.fd);
          c.fd = -1;
          c.st = St::done;
        } else {
          start_round(c);
        }
        return;
      }
      if (r == 0) {
        fail(c, "the server closed the connection after " + std::to_string(c.got) + " of " +
                    std::to_string(cfg.size) + " bytes of the reply");
        return;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      fail(c, std::string("read: ") + std::strerror(errno));
      return;
    }
  }

  void report_stall(long active) {
    long writing = 0, reading = 0, min_round = cfg.r;
    for (const auto& c : conns_) {
      if (c.st == St::writing) ++writing;
      if (c.st == St::reading) ++reading;
      if (c.st == St::writing || c.st == St::reading) min_round = std::min<long>(min_round, c.round);
    }
    std::fprintf(stderr,
                 "w11_loadclient: thread %d: no reply for %ld s; %ld connections unfinished (%ld waiting for a reply, "
                 "%ld blocked writing; the least advanced is at round %ld of %ld)\n",
                 index_, cfg.stall_s, active, reading, writing, min_round, cfg.r);
  }

  int index_;
  int ep_ = -1;
  std::vector<Conn> conns_;
  std::vector<char> tx_, rx_;
  std::vector<std::int64_t> lat_;
  std::int64_t first_send_ = std::numeric_limits<std::int64_t>::max(), last_recv_ = 0;
  long failed_ = 0, mismatched_ = 0, retried_ = 0;
  long waiting_ = 0;  // connections in wait_retry
};

sockaddr_in parse_target(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) die(2, "target must be host:port, got " + s);
  std::string host = s.substr(0, colon), port = s.substr(colon + 1);
  if (host == "localhost" || host.empty()) host = "127.0.0.1";
  sockaddr_in a{};
  a.sin_family = AF_INET;
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p <= 0 || p > 65535) die(2, "bad port in " + s);
  a.sin_port = htons(static_cast<std::uint16_t>(p));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) die(2, "target host must be an IPv4 address, got " + host);
  return a;
}

// The unit with the sizes that differ from the contract's, and NOTE, in parentheses.
std::string unit_of(const char* base) {
  std::string notes;
  auto add = [&](const std::string& n) { notes += (notes.empty() ? "" : ",") + n; };
  if (const char* note = std::getenv("NOTE"); note != nullptr && *note != '\0') add(note);
  if (cfg.c != kContractC) add("C=" + std::to_string(cfg.c));
  if (cfg.r != kContractR) add("R=" + std::to_string(cfg.r));
  if (cfg.size != kContractSize) add("size=" + std::to_string(cfg.size));
  return notes.empty() ? std::string(base) : std::string(base) + "(" + notes + ")";
}

// Nearest-rank percentile q (0..1] of v, in us; reorders v.
double percentile_us(std::vector<std::int64_t>& v, double q) {
  std::size_t k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  k = std::clamp<std::size_t>(k, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: w11_loadclient <system> <host:port> [<server_pid>]  (env C R SIZE T SERVER_PID RAMP)\n");
    return 2;
  }
  bench::set_system(argv[1]);
  cfg.target = parse_target(argv[2]);
  long pid = 0;
  if (argc == 4) {
    char* end = nullptr;
    pid = std::strtol(argv[3], &end, 10);
    if (*end != '\0' || pid <= 0) die(2, std::string("bad server pid ") + argv[3]);
  } else {
    pid = env_or("SERVER_PID", 0);
  }
  cfg.c = env_or("C", kContractC);
  cfg.r = env_or("R", kContractR);
  cfg.size = env_or("SIZE", kContractSize);
  cfg.threads = std::min(env_or("T", bench::cpus_available()), cfg.c);
  cfg.ramp = std::max(env_or("RAMP", 256), cfg.threads);
  cfg.retries = env_or("RETRIES", 8);
  cfg.stall_s = env_or("STALL_S", 60);

  // Every connection is a descriptor: take all the hard limit allows.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur != RLIM_INFINITY && static_cast<long>(rl.rlim_cur) < cfg.c + cfg.threads + 16)
    die(2, "descriptor limit " + std::to_string(rl.rlim_cur) + " is too low for C=" + std::to_string(cfg.c));

  const long fds_before = pid > 0 ? open_fds(pid) : -1;
  if (pid > 0 && fds_before < 0) die(2, "cannot read /proc/" + std::to_string(pid) + "/fd: is the server running?");
  if (pid <= 0) std::fprintf(stderr, "w11_loadclient: no server pid: not checking that the server holds all C, no RSS\n");

  std::vector<std::unique_ptr<Worker>> workers;
  for (long t = 0; t < cfg.threads; ++t) {
    const long lo = cfg.c * t / cfg.threads, hi = cfg.c * (t + 1) / cfg.threads;
    workers.push_back(std::make_unique<Worker>(static_cast<int>(t), static_cast<std::uint32_t>(lo),
                                               static_cast<std::uint32_t>(hi - lo)));
  }
  std::latch ramped(cfg.threads), start(1);
  std::vector<std::thread> threads;
  const std::int64_t ramp_t0 = now_ns();
  for (long t = 0; t < cfg.threads; ++t) {
    threads.emplace_back([&, t] {
      Worker& w = *workers[t];
      w.connect_all(std::max<long>(1, cfg.ramp / cfg.threads));
      ramped.count_down();
      start.wait();
      if (!g_abort.load()) w.round_trips();
    });
  }
  ramped.wait();
  const double ramp_s = static_cast<double>(now_ns() - ramp_t0) / 1e9;
  long established = 0, failed = 0, retried = 0;
  for (auto& w : workers) {
    established += w->established();
    failed += w->failed();
    retried += w->retried();
  }
  // The barrier: all C established on our side; now wait until the server has accepted
  // them all (C more descriptors than before the ramp), so it holds C connections at once.
  if (!g_abort.load() && failed == 0 && pid > 0) {
    const std::int64_t t0 = now_ns();
    long fds = open_fds(pid);
    while (fds >= 0 && fds - fds_before < cfg.c) {
      if (now_ns() - t0 > cfg.stall_s * 1'000'000'000LL) {
        std::fprintf(stderr, "w11_loadclient: the server holds only %ld of the %ld connections after %ld s\n",
                     fds - fds_before, cfg.c, cfg.stall_s);
        g_stalled = true;
        g_abort = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      fds = open_fds(pid);
    }
    if (fds < 0) {
      std::fprintf(stderr, "w11_loadclient: the server (pid %ld) went away during the ramp\n", pid);
      g_abort = true;
    }
  }
  if (failed > 0) g_abort = true;
  std::fprintf(stderr, "w11_loadclient: %s: %ld of %ld connections established in %.2f s (%ld retries)%s\n",
               argv[1], established, cfg.c, ramp_s, retried, g_abort.load() ? "; giving up" : "");
  start.count_down();
  for (auto& t : threads) t.join();
  if (g_stalled.load()) {
    // Still holding every connection: let the caller look at the server as it is stuck.
    if (const char* cmd = std::getenv("ON_STALL"); cmd != nullptr && *cmd != '\0') {
      std::fprintf(stderr, "w11_loadclient: stalled; running ON_STALL: %s\n", cmd);
      std::fflush(stderr);
      if (std::system(cmd) != 0) std::fprintf(stderr, "w11_loadclient: ON_STALL failed\n");
    }
  }

  std::vector<std::int64_t> all;
  long mismatched = 0;
  std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = 0;
  failed = 0;
  for (auto& w : workers) {
    failed += w->failed();
    mismatched += w->mismatched();
    first = std::min(first, w->first_send());
    last = std::max(last, w->last_recv());
    all.insert(all.end(), w->latencies().begin(), w->latencies().end());
  }
  const long want = cfg.c * cfg.r;
  if (g_abort.load() || failed > 0 || mismatched > 0 || static_cast<long>(all.size()) != want) {
    std::fprintf(stderr,
                 "w11_loadclient: %s: FAILED: %zu of %ld round trips done, %ld connections failed, %ld echoes "
                 "mismatched%s\n",
                 argv[1], all.size(), want, failed, mismatched, g_abort.load() ? ", run aborted" : "");
    return 1;
  }
  const double wall_s = static_cast<double>(last - first) / 1e9;
  const double rps = static_cast<double>(want) / wall_s;
  const double p50 = percentile_us(all, 0.50), p99 = percentile_us(all, 0.99);
  bench::result("W11", "req_per_s", rps, unit_of("req/s"));
  bench::result("W11", "p50_us", p50, unit_of("us"));
  bench::result("W11", "p99_us", p99, unit_of("us"));
  if (pid > 0) {
    const long kb = vm_hwm_kb(pid);
    if (kb < 0) die(1, "no VmHWM in /proc/" + std::to_string(pid) + "/status (did the server exit?)");
    bench::result("W11", "server_rss_mb", static_cast<double>(kb) / 1024.0, unit_of("MiB"));
  }
  std::fprintf(stderr, "w11_loadclient: %s: %ld round trips in %.3f s\n", argv[1], want, wall_s);
  return 0;
}

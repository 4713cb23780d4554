// server_abuse: network faults against an example server (issue 9). Starts the server
// binary as a child process on 127.0.0.1:0, then, while well-behaved clients keep making
// requests and checking every response, abuses it:
//   - peers that reset mid-request (a partial request, then SO_LINGER 0 and close);
//   - half-open connections (a request, then shutdown of the write side, never read);
//   - slow clients sending their request one byte every --slow-ms;
//   - --abandon connections opened and left idle, then dropped all at once.
// Passes (exit 0) only if every well-behaved request got its correct response within 5 s,
// the server is still serving after the abuse, and it stops with status 0 at SIGTERM.
//   server_abuse echo|http <server binary> [--abandon N] [--slow-ms M] [--seconds S]
#include <goro/goro.hpp>
#include <goro/net.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "abuse_protocol.hpp"

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace net = goro::net;

extern char** environ;

namespace {

struct options {
  bool http = false;
  std::string server;
  int abandon = 10000;
  int slow_ms = 1000;
  double seconds = 6;
};

struct child {
  pid_t pid = -1;
  std::string addr;
};

// Starts `binary 127.0.0.1:0` and reads its "listening on host:port" line.
child start_server(const std::string& binary) {
  int out[2];
  if (pipe(out) != 0) std::exit(2);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  std::string arg = "127.0.0.1:0";
  char* argv[] = {const_cast<char*>(binary.c_str()), arg.data(), nullptr};
  child c;
  if (posix_spawn(&c.pid, binary.c_str(), &fa, nullptr, argv, environ) != 0) {
    std::perror("server_abuse: posix_spawn");
    std::exit(2);
  }
  close(out[1]);
  std::FILE* f = fdopen(out[0], "r");
  char line[256];
  const char* prefix = "listening on ";
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, prefix, std::strlen(prefix)) == 0) {
      c.addr = std::string(line + std::strlen(prefix));
      while (!c.addr.empty() && (c.addr.back() == '\n' || c.addr.back() == '\r')) c.addr.pop_back();
      break;
    }
  // The rest of its output is drained by a thread so the server never blocks on it.
  std::thread([f] {
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) std::fputs(buf, stdout);
    std::fclose(f);
  }).detach();
  if (c.addr.empty()) {
    std::fprintf(stderr, "server_abuse: %s printed no address\n", binary.c_str());
    std::exit(2);
  }
  return c;
}

int raise_descriptor_limit() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  return static_cast<int>(std::min<rlim_t>(r.rlim_cur, 1 << 30));
}

struct tally {
  std::atomic<long> good{0}, bad{0};
  std::vector<double> latencies_ms;  // well-behaved round trips (one goroutine at a time: mutex)
  goro::mutex mu;
  void fail(const std::string& what) {
    if (bad.fetch_add(1) < 10) std::fprintf(stderr, "server_abuse: FAIL %s\n", what.c_str());
  }
};

// A well-behaved client: connects, makes 3 requests, checks each response, hangs up.
void polite_client(const std::string& addr, const abuse::protocol& proto, int id, tally& t) {
  std::error_code ec;
  net::conn c = net::dial("tcp", addr, 5s, ec);
  if (ec) return t.fail("polite dial: " + ec.message());
  c.set_deadline(clk::now() + 5s);
  for (int r = 0; r < 3; ++r) {
    auto t0 = clk::now();
    std::string err = proto.round_trip(c, id * 3 + r);
    if (!err.empty()) return t.fail("polite client " + std::to_string(id) + ": " + err);
    double ms = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
    std::lock_guard lk(t.mu);
    t.latencies_ms.push_back(ms);
    t.good.fetch_add(1);
  }
  c.close(ec);
}

void reset_mid_request(const std::string& addr, const abuse::protocol& proto, int i) {
  std::error_code ec;
  net::conn c = net::dial("tcp", addr, 5s, ec);
  if (ec) return;
  std::string req = proto.request(i);
  c.write(std::string_view(req).substr(0, req.size() / 2), ec);
  linger l{1, 0};
  setsockopt(c.native_handle(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  c.close(ec);  // RST
}

void half_open(const std::string& addr, const abuse::protocol& proto, int i) {
  std::error_code ec;
  net::conn c = net::dial("tcp", addr, 5s, ec);
  if (ec) return;
  c.write(proto.request(i), ec);
  c.close_write(ec);
  goro::sleep(200ms);  // never reads: the server's reply sits unread, then the peer goes
  c.close(ec);
}

void slow_client(const std::string& addr, const abuse::protocol& proto, int i, std::chrono::milliseconds gap,
                 clk::time_point until, tally& t) {
  std::error_code ec;
  net::conn c = net::dial("tcp", addr, 5s, ec);
  if (ec) return t.fail("slow dial: " + ec.message());
  std::string req = proto.request(i);
  for (std::size_t k = 0; k < req.size() && clk::now() < until; ++k) {
    c.write(std::string_view(req).substr(k, 1), ec);
    if (ec) return;  // the server may hang up on a client this slow: allowed
    goro::sleep(gap);
  }
  c.close(ec);
}

int abuse_main(const options& o, const std::string& addr) {
  const abuse::protocol& proto = o.http ? abuse::http() : abuse::echo();
  tally t;
  const auto until = clk::now() + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(o.seconds));
  goro::wait_group all;

  // Abandoned connections: opened first, held to the end, dropped at once.
  std::vector<net::conn> abandoned;
  abandoned.reserve(static_cast<std::size_t>(o.abandon));
  for (int i = 0; i < o.abandon; ++i) {
    std::error_code ec;
    net::conn c = net::dial("tcp", addr, 5s, ec);
    if (ec) {
      t.fail("abandoned dial " + std::to_string(i) + ": " + ec.message());
      break;
    }
    abandoned.push_back(std::move(c));
  }
  std::printf("server_abuse: %zu idle connections open\n", abandoned.size());

  std::atomic<int> polite_id{0};
  for (int k = 0; k < 4; ++k) {  // polite clients, one after another per lane
    all.add(1);
    goro::go([&] {
      while (clk::now() < until) polite_client(addr, proto, polite_id.fetch_add(1), t);
      all.done();
    });
  }
  all.add(1);
  goro::go([&] {
    for (int i = 0; clk::now() < until; ++i) {
      reset_mid_request(addr, proto, i);
      half_open(addr, proto, i);
    }
    all.done();
  });
  for (int s = 0; s < 20; ++s) {
    all.add(1);
    goro::go([&, s] {
      slow_client(addr, proto, s, std::chrono::milliseconds(o.slow_ms), until, t);
      all.done();
    });
  }
  all.wait();
  abandoned.clear();  // every idle connection closes at once
  // Still serving after all of it.
  polite_client(addr, proto, 1 << 20, t);

  std::sort(t.latencies_ms.begin(), t.latencies_ms.end());
  double p99 = t.latencies_ms.empty() ? 0 : t.latencies_ms[t.latencies_ms.size() * 99 / 100];
  std::printf("server_abuse: %ld well-behaved requests answered correctly, %ld failed; p99 %.2f ms, max %.2f ms\n",
              t.good.load(), t.bad.load(), p99, t.latencies_ms.empty() ? 0 : t.latencies_ms.back());
  return t.bad.load() == 0 && t.good.load() > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: server_abuse echo|http <server> [--abandon N] [--slow-ms M] [--seconds S]\n");
    return 2;
  }
  options o;
  o.http = std::string(argv[1]) == "http";
  o.server = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--abandon") o.abandon = std::atoi(argv[i + 1]);
    else if (k == "--slow-ms") o.slow_ms = std::atoi(argv[i + 1]);
    else if (k == "--seconds") o.seconds = std::atof(argv[i + 1]);
  }
  int limit = raise_descriptor_limit();
  if (o.abandon > limit - 200) {
    std::printf("server_abuse: descriptor limit %d: abandoning %d connections instead of %d\n", limit,
                limit - 200, o.abandon);
    o.abandon = std::max(0, limit - 200);
  }
  child server = start_server(o.server);
  std::printf("server_abuse: %s server at %s\n", o.http ? "http" : "echo", server.addr.c_str());
  int verdict = goro::run([&] { return abuse_main(o, server.addr); });
  kill(server.pid, SIGTERM);
  int status = 0;
  waitpid(server.pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("server_abuse: FAIL the server did not stop cleanly (status %d)\n", status);
    verdict = 1;
  }
  std::printf("server_abuse: %s\n", verdict == 0 ? "PASS" : "FAIL");
  return verdict;
}

// c10k: the C10K problem (serving 10,000 clients at once), solved twice in one program,
// one after the other, by a TCP echo server with
//   a thread per connection    (thread_echo_server.hpp: blocking sockets, std::thread), and
//   a goroutine per connection (tcp_server.hpp's example::serve: goro::net, whose calls
//                               park only the goroutine while the poller watches the socket).
// For each, a load client (echo_load_client.hpp) runs as a separate process, opens N
// connections, makes a few round trips of 64 bytes on every one at the same time and then
// holds them all open; meanwhile this process measures what the server costs: its growth
// in resident memory (RSS) and its thread count. The client's latency percentiles are
// printed side by side.
//
//   c10k [--n=10000] [--rounds=5] [--results]
// N is bounded by the descriptor limit (each process needs N descriptors: the limit is
// raised to the hard limit first) and by the system's thread limit; when it is too low,
// N is scaled down and the program says so. --results adds one line per server for
// goro_tour: "result <server> <connections> <rss KiB> <p50 us> <p99 us>".
// Exit status 1 if a connection failed or an echo came back wrong.
#include <goro/goro.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "child_process.hpp"
#include "echo_load_client.hpp"
#include "measure.hpp"
#include "tcp_server.hpp"
#include "thread_echo_server.hpp"

namespace {

struct measured {
  long connected = 0, failed = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  long rss_kib = 0;  // growth of the server's RSS with every connection open
  long threads = 0;  // the server process's threads at that moment
  int client_status = -1;
};

// Raises the soft descriptor limit to the hard one; returns the connections it allows
// per process (a margin for the runtime's own descriptors).
long connection_budget() {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  long budget = static_cast<long>(files.rlim_cur) - 64;
  long pid_max = 0;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;  // every thread is a task
  if (pid_max > 0) budget = std::min(budget, pid_max / 2);
  return budget;
}

// Runs the load client against port, measures this (server) process while the client
// holds all n connections open, then lets the client go and waits for it.
measured load(std::uint16_t port, long n, long rounds) {
  measured m;
  const long rss0 = example::rss_kib();
  example::child_process client(
      {"/proc/self/exe", "--client", "127.0.0.1:" + std::to_string(port), std::to_string(n), std::to_string(rounds)});
  std::string ready;
  goro::blocking([&] { client.read_line(ready); });
  m.rss_kib = example::rss_kib() - rss0;
  m.threads = example::os_threads();
  std::string word;
  std::istringstream(ready) >> word >> m.connected >> m.failed >> m.p50_us >> m.p99_us >> m.max_us;
  m.client_status = goro::blocking([&] { return client.wait(); });
  if (word != "ready") m.failed = n;
  return m;
}

measured thread_per_connection(long n, long rounds) {
  example::thread_echo_server server;
  measured m = load(server.port(), n, rounds);
  goro::blocking([&] { server.stop(); });  // joins every connection thread
  return m;
}

measured goroutine_per_connection(long n, long rounds) {
  goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
  auto [ctx, stop] = goro::with_cancel(goro::background());
  auto served = goro::make_chan<std::size_t>(1);
  goro::go([ln, ctx = ctx, served] {
    served.send(example::serve(ln, ctx, [](goro::net::conn c) {
      char buf[1024];      // the same buffer as the thread server's
      std::error_code ec;  // set once the client has gone, or the stop closed the conn
      for (std::size_t n; !ec && (n = c.read(buf, ec)) > 0;) c.write(std::string_view(buf, n), ec);
    }));
  });
  measured m = load(ln.addr().port(), n, rounds);
  stop();
  served.recv();  // every connection goroutine has returned
  return m;
}

void print_row(const char* server, const measured& m) {
  std::printf("%-26s %7s %+10.1f MiB %8.1f KiB %9s %9.2f %9.2f %9.2f\n", server, example::grouped(m.connected).c_str(),
              static_cast<double>(m.rss_kib) / 1024,
              static_cast<double>(m.rss_kib) / static_cast<double>(std::max(m.connected, 1L)),
              example::grouped(m.threads).c_str(), m.p50_us / 1000, m.p99_us / 1000, m.max_us / 1000);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string_view(argv[1]) == "--client")  // the child: see load()
    return example::echo_load_client_main(argv[2], std::atol(argv[3]), std::atol(argv[4]));

  long n = example::flag_value(argc, argv, "--n", 10000);
  const long rounds = example::flag_value(argc, argv, "--rounds", 5);
  const long budget = connection_budget();
  if (n > budget) {
    std::printf("the descriptor or thread limit allows %ld connections per process: N = %ld instead of %ld\n", budget,
                budget, n);
    n = budget;
  }
  return goro::run([&] {
    std::printf(
        "C10K: an echo server with %s connections open at once, %ld round trips of 64 bytes on each,\n"
        "the client in a process of its own; server memory and threads with every connection open\n\n",
        example::grouped(n).c_str(), rounds);
    std::printf("%-26s %7s %14s %12s %9s %9s %9s %9s\n", "server", "conns", "RSS", "per conn", "threads", "p50 ms",
                "p99 ms", "max ms");
    // Threads first: goro keeps the stacks of ended goroutines for a while, and their
    // later return to the system would shrink the RSS under the other measurement.
    measured threads = thread_per_connection(n, rounds);
    print_row("thread per connection", threads);
    measured goroutines = goroutine_per_connection(n, rounds);
    print_row("goroutine per connection", goroutines);
    if (example::has_flag(argc, argv, "--results")) {
      for (auto [name, m] : {std::pair{"threads", &threads}, std::pair{"goroutines", &goroutines}})
        std::printf("result %s %ld %ld %.1f %.1f\n", name, m->connected, m->rss_kib, m->p50_us, m->p99_us);
    }
    bool ok = true;
    for (const measured* m : {&threads, &goroutines})
      ok = ok && m->connected == n && m->failed == 0 && m->client_status == 0;
    if (!ok) {
      std::printf("FAILED: some connections failed (see the client's messages above)\n");
      return 1;
    }
    std::printf("c10k: ok (every connection echoed every round trip)\n");
    return 0;
  });
}

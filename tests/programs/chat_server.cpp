// Program: a TCP chat server in the style of "The Go Programming Language" (ch. 8): a
// broadcaster goroutine owns the set of clients and serves join, leave and message
// channels; each connection has a reader goroutine and a writer goroutine. N clients
// dial in, wait until all have joined, each sends one line, and each must receive every
// client's line. Then the server shuts down cleanly: no goroutine is left.
#include <goro/goro.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "program_check.hpp"

namespace {

using client = goro::send_chan<std::string>;  // a client's outgoing messages

struct hub {
  goro::chan<client> entering = goro::make_chan<client>();
  goro::chan<client> leaving = goro::make_chan<client>();
  goro::chan<std::string> messages = goro::make_chan<std::string>();
};

void broadcaster(hub h, goro::recv_chan<goro::unit> quit) {
  std::unordered_set<client> clients;
  for (bool running = true; running;) {
    goro::select(
        goro::recv_case(h.messages, [&](std::optional<std::string> msg) {
          if (msg)
            for (const client& c : clients) c.send(*msg);
        }),
        goro::recv_case(h.entering, [&](std::optional<client> c) {
          clients.insert(*c);
          c->send("welcome\n");
        }),
        goro::recv_case(h.leaving, [&](std::optional<client> c) {
          clients.erase(*c);
          c->close();
        }),
        goro::recv_case(quit, [&] { running = false; }));
  }
}

// Reads a connection line by line.
class line_reader {
 public:
  explicit line_reader(goro::net::conn c) : c_(std::move(c)) {}
  std::optional<std::string> next() {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      char chunk[512];
      std::error_code ec;
      std::size_t n = c_.read(chunk, ec);
      if (ec || n == 0) return std::nullopt;
      buf_.append(chunk, n);
    }
  }

 private:
  goro::net::conn c_;
  std::string buf_;
};

void handle_conn(goro::net::conn c, hub h) {
  auto out = goro::make_chan<std::string>(16);
  auto written = goro::make_chan<goro::unit>();
  goro::go([c, out, written]() mutable {  // the client's writer
    for (const std::string& msg : out) {
      std::error_code ec;
      c.write(msg, ec);
    }
    written.close();
  });
  h.entering.send(out);
  line_reader in(c);
  while (auto line = in.next()) h.messages.send(*line + "\n");
  h.leaving.send(out);  // the broadcaster closes out: the writer ends
  written.recv();
  c.close();
}

// A client: joins, waits for the start, says one line, then reads until it has heard
// all n lines; sends what it heard on heard.
void chat_client(int id, goro::net::address addr, int n, goro::wait_group* joined,
                 goro::recv_chan<goro::unit> start, goro::send_chan<std::vector<std::string>> heard) {
  goro::net::conn c = goro::net::dial("tcp", addr);
  line_reader in(c);
  std::vector<std::string> lines;
  if (in.next() != "welcome") lines.push_back("no welcome");
  joined->done();
  start.recv();
  c.write("hello from " + std::to_string(id) + "\n");
  while (static_cast<int>(lines.size()) < n)
    if (auto line = in.next()) lines.push_back(*line);
    else break;
  c.close();
  std::sort(lines.begin(), lines.end());
  heard.send(lines);
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "chat_server";
    const int n = 16;
    hub h;
    auto quit = goro::make_chan<goro::unit>();
    auto broadcaster_done = goro::make_chan<goro::unit>();
    goro::go([h, quit, broadcaster_done] {
      broadcaster(h, quit);
      broadcaster_done.close();
    });

    goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
    goro::wait_group server;  // the accept loop and every connection's handler
    server.add(1);
    goro::go([ln, h, &server]() mutable {
      for (;;) {
        std::error_code ec;
        goro::net::conn c = ln.accept(ec);
        if (ec) break;  // the listener was closed
        server.add(1);
        goro::go([c, h, &server] {
          handle_conn(c, h);
          server.done();
        });
      }
      server.done();
    });

    goro::wait_group joined;
    joined.add(n);
    auto start = goro::make_chan<goro::unit>();
    auto heard = goro::make_chan<std::vector<std::string>>();
    const goro::net::address addr = ln.addr();
    for (int i = 0; i < n; ++i) goro::go([=, &joined] { chat_client(i, addr, n, &joined, start, heard); });
    joined.wait();
    start.close();

    std::vector<std::string> want;
    for (int i = 0; i < n; ++i) want.push_back("hello from " + std::to_string(i));
    std::sort(want.begin(), want.end());
    bool ok = true;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> got = *heard.recv();
      if (got != want) {
        std::printf("%s: a client heard %zu lines (first: \"%s\"), want all %d\n", name, got.size(),
                    got.empty() ? "" : got.front().c_str(), n);
        ok = false;
      }
    }

    ln.close();
    server.wait();
    quit.close();
    broadcaster_done.recv();
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// http_hello: a minimal HTTP/1.1 "hello" server, one goroutine per connection, that
// stops cleanly on SIGINT or SIGTERM (the accept loop and the stop are
// examples/tcp_server.hpp, the signals examples/stop_signals.hpp, the request parser
// examples/http_request_parser.hpp).
// bench/http runs it under wrk beside Go's net/http server of bench/http/go.
//
//   http_hello [host:port]     default 127.0.0.1:8080; port 0 picks a free port. Prints
//                              "listening on 127.0.0.1:40123"; at the signal closes the
//                              listener and every open connection, waits for their
//                              goroutines, prints "shut down: served N connections",
//                              exits 0.
//   http_hello --self-test     serves on 127.0.0.1:0 and checks, as a client: keep-alive,
//                              pipelining, requests split at every byte, bodies (read and
//                              dropped), Connection: close, HTTP/1.0 with and without
//                              keep-alive, malformed and oversized requests, 100 clients at
//                              once, and the shutdown at SIGINT (idle keep-alive
//                              connections closed, every connection counted, status 0).
//                              Prints "self-test: ok ..." and exits 0, or every mismatch
//                              and exits 1.
//
// Every request (any method, any target) gets the bytes Go's hello server sends for
// `w.Header().Set("Content-Type", "text/plain"); io.WriteString(w, "Hello, World!")`:
//   HTTP/1.1 200 OK\r\n
//   Content-Type: text/plain\r\n
//   Date: Tue, 01 Dec 2026 10:00:00 GMT\r\n
//   Content-Length: 13\r\n
//   \r\n
//   Hello, World!
// and, as Go: the status line's version is the request's; "Connection: close" when an
// HTTP/1.1 connection ends after the response, "Connection: keep-alive" when an HTTP/1.0
// one stays open; no body for HEAD. Requests are answered in order; the responses to the
// complete requests a read brought in go out in one write. A request's body
// (Content-Length bytes) is read and dropped. A malformed request gets 400, a head over
// 8 KiB 431, both with "Connection: close". When the server ends a connection it
// half-closes it and reads what the client still sends for up to 1 s before closing
// (a close with unread bytes would reset the connection and could destroy the response).
#include <goro/goro.hpp>

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "http_request_parser.hpp"
#include "self_test_failures.hpp"
#include "server_main.hpp"
#include "stop_signals.hpp"
#include "tcp_server.hpp"

using namespace std::chrono_literals;

namespace {

constexpr std::string_view kBody = "Hello, World!";

// The Date header's value (RFC 9110's IMF-fixdate), formatted again only when the
// second changes; one per connection, so nothing is shared.
class date_cache {
 public:
  std::string_view now() {
    std::time_t t = std::time(nullptr);
    if (t != second_) {
      std::tm g{};
      ::gmtime_r(&t, &g);
      len_ = std::strftime(buf_, sizeof buf_, "%a, %d %b %Y %H:%M:%S GMT", &g);
      second_ = t;
    }
    return {buf_, len_};
  }

 private:
  std::time_t second_ = -1;
  char buf_[40] = {};
  std::size_t len_ = 0;
};

void append_hello(std::string& out, const http1::request& q, date_cache& date) {
  out += q.minor == 1 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.0 200 OK\r\n";
  out += "Content-Type: text/plain\r\nDate: ";
  out += date.now();
  out += "\r\nContent-Length: 13\r\n";
  if (!q.keep_alive && q.minor == 1) out += "Connection: close\r\n";
  if (q.keep_alive && q.minor == 0) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (q.method != "HEAD") out += kBody;
}

void append_error(std::string& out, std::string_view status) {
  out += "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ";
  out += std::to_string(status.size());
  out += "\r\n\r\n";
  out += status;
}

// Ends a connection the server gives up on: half-close, then drop what the client still
// sends until it closes too, for at most 1 s.
void linger_close(goro::net::conn& c, std::span<char> scratch) {
  std::error_code ec;
  c.close_write(ec);
  c.set_read_deadline(std::chrono::steady_clock::now() + 1s, ec);
  while (!ec && c.read(scratch, ec) > 0) {
  }
}

void serve_http(goro::net::conn c) {
  std::vector<char> buf(2 * http1::kMaxHeadBytes);  // [start, end) holds unparsed bytes
  std::size_t start = 0, end = 0;
  std::string out;  // responses not yet written
  date_cache date;
  std::error_code ec;
  auto flush = [&] {
    if (!out.empty()) c.write(out, ec);
    out.clear();
    return !ec;
  };
  for (;;) {
    http1::parse_result r = http1::parse_request(std::string_view(buf.data() + start, end - start));
    if (r.status == http1::parse_status::complete) {
      start += r.req.consumed;
      std::uint64_t body = r.req.content_length;
      std::uint64_t here = std::min<std::uint64_t>(body, end - start);
      start += here;
      body -= here;
      if (body > 0) {  // the rest of the body: read it, keep what follows it
        if (!flush()) return;
        start = end = 0;
        while (body > 0) {
          std::size_t n = c.read(buf, ec);
          if (ec || n == 0) return;
          std::size_t dropped = std::min<std::uint64_t>(body, n);
          body -= dropped;
          start = dropped;
          end = n;
        }
      }
      append_hello(out, r.req, date);
      if (!r.req.keep_alive) {
        if (flush()) linger_close(c, buf);
        return;
      }
      if (start == end) start = end = 0;
      continue;
    }
    if (r.status != http1::parse_status::incomplete) {
      append_error(out, r.status == http1::parse_status::bad ? "400 Bad Request"
                                                             : "431 Request Header Fields Too Large");
      if (flush()) linger_close(c, buf);
      return;
    }
    if (!flush()) return;  // answer what came before blocking for more
    if (start > 0) {
      std::memmove(buf.data(), buf.data() + start, end - start);
      end -= start;
      start = 0;
    }
    // An incomplete head is under kMaxHeadBytes, so at least that much room is left.
    std::size_t n = c.read(std::span<char>(buf.data() + end, buf.size() - end), ec);
    if (ec || n == 0) return;
    end += n;
  }
}

// Serves on ln until ctx is done, reports how many connections it served (also in
// *served); the process's exit status.
int serve_until(const goro::net::listener& ln, const goro::context& ctx, std::size_t* served = nullptr) {
  std::size_t n = example::serve(ln, ctx, serve_http);
  std::printf("shut down: served %zu connections\n", n);
  std::fflush(stdout);
  if (served) *served = n;
  return 0;
}

// ---- the self-test's client side ---------------------------------------------------------

struct response {
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  const std::string* header(std::string_view name) const {
    for (auto& [n, v] : headers)
      if (n == name) return &v;
    return nullptr;
  }
};

// One connection to the server under test; every call has a 20 s deadline in all.
class client {
 public:
  explicit client(const std::string& addr) {
    c_ = goro::net::dial("tcp", addr, 20s, ec_);
    if (!ec_) c_.set_deadline(std::chrono::steady_clock::now() + 20s, ec_);
    if (ec_) err_ = "dial: " + ec_.message();
  }
  ~client() { c_.close(ec_); }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  bool ok() const { return err_.empty(); }
  const std::string& error() const { return err_; }

  bool send(std::string_view bytes) {
    if (ok()) c_.write(bytes, ec_);
    if (ok() && ec_) err_ = "write: " + ec_.message();
    return ok();
  }
  // Sends bytes one write at a time, each `step` bytes.
  bool send_in_pieces(std::string_view bytes, std::size_t step) {
    for (std::size_t i = 0; i < bytes.size() && ok(); i += step) send(bytes.substr(i, step));
    return ok();
  }

  // The next response (head and Content-Length body); nullopt after an error.
  std::optional<response> receive(bool head_request = false) {
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    response r;
    std::string_view head(in_.data(), end + 2);
    std::size_t eol = head.find("\r\n");
    r.status_line = std::string(head.substr(0, eol));
    for (std::size_t p = eol + 2; p < head.size();) {
      std::size_t e = head.find("\r\n", p);
      std::string_view line = head.substr(p, e - p);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return fail("response header without a colon");
      std::string name(line.substr(0, colon));
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::move(name), std::string(value));
      p = e + 2;
    }
    in_.erase(0, end + 4);
    const std::string* length = r.header("content-length");
    if (!length) return fail("response without Content-Length");
    std::size_t n = head_request ? 0 : std::stoul(*length);
    while (in_.size() < n)
      if (!fill()) return std::nullopt;
    r.body = in_.substr(0, n);
    in_.erase(0, n);
    return r;
  }

  // True if the server ends the stream next (nothing more arrives before the end).
  bool at_end() {
    if (!ok() || !in_.empty()) return false;
    char b[256];
    std::size_t n = c_.read(b, ec_);
    if (ec_) err_ = "read: " + ec_.message();
    else if (n > 0) err_ = "unexpected bytes: " + std::string(b, n);
    return ok();
  }

 private:
  bool fill() {
    if (!ok()) return false;
    char b[4096];
    std::size_t n = c_.read(b, ec_);
    if (ec_) err_ = "read: " + ec_.message();
    else if (n == 0) err_ = "the server closed the connection";
    else in_.append(b, n);
    return ok();
  }
  std::optional<response> fail(std::string why) {
    err_ = std::move(why);
    return std::nullopt;
  }

  goro::net::conn c_;
  std::error_code ec_;
  std::string err_;
  std::string in_;
};

// What is wrong with a hello response ("" if nothing): status line, exact header set
// and order, as Go's (Date's value is checked for its shape), body.
std::string check_hello(const std::optional<response>& r, std::string_view version, std::string_view connection,
                        bool head_request = false) {
  if (!r) return "no response";
  std::string want_status = std::string(version) + " 200 OK";
  if (r->status_line != want_status) return "status line '" + r->status_line + "', want '" + want_status + "'";
  std::vector<std::string> names;
  for (auto& [n, v] : r->headers) names.push_back(n);
  std::vector<std::string> want{"content-type", "date", "content-length"};
  if (!connection.empty()) want.push_back("connection");
  if (names != want) return "unexpected header set";
  if (*r->header("content-length") != "13") return "Content-Length " + *r->header("content-length");
  if (*r->header("content-type") != "text/plain") return "Content-Type " + *r->header("content-type");
  const std::string& d = *r->header("date");
  if (d.size() != 29 || d.substr(25) != " GMT") return "Date '" + d + "'";
  if (!connection.empty() && *r->header("connection") != connection)
    return "Connection '" + *r->header("connection") + "'";
  if (r->body != (head_request ? "" : kBody)) return "body '" + r->body + "'";
  return "";
}

std::string check_error(const std::optional<response>& r, std::string_view status) {
  if (!r) return "no response";
  if (r->status_line != "HTTP/1.1 " + std::string(status)) return "status line '" + r->status_line + "'";
  const std::string* conn = r->header("connection");
  if (!conn || *conn != "close") return "no Connection: close";
  if (r->body != status) return "body '" + r->body + "'";
  return "";
}

constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

using example::failures;

// The error of a client call sequence: its own error if it failed, else `err`.
std::string first_error(const client& c, const std::string& err) { return c.ok() ? err : c.error(); }

void check_keep_alive(const std::string& addr, failures& f) {
  client c(addr);
  for (int i = 0; i < 3 && c.ok(); ++i) {
    c.send(kGet);
    std::string err = check_hello(c.receive(), "HTTP/1.1", "");
    f.check("keep-alive request " + std::to_string(i), first_error(c, err));
  }
}

void check_pipelining(const std::string& addr, failures& f) {
  client c(addr);
  std::string batch;
  for (int i = 0; i < 8; ++i) batch += "GET /item/" + std::to_string(i) + "?q=1 HTTP/1.1\r\nHost: test\r\n\r\n";
  batch += "HEAD / HTTP/1.1\r\nHost: test\r\n\r\n";
  batch += "POST /form HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nabcde";
  batch += kGet;
  c.send(batch);
  for (int i = 0; i < 8 && c.ok(); ++i)
    f.check("pipelined GET " + std::to_string(i), first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
  f.check("pipelined HEAD", first_error(c, check_hello(c.receive(true), "HTTP/1.1", "", true)));
  f.check("pipelined POST", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
  f.check("GET after the POST's body", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
}

void check_partial_reads(const std::string& addr, failures& f) {
  {  // one byte per write
    client c(addr);
    c.send_in_pieces("GET /slow HTTP/1.1\r\nHost: test\r\nUser-Agent: self-test\r\n\r\n", 1);
    f.check("request sent a byte at a time", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
  }
  {  // split inside a body, the next request following the body's last byte
    client c(addr);
    c.send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n01234");
    c.send("56789GET / HTTP/1.1\r\nHost: te");
    c.send("st\r\n\r\n");
    f.check("POST split in its body", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
    f.check("GET split in its head", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
  }
  {  // a body larger than the server's buffer, in pieces
    client c(addr);
    std::string big = "PUT /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n";
    big += std::string(100000, 'x');
    big += kGet;
    c.send_in_pieces(big, 7000);
    f.check("100,000-byte body", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
    f.check("GET after the big body", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
  }
}

void check_connection_close(const std::string& addr, failures& f) {
  {
    client c(addr);
    c.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n" + std::string(kGet));
    f.check("Connection: close", first_error(c, check_hello(c.receive(), "HTTP/1.1", "close")));
    f.check("Connection: close, then the end", c.at_end() ? "" : c.error());
  }
  {
    client c(addr);
    c.send("GET / HTTP/1.0\r\n\r\n");
    f.check("HTTP/1.0", first_error(c, check_hello(c.receive(), "HTTP/1.0", "")));
    f.check("HTTP/1.0, then the end", c.at_end() ? "" : c.error());
  }
  {
    client c(addr);
    for (int i = 0; i < 2 && c.ok(); ++i) {
      c.send("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
      f.check("HTTP/1.0 keep-alive " + std::to_string(i),
              first_error(c, check_hello(c.receive(), "HTTP/1.0", "keep-alive")));
    }
  }
}

void check_bad_requests(const std::string& addr, failures& f) {
  const std::pair<const char*, std::string> bad[] = {
      {"garbage", "NONSENSE\r\n\r\n"},
      {"two spaces", "GET  / HTTP/1.1\r\nHost: test\r\n\r\n"},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: test\r\n\r\n"},
      {"no Host", "GET / HTTP/1.1\r\n\r\n"},
      {"space before colon", "GET / HTTP/1.1\r\nHost : test\r\n\r\n"},
      {"bad Content-Length", "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1x\r\n\r\n"},
      {"chunked", "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
  };
  for (auto& [name, request] : bad) {
    client c(addr);
    c.send(request);
    f.check(std::string("malformed: ") + name, first_error(c, check_error(c.receive(), "400 Bad Request")));
    f.check(std::string("malformed: ") + name + ", then the end", c.at_end() ? "" : c.error());
  }
  {  // a good request, then a bad one in the same write: answered in order
    client c(addr);
    c.send(std::string(kGet) + "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    f.check("good before bad", first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
    f.check("bad after good", first_error(c, check_error(c.receive(), "400 Bad Request")));
    f.check("bad after good, then the end", c.at_end() ? "" : c.error());
  }
  const std::pair<const char*, std::string> big[] = {
      {"9,000-byte header", "GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"},
      {"9,000-byte target", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n"},
  };
  for (auto& [name, request] : big) {
    client c(addr);
    c.send(request);
    f.check(std::string("oversized: ") + name,
            first_error(c, check_error(c.receive(), "431 Request Header Fields Too Large")));
    f.check(std::string("oversized: ") + name + ", then the end", c.at_end() ? "" : c.error());
  }
}

void check_many_clients(const std::string& addr, failures& f) {
  constexpr int kClients = 100, kRequests = 20;
  goro::wait_group wg;
  wg.add(kClients);
  for (int i = 0; i < kClients; ++i)
    goro::go([&, i] {
      {
        client c(addr);
        for (int k = 0; k < kRequests && c.ok(); ++k) {
          c.send("GET /client/" + std::to_string(i) + " HTTP/1.1\r\nHost: test\r\n\r\n");
          f.check("client " + std::to_string(i), first_error(c, check_hello(c.receive(), "HTTP/1.1", "")));
        }
      }
      wg.done();
    });
  wg.wait();
}

int self_test() {
  auto [ctx, stop] = example::stop_context();
  const goro::context server_ctx = ctx;  // lambdas capture a variable, not a binding
  goro::net::listener ln = goro::net::listen("tcp", "127.0.0.1:0");
  const std::string addr = ln.addr().to_string();
  std::printf("listening on %s\n", addr.c_str());
  std::fflush(stdout);
  std::size_t served = 0;
  auto server_status = goro::make_chan<int>(1);
  goro::go([&, server_status] { server_status.send(serve_until(ln, server_ctx, &served)); });

  failures f;
  check_keep_alive(addr, f);            // 1 connection
  check_pipelining(addr, f);            // 1
  check_partial_reads(addr, f);         // 3
  check_connection_close(addr, f);      // 3
  check_bad_requests(addr, f);          // 7 + 1 + 2
  check_many_clients(addr, f);          // 100
  constexpr std::size_t kChecked = 1 + 1 + 3 + 3 + 10 + 100;

  // Idle keep-alive connections when SIGINT comes: the shutdown must end them.
  constexpr int kIdle = 10;
  goro::wait_group idle_ready, idle_done;
  idle_ready.add(kIdle);
  idle_done.add(kIdle);
  for (int i = 0; i < kIdle; ++i)
    goro::go([&, i] {
      {
        client c(addr);
        c.send(kGet);
        std::string err = first_error(c, check_hello(c.receive(), "HTTP/1.1", ""));
        idle_ready.done();
        f.check("idle client " + std::to_string(i), err);
        if (err.empty()) f.check("idle client " + std::to_string(i) + " at SIGINT", c.at_end() ? "" : c.error());
      }
      idle_done.done();
    });
  idle_ready.wait();

  example::interrupt_and_await(server_status, f);
  idle_done.wait();
  stop();
  if (served != kChecked + kIdle)
    f.check("shutdown", "served " + std::to_string(served) + " connections, not " + std::to_string(kChecked + kIdle));
  if (ctx.err() != goro::errc::canceled) f.check("shutdown", "SIGINT did not cancel the signal context");

  if (int n = f.report()) {
    std::printf("self-test: FAILED (%d failures)\n", n);
    return 1;
  }
  std::printf("self-test: ok: keep-alive, pipelining, partial reads, bodies, Connection: close, HTTP/1.0, "
              "400 and 431, %zu connections served, %d idle ones closed at SIGINT, shutdown returned 0\n",
              served, kIdle);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::server_main(argc, argv, "http_hello", "127.0.0.1:8080", &self_test, &serve_until);
}

// abuse_protocol: what server_abuse says to each example server and how it checks the
// answer: echo (the bytes sent come back) or http (a GET gets examples/http_hello's
// 200 "Hello, World!"). round_trip returns "" when the response is right, else why not.
#pragma once

#include <goro/net.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace abuse {

struct protocol {
  virtual ~protocol() = default;
  virtual std::string request(int i) const = 0;
  virtual std::string round_trip(goro::net::conn& c, int i) const = 0;
};

// Reads exactly n bytes into out; "" or what went wrong.
inline std::string read_exactly(goro::net::conn& c, std::string& out, std::size_t n) {
  out.resize(n);
  std::error_code ec;
  for (std::size_t have = 0; have < n;) {
    std::size_t k = c.read(std::span<char>(out.data() + have, n - have), ec);
    if (ec) return "read: " + ec.message();
    if (k == 0) return "end of stream after " + std::to_string(have) + " of " + std::to_string(n) + " bytes";
    have += k;
  }
  return "";
}

struct echo_protocol final : protocol {
  std::string request(int i) const override {
    std::string m(1 + static_cast<std::size_t>(i) * 7919 % 6000, '\0');
    for (std::size_t k = 0; k < m.size(); ++k) m[k] = static_cast<char>('a' + (static_cast<std::size_t>(i) + k) % 26);
    return m;
  }
  std::string round_trip(goro::net::conn& c, int i) const override {
    std::string m = request(i), got;
    std::error_code ec;
    c.write(m, ec);
    if (ec) return "write: " + ec.message();
    std::string err = read_exactly(c, got, m.size());
    return !err.empty() ? err : got == m ? "" : "echoed bytes differ";
  }
};

struct http_protocol final : protocol {
  std::string request(int i) const override {
    return "GET /abuse/" + std::to_string(i) + " HTTP/1.1\r\nHost: abuse\r\nUser-Agent: server_abuse\r\n\r\n";
  }
  std::string round_trip(goro::net::conn& c, int i) const override {
    std::error_code ec;
    c.write(request(i), ec);
    if (ec) return "write: " + ec.message();
    std::string head;
    char ch;
    while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {  // byte by byte: exact
      std::size_t k = c.read(std::span<char>(&ch, 1), ec);
      if (ec) return "read: " + ec.message();
      if (k == 0) return "end of stream in the response head";
      head += ch;
      if (head.size() > 4096) return "response head too long";
    }
    if (head.rfind("HTTP/1.1 200 OK\r\n", 0) != 0) return "status line: " + head.substr(0, head.find('\r'));
    if (head.find("\r\nContent-Length: 13\r\n") == std::string::npos) return "no Content-Length: 13";
    std::string body;
    std::string err = read_exactly(c, body, 13);
    return !err.empty() ? err : body == "Hello, World!" ? "" : "body '" + body + "'";
  }
};

inline const protocol& echo() {
  static const echo_protocol p;
  return p;
}
inline const protocol& http() {
  static const http_protocol p;
  return p;
}

}  // namespace abuse

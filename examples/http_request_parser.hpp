// http_request_parser: parses the head of one HTTP/1.x request (request line, headers,
// blank line) from the start of a byte buffer. A pure function: no allocation, no state
// between calls, no I/O; the caller calls it again with more bytes when it says
// incomplete, and again on the bytes after `consumed` for a pipelined request. It is
// what examples/http_hello.cpp serves with, and what tests/http_request_parser_test.cpp
// checks (and a fuzzer can call).
//
//   http1::parse_result r = http1::parse_request(bytes);
//   complete    r.req has the method, target and version (views into `bytes`), whether
//               the connection stays open after the response, the body's Content-Length
//               (the body itself, if any, follows the head and is the caller's to read),
//               and `consumed`: the bytes of the head, blank line included.
//   incomplete  no complete head yet, and fewer than max_head bytes of it so far.
//   bad         malformed (r.error says why): answer 400 and close.
//   too_large   the head is, or would become, longer than max_head bytes: 431 and close.
//
// What it accepts (RFC 9112, strictly where laxness lets requests be misread):
//   - any number of empty lines before the request line (counted in consumed);
//   - lines ending in CRLF or a bare LF; a CR anywhere else is bad;
//   - a request line `METHOD SP TARGET SP HTTP/1.0|HTTP/1.1`, single spaces, the method
//     a token, the target visible ASCII (any other version is bad);
//   - headers `name: value` with a token name (no space before the colon), optional
//     spaces around the value, no control bytes but tab; a folded line is bad;
//   - Content-Length: digits only, at most 18; repeated with a different value is bad;
//   - Transfer-Encoding of any kind is bad (this hello server does not read chunked
//     bodies, and refusing is the safe answer to a body it cannot delimit);
//   - HTTP/1.1 needs exactly one Host header, HTTP/1.0 at most one;
//   - keep-alive: HTTP/1.1 unless a Connection header lists `close`; HTTP/1.0 only if
//     one lists `keep-alive` and none lists `close` (tokens case-insensitive).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace http1 {

inline constexpr std::size_t kMaxHeadBytes = 8192;

enum class parse_status { complete, incomplete, bad, too_large };

struct request {
  std::string_view method;
  std::string_view target;
  std::string_view version;  // "HTTP/1.0" or "HTTP/1.1"
  int minor = 1;             // the version's minor number
  bool keep_alive = false;
  std::uint64_t content_length = 0;
  std::size_t consumed = 0;  // bytes of the head, up to and including its blank line
};

struct parse_result {
  parse_status status = parse_status::incomplete;
  request req;                  // meaningful when complete
  const char* error = nullptr;  // why, when bad or too_large
};

namespace detail {

constexpr bool is_tchar(unsigned char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

constexpr char to_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

constexpr std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True if the comma-separated list holds `token` (case-insensitive).
constexpr bool has_token(std::string_view list, std::string_view token) noexcept {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace detail

inline parse_result parse_request(std::string_view buf, std::size_t max_head = kMaxHeadBytes) noexcept {
  parse_result r;
  auto fail = [&r](parse_status s, const char* why) {
    r.status = s;
    r.error = why;
    return r;
  };
  std::size_t pos = 0;
  // The next line (without its CR LF or LF) into `line`, or why there is none yet.
  std::string_view line;
  auto next_line = [&]() -> parse_status {
    std::size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) {
      return buf.size() >= max_head ? parse_status::too_large : parse_status::incomplete;
    }
    if (nl + 1 > max_head) return parse_status::too_large;
    line = buf.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    return line.find('\r') == std::string_view::npos ? parse_status::complete : parse_status::bad;
  };
  auto head_error = [&](parse_status s) {
    return fail(s, s == parse_status::too_large ? "request head too large"
                   : s == parse_status::bad     ? "stray CR in a line"
                                                : nullptr);
  };

  // Request line, after any empty lines.
  do {
    if (parse_status s = next_line(); s != parse_status::complete) return head_error(s);
  } while (line.empty());
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(parse_status::bad, "request line is not METHOD SP TARGET SP VERSION");
  request& q = r.req;
  q.method = line.substr(0, sp1);
  q.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  q.version = line.substr(sp2 + 1);
  if (!detail::is_token(q.method)) return fail(parse_status::bad, "method is not a token");
  if (q.target.empty()) return fail(parse_status::bad, "empty request target");
  for (char c : q.target)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return fail(parse_status::bad, "request target is not visible ASCII");
  if (q.version == "HTTP/1.1") q.minor = 1;
  else if (q.version == "HTTP/1.0") q.minor = 0;
  else return fail(parse_status::bad, "version is not HTTP/1.0 or HTTP/1.1");

  // Headers, up to the blank line.
  bool close = false, keep_alive = false, have_length = false;
  int hosts = 0;
  for (;;) {
    if (parse_status s = next_line(); s != parse_status::complete) return head_error(s);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return fail(parse_status::bad, "folded header line");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(parse_status::bad, "header line without a colon");
    std::string_view name = line.substr(0, colon);
    std::string_view value = detail::trim(line.substr(colon + 1));
    if (!detail::is_token(name)) return fail(parse_status::bad, "header name is not a token");
    for (char c : value)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
        return fail(parse_status::bad, "control byte in a header value");
    if (detail::iequals(name, "content-length")) {
      if (value.empty() || value.size() > 18) return fail(parse_status::bad, "bad Content-Length");
      std::uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return fail(parse_status::bad, "bad Content-Length");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (have_length && n != q.content_length) return fail(parse_status::bad, "conflicting Content-Length");
      have_length = true;
      q.content_length = n;
    } else if (detail::iequals(name, "transfer-encoding")) {
      return fail(parse_status::bad, "Transfer-Encoding is not supported");
    } else if (detail::iequals(name, "connection")) {
      close = close || detail::has_token(value, "close");
      keep_alive = keep_alive || detail::has_token(value, "keep-alive");
    } else if (detail::iequals(name, "host")) {
      ++hosts;
    }
  }
  if (hosts > 1) return fail(parse_status::bad, "more than one Host header");
  if (q.minor == 1 && hosts == 0) return fail(parse_status::bad, "HTTP/1.1 request without Host");
  q.keep_alive = q.minor == 1 ? !close : keep_alive && !close;
  q.consumed = pos;
  r.status = parse_status::complete;
  return r;
}

}  // namespace http1

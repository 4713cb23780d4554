// Fuzzes http1::parse_request (examples/http_request_parser.hpp) with arbitrary bytes and
// checks more than "no crash" (any failed check aborts with the reason):
//  - determinism: the same bytes give the same result, field for field;
//  - error is set exactly when the status is bad or too_large;
//  - a complete head: 0 < consumed <= size, it ends in a blank line, a CR in it only
//    ever precedes a LF, method/target/version are views inside buf[0, consumed),
//    method a token, target visible ASCII, version HTTP/1.0 or HTTP/1.1 matching minor,
//    Content-Length at most 18 digits, one Host line for 1.1 (at most one for 1.0);
//  - the bytes after a head do not matter, and the parser is monotonic in its input:
//    any prefix whose status is not incomplete gives exactly the whole buffer's result,
//    so every strict prefix of a complete head is incomplete ("need more");
//  - max_head: incomplete means fewer than max_head bytes; a complete head parses the
//    same under any limit >= consumed and is too_large under a smaller one;
//  - pipelining: parsing again after `consumed` never goes past the end of the buffer.
#include "http_request_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

using http1::parse_request;
using http1::parse_result;
using http1::parse_status;

[[noreturn]] void fail(const char* what, std::size_t k = 0) {
  std::fprintf(stderr, "http_request_parser_fuzz: %s (at %zu)\n", what, k);
  std::abort();
}
void check(bool ok, const char* what, std::size_t k = 0) {
  if (!ok) fail(what, k);
}

bool same_view(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

bool same(const parse_result& a, const parse_result& b) {
  if (a.status != b.status) return false;
  if ((a.error == nullptr) != (b.error == nullptr)) return false;
  if (a.error && std::strcmp(a.error, b.error) != 0) return false;
  if (a.status != parse_status::complete) return true;
  const http1::request &x = a.req, &y = b.req;
  return same_view(x.method, y.method) && same_view(x.target, y.target) && same_view(x.version, y.version) &&
         x.minor == y.minor && x.keep_alive == y.keep_alive && x.content_length == y.content_length &&
         x.consumed == y.consumed;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != prefix[i]) return false;
  return true;
}
bool contains_ci(std::string_view s, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= s.size(); ++i)
    if (starts_with_ci(s.substr(i), needle)) return true;
  return false;
}

// What must hold of any single result for buf under max_head.
void check_result(std::string_view buf, const parse_result& r, std::size_t max_head) {
  bool failed = r.status == parse_status::bad || r.status == parse_status::too_large;
  check(failed == (r.error != nullptr), "error set for a non-failure, or missing for a failure");
  if (r.error) check(r.error[0] != '\0', "empty error message");
  if (r.status == parse_status::incomplete) check(buf.size() < max_head, "incomplete at or beyond max_head");
  if (r.status != parse_status::complete) return;
  const http1::request& q = r.req;
  check(q.consumed > 0 && q.consumed <= buf.size(), "consumed outside the buffer", q.consumed);
  check(q.consumed <= max_head, "a complete head longer than max_head", q.consumed);
  std::string_view head = buf.substr(0, q.consumed);
  check(head.back() == '\n', "head does not end with LF");
  check(head.size() >= 2 && (head[head.size() - 2] == '\n' ||
                             (head.size() >= 3 && head.substr(head.size() - 3) == "\n\r\n")),
        "head does not end with a blank line");
  for (std::size_t i = 0; i < head.size(); ++i)
    if (head[i] == '\r') check(i + 1 < head.size() && head[i + 1] == '\n', "stray CR in a complete head", i);
  check(inside(q.method, head) && inside(q.target, head) && inside(q.version, head), "a field outside the head");
  check(!q.method.empty() && !q.target.empty(), "empty method or target");
  for (char c : q.method) check(c > 0x20 && c < 0x7f && !std::strchr("\"(),/:;<=>?@[\\]{}", c), "method not a token");
  for (char c : q.target) check(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f,
                                "target not visible ASCII");
  check((q.version == "HTTP/1.1" && q.minor == 1) || (q.version == "HTTP/1.0" && q.minor == 0),
        "version and minor disagree");
  check(q.content_length <= 999'999'999'999'999'999ULL, "Content-Length beyond 18 digits");
  // Host lines: the name is a token with no space before the colon, so "host:" at the
  // start of a line is exactly a Host header (the request line cannot start so).
  int hosts = 0;
  for (std::size_t i = 0; i < head.size(); i = head.find('\n', i) + 1)
    if (starts_with_ci(head.substr(i), "host:")) ++hosts;
  check(q.minor == 1 ? hosts == 1 : hosts <= 1, "Host header count");
  if (q.minor == 0 && q.keep_alive) check(contains_ci(head, "keep-alive"), "HTTP/1.0 keep-alive without asking");
}

// Prefix lengths to try: all of them for short inputs, else a spread plus those near
// the end of the head (where "need more" turns into complete).
template <class F>
void for_prefixes(std::size_t size, std::size_t consumed, F f) {
  if (size <= 512) {
    for (std::size_t k = 0; k <= size; ++k) f(k);
    return;
  }
  for (std::size_t i = 0; i <= 64; ++i) f(size * i / 64);
  for (std::size_t d = 1; d <= 4 && d <= consumed; ++d) f(consumed - d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  const std::size_t limit = http1::kMaxHeadBytes;
  parse_result r = parse_request(buf);
  check_result(buf, r, limit);
  check(same(r, parse_request(buf)), "not deterministic");
  const bool complete = r.status == parse_status::complete;
  const std::size_t consumed = complete ? r.req.consumed : 0;

  if (complete) {
    check(same(r, parse_request(buf.substr(0, consumed))), "the bytes after the head changed the result");
  }
  // Monotonic: a prefix that decides decides for the whole buffer.
  for_prefixes(size, consumed, [&](std::size_t k) {
    parse_result p = parse_request(buf.substr(0, k));
    check_result(buf.substr(0, k), p, limit);
    if (p.status != parse_status::incomplete) check(same(p, r), "a decided prefix disagrees with the whole", k);
    if (complete && k < consumed) check(p.status == parse_status::incomplete, "a strict prefix of a head is not incomplete", k);
  });

  // max_head: limits around the head's end, half the input, and a tiny one.
  const std::size_t limits[] = {consumed, consumed + 1, consumed ? consumed - 1 : 0, size / 2 + 1, 16, size + 1};
  for (std::size_t m : limits) {
    if (m == 0) continue;
    parse_result p = parse_request(buf, m);
    check_result(buf, p, m);
    if (complete) {
      if (m >= consumed) check(same(p, r), "a limit at or above consumed changed a complete result", m);
      else check(p.status == parse_status::too_large, "a limit below consumed is not too_large", m);
    } else if (r.status == parse_status::incomplete) {
      check(p.status == (m > size ? parse_status::incomplete : parse_status::too_large),
            "a smaller limit on an incomplete head", m);
    } else if (r.status == parse_status::bad) {
      check(same(p, r) || p.status == parse_status::too_large, "a smaller limit turned bad into something else", m);
    } else if (m <= limit) {
      check(p.status == parse_status::too_large, "a smaller limit turned too_large into something else", m);
    }
  }

  // Pipelining: request after request, never past the end.
  std::string_view rest = buf;
  for (int i = 0; i < 16; ++i) {
    parse_result p = parse_request(rest);
    if (p.status != parse_status::complete) break;
    check(p.req.consumed > 0 && p.req.consumed <= rest.size(), "pipelined consumed outside the buffer");
    rest.remove_prefix(p.req.consumed);
  }
  return 0;
}

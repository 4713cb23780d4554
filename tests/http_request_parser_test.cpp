// Tests for examples/http_request_parser.hpp (the request-head parser http_hello serves
// with): complete heads and their fields, incomplete at every split point, pipelined
// requests, keep-alive rules of HTTP/1.0 and 1.1, Content-Length, malformed request
// lines and headers, and the 8 KiB limit on a head.
#include "http_request_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using http1::parse_request;
using http1::parse_status;

namespace {

const std::string kGet = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n";

parse_status status_of(std::string_view s) { return parse_request(s).status; }

}  // namespace

TEST(HttpRequestParser, CompleteRequestHasItsFields) {
  auto r = parse_request(kGet);
  ASSERT_EQ(r.status, parse_status::complete) << r.error;
  EXPECT_EQ(r.req.method, "GET");
  EXPECT_EQ(r.req.target, "/index.html?q=1");
  EXPECT_EQ(r.req.version, "HTTP/1.1");
  EXPECT_EQ(r.req.minor, 1);
  EXPECT_TRUE(r.req.keep_alive);
  EXPECT_EQ(r.req.content_length, 0u);
  EXPECT_EQ(r.req.consumed, kGet.size());
  EXPECT_EQ(r.error, nullptr);
}

TEST(HttpRequestParser, BareLineFeedsAndLeadingEmptyLinesAreAccepted) {
  std::string s = "\r\n\nGET / HTTP/1.1\nHost: a\n\n";
  auto r = parse_request(s);
  ASSERT_EQ(r.status, parse_status::complete) << r.error;
  EXPECT_EQ(r.req.target, "/");
  EXPECT_EQ(r.req.consumed, s.size());
}

TEST(HttpRequestParser, HeaderValuesAreTrimmedAndNamesCaseInsensitive) {
  auto r = parse_request("POST /x HTTP/1.1\r\nhOsT:a\r\ncontent-LENGTH: \t 42 \t\r\n\r\n");
  ASSERT_EQ(r.status, parse_status::complete) << r.error;
  EXPECT_EQ(r.req.content_length, 42u);
}

TEST(HttpRequestParser, IncompleteAtEverySplitPoint) {
  const std::string requests[] = {
      kGet,
      "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
      "GET / HTTP/1.0\nConnection: keep-alive\n\n",
  };
  for (const std::string& full : requests) {
    auto whole = parse_request(full);
    ASSERT_EQ(whole.status, parse_status::complete) << full;
    for (std::size_t k = 0; k < full.size(); ++k) {
      auto r = parse_request(std::string_view(full).substr(0, k));
      EXPECT_EQ(r.status, parse_status::incomplete) << "prefix of " << k << " bytes of " << full;
    }
    EXPECT_EQ(whole.req.consumed, full.size());
  }
}

TEST(HttpRequestParser, PrefixesOfABadRequestAreNeverComplete) {
  const std::string bad = "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n";
  for (std::size_t k = 0; k <= bad.size(); ++k) {
    parse_status s = status_of(std::string_view(bad).substr(0, k));
    EXPECT_TRUE(s == parse_status::incomplete || s == parse_status::bad) << k;
  }
  EXPECT_EQ(status_of(bad), parse_status::bad);
}

TEST(HttpRequestParser, PipelinedRequestsParseOneAfterAnother) {
  std::string second = "HEAD /two HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
  std::string third = "GET /three HTTP/1.1\r\nHost: c\r\n\r\n";
  std::string all = kGet + second + third.substr(0, 10);
  std::string_view rest = all;

  auto r1 = parse_request(rest);
  ASSERT_EQ(r1.status, parse_status::complete);
  EXPECT_EQ(r1.req.consumed, kGet.size());
  rest.remove_prefix(r1.req.consumed);

  auto r2 = parse_request(rest);
  ASSERT_EQ(r2.status, parse_status::complete);
  EXPECT_EQ(r2.req.method, "HEAD");
  EXPECT_EQ(r2.req.target, "/two");
  EXPECT_FALSE(r2.req.keep_alive);
  EXPECT_EQ(r2.req.consumed, second.size());
  rest.remove_prefix(r2.req.consumed);

  EXPECT_EQ(parse_request(rest).status, parse_status::incomplete);
}

TEST(HttpRequestParser, KeepAliveRulesOfHttp11) {
  auto ka = [](std::string headers) {
    auto r = parse_request("GET / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n");
    EXPECT_EQ(r.status, parse_status::complete) << headers;
    return r.req.keep_alive;
  };
  EXPECT_TRUE(ka(""));
  EXPECT_TRUE(ka("Connection: keep-alive\r\n"));
  EXPECT_FALSE(ka("Connection: close\r\n"));
  EXPECT_FALSE(ka("Connection: CLOSE\r\n"));
  EXPECT_FALSE(ka("Connection: upgrade, close\r\n"));
  EXPECT_FALSE(ka("Connection: keep-alive\r\nConnection: close\r\n"));
  EXPECT_TRUE(ka("Connection: closed\r\n"));  // a different token
}

TEST(HttpRequestParser, KeepAliveRulesOfHttp10) {
  auto ka = [](std::string headers) {
    auto r = parse_request("GET / HTTP/1.0\r\n" + headers + "\r\n");
    EXPECT_EQ(r.status, parse_status::complete) << headers;
    EXPECT_EQ(r.req.minor, 0);
    return r.req.keep_alive;
  };
  EXPECT_FALSE(ka(""));  // no Host needed in 1.0
  EXPECT_TRUE(ka("Connection: keep-alive\r\n"));
  EXPECT_TRUE(ka("Connection: Keep-Alive\r\n"));
  EXPECT_TRUE(ka("Host: a\r\nConnection: foo , keep-alive\r\n"));
  EXPECT_FALSE(ka("Connection: keep-alive, close\r\n"));
  EXPECT_FALSE(ka("Connection: close\r\n"));
}

TEST(HttpRequestParser, ContentLength) {
  auto length = [](std::string headers) { return parse_request("POST / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n"); };
  auto r = length("Content-Length: 0\r\n");
  ASSERT_EQ(r.status, parse_status::complete);
  EXPECT_EQ(r.req.content_length, 0u);
  r = length("Content-Length: 123456789012345678\r\n");  // 18 digits
  ASSERT_EQ(r.status, parse_status::complete);
  EXPECT_EQ(r.req.content_length, 123456789012345678u);
  r = length("Content-Length: 7\r\nContent-Length: 7\r\n");  // repeated, same value
  ASSERT_EQ(r.status, parse_status::complete);
  EXPECT_EQ(r.req.content_length, 7u);

  // The body is not part of the head: consumed stops at the blank line.
  std::string head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
  r = parse_request(head + "hello" + kGet);
  ASSERT_EQ(r.status, parse_status::complete);
  EXPECT_EQ(r.req.consumed, head.size());
  EXPECT_EQ(r.req.content_length, 5u);

  for (const char* bad : {"Content-Length: \r\n", "Content-Length: -1\r\n", "Content-Length: 1x\r\n",
                          "Content-Length: 0x10\r\n", "Content-Length: 1 2\r\n", "Content-Length: +5\r\n",
                          "Content-Length: 1234567890123456789\r\n", "Content-Length: 3\r\nContent-Length: 4\r\n",
                          "Transfer-Encoding: chunked\r\n"}) {
    auto b = length(bad);
    EXPECT_EQ(b.status, parse_status::bad) << bad;
    EXPECT_NE(b.error, nullptr);
  }
}

TEST(HttpRequestParser, BadRequestLines) {
  for (const char* bad : {
           "NONSENSE\r\n\r\n",
           "GET /\r\nHost: a\r\n\r\n",
           "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
           " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
           "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
           "GET / http/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n",
           "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
       }) {
    auto r = parse_request(bad);
    EXPECT_EQ(r.status, parse_status::bad) << bad;
    EXPECT_NE(r.error, nullptr) << bad;
  }
  // A bad request line is bad as soon as it is complete, before the rest of the head.
  EXPECT_EQ(status_of("GET  / HTTP/1.1\r\n"), parse_status::bad);
}

TEST(HttpRequestParser, BadHeaders) {
  for (const char* bad : {
           "Host: a\r\nNo colon here\r\n",
           "Host: a\r\n: empty name\r\n",
           "Host : a\r\n",
           "Host: a\r\nX-A: 1\r\n continued\r\n",
           "Host: a\r\nX-A: 1\r\n\tcontinued\r\n",
           "Host: a\r\nX-A: bell\x07\r\n",
           "Host: a\r\nX-A: cr\rinside\r\n",
           "Host: a\r\nHost: b\r\n",
           "",  // HTTP/1.1 without Host
       }) {
    auto r = parse_request(std::string("GET / HTTP/1.1\r\n") + bad + "\r\n");
    EXPECT_EQ(r.status, parse_status::bad) << bad;
    EXPECT_NE(r.error, nullptr) << bad;
  }
  EXPECT_EQ(status_of("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), parse_status::bad);
}

TEST(HttpRequestParser, OversizedHeads) {
  const std::size_t max = http1::kMaxHeadBytes;
  // A head of exactly the limit is fine; one byte more is too large.
  std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
  std::string fits = start + std::string(max - start.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(fits.size(), max);
  EXPECT_EQ(status_of(fits), parse_status::complete);
  std::string over = start + std::string(max - start.size() - 3, 'p') + "\r\n\r\n";
  EXPECT_EQ(status_of(over), parse_status::too_large);

  // Too large as soon as the limit is reached without a complete head, even mid-line:
  // a request line or a header longer than 8 KiB.
  std::string long_target = "GET /" + std::string(max, 'a');
  EXPECT_EQ(status_of(long_target.substr(0, max - 1)), parse_status::incomplete);
  EXPECT_EQ(status_of(long_target.substr(0, max)), parse_status::too_large);
  EXPECT_EQ(status_of(long_target + " HTTP/1.1\r\nHost: a\r\n\r\n"), parse_status::too_large);
  std::string long_header = start + std::string(2 * max, 'h');
  EXPECT_EQ(status_of(long_header), parse_status::too_large);
  auto r = parse_request(long_header);
  EXPECT_NE(r.error, nullptr);

  // Many small headers add up the same way; the limit is a parameter.
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  while (many.size() <= max) many += "X-Header: value\r\n";
  EXPECT_EQ(status_of(many + "\r\n"), parse_status::too_large);
  EXPECT_EQ(parse_request(kGet, kGet.size()).status, parse_status::complete);
  EXPECT_EQ(parse_request(kGet, kGet.size() - 1).status, parse_status::too_large);
}

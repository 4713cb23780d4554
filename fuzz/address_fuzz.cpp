// Fuzzes goro::net's address parsing without touching the network: name and service
// lookups go to fake_lookup (linked in; LLVMFuzzerInitialize checks that goro's calls
// really land there). For an address string, under every network name (the seven real
// ones and some unknown ones) and both uses (dial, listen), it checks:
//  - detail::resolve_all and net::resolve agree exactly with address_oracle (Go's
//    SplitHostPort, numeric ports and service names, v4/v6 literals and the network's
//    family, empty hosts, unix paths and @abstract names, fake_lookup's answers, IPv4
//    first and no duplicates), including the error code, and make exactly the host
//    lookups the oracle says (none for literals and malformed input);
//  - errors are only std::errc::invalid_argument or errc::host_not_found, the
//    error_code overload never throws, the throwing one throws std::system_error with
//    the same code and nothing else;
//  - every address it gives round-trips: to_string() resolves back to an equal address
//    without a lookup, and agrees with host() and port();
// and for raw sockaddr bytes (net::address(sockaddr, size)) that family/host/port/
// to_string never read out of bounds, and that a canonical sockaddr round-trips.
// Input: byte 0 picks the mode (% 3): 0 the rest is an address, tried under every
// network; 1 "network/address"; 2 raw sockaddr bytes.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "address_oracle.h"
#include "fake_lookup.h"
#include "goro/net.hpp"
#include "net/resolve.hpp"

namespace {

namespace net = goro::net;
using namespace std::string_view_literals;

[[noreturn]] void fail(const char* what, std::string_view network, std::string_view addr) {
  std::fprintf(stderr, "address_fuzz: %s\n  network \"%.*s\"\n  address \"", what, static_cast<int>(network.size()),
               network.data());
  for (unsigned char c : addr) std::fprintf(stderr, c >= 0x20 && c < 0x7f && c != '"' ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "\"\n");
  std::abort();
}

const std::string_view kNetworks[] = {"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix",
                                      "", "ip", "tcp7", "TCP", "unixgram", "udp\0"sv};

// The network that reads back an address of this family.
std::string_view network_of(const net::address& a) {
  switch (a.family()) {
    case AF_INET: return "tcp4";
    case AF_INET6: return "tcp6";
    default: return "unix";
  }
}

void check_round_trip(const net::address& a, std::string_view network, std::string_view addr) {
  const std::string s = a.to_string();
  const std::string host = a.host();
  const std::string port = std::to_string(a.port());
  switch (a.family()) {
    case AF_INET:
      if (s != host + ":" + port) fail("to_string is not host:port", network, addr);
      break;
    case AF_INET6:
      if (s != "[" + host + "]:" + port) fail("to_string is not [host]:port", network, addr);
      break;
    case AF_UNIX:
      if (s != host || a.port() != 0) fail("a unix address's to_string is not its path", network, addr);
      break;
    default:
      fail("an address of no family", network, addr);
  }
  fake_lookup::reset();
  std::error_code ec;
  net::address back = net::resolve(network_of(a), s, ec);
  if (ec || !(back == a)) fail("to_string does not resolve back to the same address", network, addr);
  if (!fake_lookup::calls().hosts.empty()) fail("to_string of an address needed a lookup", network, addr);
}

void check_one(std::string_view network, std::string_view addr) {
  using address_oracle::expectation;
  net::detail::network_kind kind;
  const bool known = net::detail::parse_network(network, kind);
  for (bool listen : {false, true}) {
    expectation want = address_oracle::expect(network, addr, listen);
    if (!known) {
      if (want.ec != std::errc::invalid_argument) fail("parse_network refused a network the oracle knows", network, addr);
      continue;
    }
    fake_lookup::reset();
    std::error_code ec;
    std::vector<net::address> got;
    try {
      got = net::detail::resolve_all(kind, addr, listen ? net::detail::resolve_for::listen : net::detail::resolve_for::dial, ec);
    } catch (...) {
      fail("resolve_all threw", network, addr);
    }
    if (ec != want.ec) fail(listen ? "resolve_all (listen): wrong error code" : "resolve_all (dial): wrong error code", network, addr);
    if (got != want.all) fail(listen ? "resolve_all (listen): wrong addresses" : "resolve_all (dial): wrong addresses", network, addr);
    if (fake_lookup::calls().hosts != want.host_lookups) fail("resolve_all: wrong host lookups", network, addr);
    if (want.numeric_port && !fake_lookup::calls().services.empty()) fail("a numeric port was looked up", network, addr);
    for (const net::address& a : got) check_round_trip(a, network, addr);
  }

  // The public calls: resolve() is the dial use's first address.
  const expectation want = address_oracle::expect(network, addr, false);
  const net::address first = want.all.empty() ? net::address() : want.all.front();
  std::error_code ec;
  net::address a;
  try {
    a = net::resolve(network, addr, ec);
  } catch (...) {
    fail("resolve(..., ec) threw", network, addr);
  }
  if (ec != want.ec || !(a == first)) fail("resolve(..., ec) disagrees with the oracle", network, addr);
  if (ec && ec != std::errc::invalid_argument && ec != net::errc::host_not_found) fail("an undocumented error code", network, addr);
  try {
    a = net::resolve(network, addr);
    if (want.ec) fail("resolve() did not throw", network, addr);
    if (!(a == first)) fail("resolve() gave another address", network, addr);
  } catch (const std::system_error& e) {
    if (e.code() != want.ec) fail("resolve() threw another code", network, addr);
  } catch (...) {
    fail("resolve() threw something other than std::system_error", network, addr);
  }
}

// Raw sockaddr bytes: reading them never goes out of bounds; a canonical one round-trips.
void check_raw(std::string_view bytes) {
  const auto size = static_cast<std::uint32_t>(bytes.size());
  net::address a(bytes.data(), size);
  std::uint32_t kept = size < 128 ? size : 128;
  if (a.native_size() != kept || a.empty() != (kept == 0)) fail("raw: wrong size", "raw", bytes);
  (void)a.port();
  const std::string s = a.to_string();
  (void)a.host();
  unsigned char st[128] = {};
  std::memcpy(st, bytes.data(), kept);
  bool canonical = false;
  if (a.family() == AF_INET && kept == sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(st);
    canonical = std::all_of(std::begin(in->sin_zero), std::end(in->sin_zero), [](unsigned char c) { return c == 0; });
  } else if (a.family() == AF_INET6 && kept == sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(st);
    canonical = in6->sin6_flowinfo == 0 && in6->sin6_scope_id == 0;
  } else if (a.family() == AF_UNIX && kept > offsetof(sockaddr_un, sun_path)) {
    const std::size_t n = kept - offsetof(sockaddr_un, sun_path);
    const char* path = reinterpret_cast<const char*>(st) + offsetof(sockaddr_un, sun_path);
    if (n <= sizeof(sockaddr_un::sun_path)) {
      // "@" + n - 1 bytes, or a path and its NUL (one starting with '@' would read back
      // as an abstract name: to_string cannot tell them apart, nor can Go's).
      if (path[0] == '\0') canonical = n < sizeof(sockaddr_un::sun_path);
      else canonical = path[0] != '@' && strnlen(path, n) == n - 1;
    }
  }
  if (canonical) check_round_trip(a, "raw", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // "localhost" resolves from /etc/hosts even if the fake were not linked in, so this
  // check itself never sends a query; with the fake it is answered and recorded.
  fake_lookup::reset();
  std::error_code ec;
  net::address a = net::resolve("tcp", "localhost:http", ec);
  if (ec || a.to_string() != "127.0.0.1:80" || fake_lookup::calls().hosts.size() != 1 ||
      fake_lookup::calls().services.size() != 1) {
    std::fprintf(stderr, "address_fuzz: goro's lookups do not reach fake_lookup; refusing to run\n");
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      for (std::string_view network : kNetworks) check_one(network, in);
      break;
    case 1: {
      std::size_t slash = in.find('/');
      if (slash == std::string_view::npos) check_one("tcp", in);
      else check_one(in.substr(0, slash), in.substr(slash + 1));
      break;
    }
    default:
      check_raw(in);
  }
  return 0;
}

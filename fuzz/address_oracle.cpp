// address_oracle: the expected resolution of (network, addr); see address_oracle.h.
#include "address_oracle.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "fake_lookup.h"

namespace address_oracle {

namespace {

struct net_info {
  std::string_view name;
  int family;  // AF_UNSPEC: either IP family
  bool datagram;
};
constexpr net_info kNetworks[] = {
    {"tcp", AF_UNSPEC, false}, {"tcp4", AF_INET, false}, {"tcp6", AF_INET6, false}, {"udp", AF_UNSPEC, true},
    {"udp4", AF_INET, true},   {"udp6", AF_INET6, true}, {"unix", AF_UNIX, false},
};

std::error_code invalid() { return std::make_error_code(std::errc::invalid_argument); }

goro::net::address ip(int family, const void* bytes, std::uint16_t port) {
  if (family == AF_INET) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, bytes, 4);
    return goro::net::address(&in, sizeof in);
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(&in6.sin6_addr, bytes, 16);
  return goro::net::address(&in6, sizeof in6);
}

goro::net::address ip_text(int family, const std::string& text, std::uint16_t port) {
  unsigned char bytes[16] = {};
  inet_pton(family, text.c_str(), bytes);
  return ip(family, bytes, port);
}

// Go's net.SplitHostPort, rule for rule.
bool split_host_port(std::string_view in, std::string_view& host, std::string_view& port) {
  std::size_t i = in.rfind(':');
  if (i == std::string_view::npos) return false;  // missing port
  std::size_t j = 0, k = 0;
  if (in[0] == '[') {
    std::size_t end = in.find(']');
    if (end == std::string_view::npos) return false;  // missing ']'
    if (end + 1 != i) return false;                   // missing port, or too many colons
    host = in.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    host = in.substr(0, i);
    if (host.find(':') != std::string_view::npos) return false;  // too many colons
  }
  if (in.find('[', j) != std::string_view::npos) return false;  // unexpected '['
  if (in.find(']', k) != std::string_view::npos) return false;  // unexpected ']'
  port = in.substr(i + 1);
  return true;
}

expectation unix_path(std::string_view path) {
  expectation e;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  const bool abstract = !path.empty() && path[0] == '@';
  // A NUL inside a path name would make the kernel see a shorter, different path.
  if (path.empty() || path.size() >= sizeof un.sun_path || (!abstract && path.find('\0') != std::string_view::npos)) {
    e.ec = invalid();
    return e;
  }
  std::memcpy(un.sun_path, path.data(), path.size());
  if (abstract) un.sun_path[0] = '\0';
  std::size_t len = offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1);
  e.all.push_back(goro::net::address(&un, static_cast<std::uint32_t>(len)));
  return e;
}

}  // namespace

expectation expect(std::string_view network, std::string_view addr, bool for_listen) {
  expectation e;
  auto net = std::find_if(std::begin(kNetworks), std::end(kNetworks), [&](const net_info& n) { return n.name == network; });
  if (net == std::end(kNetworks)) {
    e.ec = invalid();
    return e;
  }
  if (net->family == AF_UNIX) return unix_path(addr);

  std::string_view host, port_text;
  if (!split_host_port(addr, host, port_text) || port_text.empty() || port_text.find('\0') != std::string_view::npos) {
    e.ec = invalid();
    return e;
  }
  unsigned long port = 0;
  e.numeric_port = std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (e.numeric_port) {
    for (char c : port_text) {
      port = port * 10 + static_cast<unsigned long>(c - '0');
      if (port > 65535) break;
    }
    if (port > 65535) {  // out of range (goro may look it up as a name first: found by none)
      e.numeric_port = false;
      e.ec = invalid();
      return e;
    }
  } else {
    port = static_cast<unsigned long>(fake_lookup::service_port(port_text, net->datagram ? "udp" : "tcp"));
  }
  if (!e.numeric_port && port == 0) {
    e.ec = invalid();
    return e;
  }
  const auto p = static_cast<std::uint16_t>(port);
  auto allowed = [&](int family) { return net->family == AF_UNSPEC || net->family == family; };

  if (host.empty()) {
    if (for_listen) {
      if (net->family == AF_INET) e.all.push_back(ip_text(AF_INET, "0.0.0.0", p));
      else e.all.push_back(ip_text(AF_INET6, "::", p));
    } else {
      if (net->family == AF_INET6) e.all.push_back(ip_text(AF_INET6, "::1", p));
      else e.all.push_back(ip_text(AF_INET, "127.0.0.1", p));
    }
    return e;
  }
  if (host.find('\0') != std::string_view::npos) {  // no name or literal has one
    e.ec = invalid();
    return e;
  }
  const std::string h(host);
  unsigned char bytes[16];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, h.c_str(), bytes) == 1) {
      if (allowed(family)) e.all.push_back(ip(family, bytes, p));
      else e.ec = invalid();
      return e;
    }
  }
  e.host_lookups.push_back(h);
  std::vector<goro::net::address> v4, v6;
  for (const auto& [family, text] : fake_lookup::hosts_for(h)) {
    if (!allowed(family)) continue;
    auto& list = family == AF_INET ? v4 : v6;
    goro::net::address a = ip_text(family, text, p);
    if (std::find(list.begin(), list.end(), a) == list.end()) list.push_back(a);
  }
  e.all = v4;
  e.all.insert(e.all.end(), v6.begin(), v6.end());
  if (e.all.empty()) e.ec = goro::net::make_error_code(goro::net::errc::host_not_found);
  return e;
}

}  // namespace address_oracle

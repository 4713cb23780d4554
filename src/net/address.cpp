// goro::net::address, the error category, and name resolution. See net.hpp, resolve.hpp.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "goro/blocking.hpp"
#include "net/resolve.hpp"

namespace goro::net {

namespace {
class net_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "goro.net"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::closed:
        return "use of closed network connection";
      case errc::host_not_found:
        return "no such host";
    }
    return "unknown goro.net error";
  }
};
}  // namespace

const std::error_category& net_category() noexcept {
  static const net_error_category category;
  return category;
}

address::address(const void* sockaddr, std::uint32_t size) noexcept {
  size_ = std::min<std::uint32_t>(size, sizeof storage_);
  std::memcpy(storage_, sockaddr, size_);
}

int address::family() const noexcept {
  if (size_ < sizeof(sa_family_t)) return AF_UNSPEC;
  return reinterpret_cast<const sockaddr*>(storage_)->sa_family;
}

std::string address::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  switch (family()) {
    case AF_INET:
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(storage_)->sin_addr, buf, sizeof buf);
      return buf;
    case AF_INET6:
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(storage_)->sin6_addr, buf, sizeof buf);
      return buf;
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(storage_);
      std::size_t n = size_ > offsetof(sockaddr_un, sun_path) ? size_ - offsetof(sockaddr_un, sun_path) : 0;
      if (n == 0) return {};
      std::string path;
      if (un->sun_path[0] == '\0') {  // abstract
        path.push_back('@');
        path.append(un->sun_path + 1, n - 1);
      } else {
        path.assign(un->sun_path, strnlen(un->sun_path, n));
      }
      return path;
    }
  }
  return {};
}

std::uint16_t address::port() const noexcept {
  switch (family()) {
    case AF_INET:
      return ntohs(reinterpret_cast<const sockaddr_in*>(storage_)->sin_port);
    case AF_INET6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(storage_)->sin6_port);
  }
  return 0;
}

std::string address::to_string() const {
  switch (family()) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6: {
      std::string s(1, '[');
      s += host();
      s += "]:";
      s += std::to_string(port());
      return s;
    }
  }
  return host();
}

bool operator==(const address& a, const address& b) noexcept {
  return a.size_ == b.size_ && std::memcmp(a.storage_, b.storage_, a.size_) == 0;
}

address resolve(std::string_view network, std::string_view addr) {
  std::error_code ec;
  address a = resolve(network, addr, ec);
  detail::throw_if(ec, detail::describe("resolve", network, addr));
  return a;
}

address resolve(std::string_view network, std::string_view addr, std::error_code& ec) {
  detail::network_kind kind;
  if (!detail::parse_network(network, kind)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  std::vector<address> all = detail::resolve_all(kind, addr, detail::resolve_for::dial, ec);
  return all.empty() ? address() : all.front();
}

}  // namespace goro::net

namespace goro::net::detail {

namespace {
std::error_code invalid() { return std::make_error_code(std::errc::invalid_argument); }

address unix_address(std::string_view path, std::error_code& ec) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  // A NUL in a path would end it early for the kernel, or (first) make it an abstract
  // name: a socket other than the one named ("@name" is how to spell an abstract one).
  if (path.empty() || path.size() >= sizeof un.sun_path || (path[0] != '@' && path.find('\0') != path.npos)) {
    ec = invalid();
    return {};
  }
  std::memcpy(un.sun_path, path.data(), path.size());
  if (path[0] == '@') un.sun_path[0] = '\0';  // Linux's abstract namespace
  auto len = static_cast<std::uint32_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  return address(&un, len);
}

// Splits "host:port" / "[v6]:port" (Go's SplitHostPort).
bool split_host_port(std::string_view in, std::string_view& host, std::string_view& port) {
  std::size_t colon = in.rfind(':');
  if (colon == std::string_view::npos) return false;  // missing port
  std::size_t j = 0, k = 0;                           // no '[' from j on, no ']' from k on
  if (in[0] == '[') {
    std::size_t close = in.find(']');
    if (close == std::string_view::npos || close + 1 != colon) return false;  // missing ']' or port, too many colons
    host = in.substr(1, close - 1);
    j = 1;
    k = close + 1;
  } else {
    host = in.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return false;  // too many colons
  }
  if (in.find('[', j) != std::string_view::npos || in.find(']', k) != std::string_view::npos) return false;
  port = in.substr(colon + 1);
  return true;
}

bool parse_port(std::string_view s, const network_kind& kind, std::uint16_t& port) {
  if (s.empty()) return false;
  unsigned value = 0;
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (err == std::errc() && end == s.data() + s.size()) {
    if (value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
  }
  // A service name ("http"), from /etc/services.
  std::string name(s);
  servent result;
  servent* found = nullptr;
  char buf[1024];
  if (getservbyname_r(name.c_str(), kind.sotype == SOCK_DGRAM ? "udp" : "tcp", &result, buf, sizeof buf, &found) !=
          0 ||
      !found)
    return false;
  port = ntohs(static_cast<std::uint16_t>(found->s_port));
  return true;
}

address ip_address(int family, const void* ip, std::uint16_t port) {
  if (family == AF_INET) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, ip, sizeof in.sin_addr);
    return address(&in, sizeof in);
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(&in6.sin6_addr, ip, sizeof in6.sin6_addr);
  return address(&in6, sizeof in6);
}

bool family_allowed(const network_kind& kind, int family) {
  return kind.family == AF_UNSPEC || kind.family == family;
}
}  // namespace

bool parse_network(std::string_view network, network_kind& kind) noexcept {
  struct entry {
    std::string_view name;
    int family, sotype;
  };
  static constexpr entry table[] = {
      {"tcp", AF_UNSPEC, SOCK_STREAM}, {"tcp4", AF_INET, SOCK_STREAM}, {"tcp6", AF_INET6, SOCK_STREAM},
      {"udp", AF_UNSPEC, SOCK_DGRAM},  {"udp4", AF_INET, SOCK_DGRAM},  {"udp6", AF_INET6, SOCK_DGRAM},
      {"unix", AF_UNIX, SOCK_STREAM},
  };
  for (const entry& e : table)
    if (e.name == network) {
      kind.family = e.family;
      kind.sotype = e.sotype;
      return true;
    }
  return false;
}

std::vector<address> resolve_all(const network_kind& kind, std::string_view addr, resolve_for use,
                                 std::error_code& ec) {
  ec.clear();
  if (kind.family == AF_UNIX) {
    address a = unix_address(addr, ec);
    if (ec) return {};
    return {a};
  }
  std::string_view host, port_text;
  std::uint16_t port = 0;
  // A NUL would cut the host or the service name short in the C calls below.
  if (addr.find('\0') != addr.npos || !split_host_port(addr, host, port_text) || !parse_port(port_text, kind, port)) {
    ec = invalid();
    return {};
  }
  std::string h(host);
  in_addr v4{};
  in6_addr v6{};
  if (h.empty()) {
    // Listen: every local address (dual-stack for "tcp"/"udp", as Go); dial: this host.
    if (use == resolve_for::listen) {
      if (kind.family == AF_INET) return {ip_address(AF_INET, &v4, port)};  // 0.0.0.0
      return {ip_address(AF_INET6, &in6addr_any, port)};
    }
    if (kind.family == AF_INET6) return {ip_address(AF_INET6, &in6addr_loopback, port)};
    v4.s_addr = htonl(INADDR_LOOPBACK);
    return {ip_address(AF_INET, &v4, port)};
  }
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    if (!family_allowed(kind, AF_INET)) {
      ec = invalid();
      return {};
    }
    return {ip_address(AF_INET, &v4, port)};
  }
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (!family_allowed(kind, AF_INET6)) {
      ec = invalid();
      return {};
    }
    return {ip_address(AF_INET6, &v6, port)};
  }
  addrinfo hints{};
  hints.ai_family = kind.family;
  hints.ai_socktype = kind.sotype;
  addrinfo* list = nullptr;
  // A lookup may block for seconds (DNS): it must not hold a P meanwhile.
  int rc = goro::blocking([&] { return getaddrinfo(h.c_str(), nullptr, &hints, &list); });
  if (rc != 0 || !list) {
    ec = make_error_code(errc::host_not_found);
    return {};
  }
  std::vector<address> v4s, v6s;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      address a = ip_address(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, port);
      if (std::find(v4s.begin(), v4s.end(), a) == v4s.end()) v4s.push_back(a);
    } else if (ai->ai_family == AF_INET6) {
      address a = ip_address(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, port);
      if (std::find(v6s.begin(), v6s.end(), a) == v6s.end()) v6s.push_back(a);
    }
  }
  freeaddrinfo(list);
  v4s.insert(v4s.end(), v6s.begin(), v6s.end());
  if (v4s.empty()) ec = make_error_code(errc::host_not_found);
  return v4s;
}

std::string describe(std::string_view op, std::string_view network, std::string_view addr) {
  std::string s = "goro::net::";
  s += op;
  s += ' ';
  s += network;
  s += ' ';
  s += addr;
  return s;
}

void throw_if(const std::error_code& ec, const std::string& what) {
  if (ec) throw std::system_error(ec, what);
}

}  // namespace goro::net::detail

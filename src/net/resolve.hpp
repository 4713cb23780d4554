// Networks and addresses: what "tcp4" or "unix" means, and turning "host:port" into
// socket addresses (literals at once, names through getaddrinfo).
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "goro/net.hpp"

namespace goro::net::detail {

struct network_kind {
  int family = 0;  // AF_UNSPEC (tcp, udp), AF_INET, AF_INET6 or AF_UNIX
  int sotype = 0;  // SOCK_STREAM or SOCK_DGRAM
};

// Parses a network name; false for an unknown one.
bool parse_network(std::string_view network, network_kind& kind) noexcept;

// What the address is for: an empty host means every local address to listen on, and
// the local system to dial.
enum class resolve_for { listen, dial };

// Every address for addr on this network, IPv4 first for "tcp"/"udp" (Go's preference).
// ec: invalid_argument for malformed input, errc::host_not_found for a failed lookup.
std::vector<address> resolve_all(const network_kind& kind, std::string_view addr, resolve_for use,
                                 std::error_code& ec);

// "op network addr", the context of a thrown std::system_error.
std::string describe(std::string_view op, std::string_view network, std::string_view addr);
// Throws std::system_error(ec, what) if ec is set.
void throw_if(const std::error_code& ec, const std::string& what);
inline void throw_if(const std::error_code& ec, const char* what) {
  if (ec) throw_if(ec, std::string(what));
}

}  // namespace goro::net::detail

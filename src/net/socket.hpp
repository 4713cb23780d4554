// Creating sockets for goro::net: a registered netfd for a family and type, bound and
// listening, or connected (shared by tcp.cpp, udp.cpp and dial.cpp).
#pragma once

#include <memory>
#include <system_error>

#include "net/netfd.hpp"
#include "net/resolve.hpp"

namespace goro::net::detail {

// A new non-blocking socket registered with the poller.
std::shared_ptr<netfd> make_socket(int family, int sotype, std::error_code& ec);
// A socket bound to `at` (dual-stack for an IPv6 wildcard), listening with SO_REUSEADDR
// if it is a stream socket.
std::shared_ptr<netfd> bind_socket(const address& at, int sotype, std::error_code& ec);
// Listens (stream) or binds (datagram) on the first address addr resolves to; the IPv6
// wildcard falls back to IPv4's on a host without IPv6.
std::shared_ptr<netfd> open_bound(const network_kind& kind, std::string_view addr, std::error_code& ec);

}  // namespace goro::net::detail

// Socket creation, binding and listening. See socket.hpp.
#include "net/socket.hpp"
#include "platform/syscalls.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace goro::net::detail {

namespace sys = goro::detail::platform::sys;

namespace {
// The kernel caps the backlog at net.core.somaxconn; ask for the most it allows.
constexpr int kListenBacklog = 65535;
}  // namespace

std::shared_ptr<netfd> make_socket(int family, int sotype, std::error_code& ec) {
  int fd = sys::socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec.assign(sys::last_errno(), std::system_category());
    return nullptr;
  }
  return netfd::open(fd, family, sotype, ec);
}

std::shared_ptr<netfd> bind_socket(const address& at, int sotype, std::error_code& ec) {
  std::shared_ptr<netfd> s = make_socket(at.family(), sotype, ec);
  if (!s) return nullptr;
  int fd = s->native_handle();
  int one = 1, zero = 0;
  // TCP listeners only (as Go): on a UDP socket it would let a second socket bind the
  // same address and share its datagrams.
  if (at.family() != AF_UNIX && sotype == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (at.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (at.family() == AF_INET && sotype == SOCK_DGRAM) ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  if (::bind(fd, static_cast<const sockaddr*>(at.native()), at.native_size()) < 0 ||
      (sotype == SOCK_STREAM && ::listen(fd, kListenBacklog) < 0)) {
    ec.assign(sys::last_errno(), std::system_category());
    std::error_code ignored;
    s->close(ignored);
    return nullptr;
  }
  s->refresh_local();
  if (at.family() == AF_UNIX) s->unlink_on_close(at.host());
  ec.clear();
  return s;
}

std::shared_ptr<netfd> open_bound(const network_kind& kind, std::string_view addr, std::error_code& ec) {
  std::vector<address> at = resolve_all(kind, addr, resolve_for::listen, ec);
  if (ec) return nullptr;
  std::shared_ptr<netfd> s = bind_socket(at.front(), kind.sotype, ec);
  if (!s && kind.family == AF_UNSPEC && at.front().family() == AF_INET6 &&
      (ec == std::errc::address_family_not_supported || ec == std::errc::address_not_available)) {
    network_kind v4 = kind;
    v4.family = AF_INET;
    at = resolve_all(v4, addr, resolve_for::listen, ec);
    if (ec) return nullptr;
    s = bind_socket(at.front(), kind.sotype, ec);
  }
  return s;
}

}  // namespace goro::net::detail

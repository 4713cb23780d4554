// goro::net::conn, listener and packet_conn: the public handles, forwarding to netfd.
// Each throwing overload is its error_code twin plus throw_if.
#include <sys/socket.h>

#include "net/netfd.hpp"
#include "net/resolve.hpp"
#include "net/socket.hpp"

namespace goro::net {

namespace {
std::error_code closed_code() { return make_error_code(errc::closed); }

template <class T>
std::span<std::byte> bytes(std::span<T> s) {
  return {reinterpret_cast<std::byte*>(s.data()), s.size()};
}
std::span<const std::byte> bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

// ---- conn ------------------------------------------------------------------------------

std::size_t conn::read(std::span<std::byte> buf, std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return 0;
  }
  return fd_->read(buf.data(), buf.size(), ec);
}
std::size_t conn::read(std::span<std::byte> buf) {
  std::error_code ec;
  std::size_t n = read(buf, ec);
  detail::throw_if(ec, "goro::net::conn::read");
  return n;
}
std::size_t conn::read(std::span<char> buf, std::error_code& ec) { return read(bytes(buf), ec); }
std::size_t conn::read(std::span<char> buf) { return read(bytes(buf)); }

std::size_t conn::write(std::span<const std::byte> buf, std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return 0;
  }
  return fd_->write(buf.data(), buf.size(), ec);
}
std::size_t conn::write(std::span<const std::byte> buf) {
  std::error_code ec;
  std::size_t n = write(buf, ec);
  detail::throw_if(ec, "goro::net::conn::write");
  return n;
}
std::size_t conn::write(std::string_view s, std::error_code& ec) { return write(bytes(s), ec); }
std::size_t conn::write(std::string_view s) { return write(bytes(s)); }

void conn::close(std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return;
  }
  fd_->close(ec);
}
void conn::close() {
  std::error_code ec;
  close(ec);
  detail::throw_if(ec, "goro::net::conn::close");
}

void conn::close_write(std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return;
  }
  fd_->shutdown_write(ec);
}
void conn::close_write() {
  std::error_code ec;
  close_write(ec);
  detail::throw_if(ec, "goro::net::conn::close_write");
}

#define GORO_NET_DEADLINE_SETTER(cls, name, rd, wr)                     \
  void cls::name(deadline t, std::error_code& ec) {                     \
    if (!fd_) {                                                         \
      ec = closed_code();                                               \
      return;                                                           \
    }                                                                   \
    fd_->set_deadline(rd, wr, t, ec);                                   \
  }                                                                     \
  void cls::name(deadline t) {                                          \
    std::error_code ec;                                                 \
    name(t, ec);                                                        \
    detail::throw_if(ec, "goro::net::" #cls "::" #name);                \
  }
GORO_NET_DEADLINE_SETTER(conn, set_deadline, true, true)
GORO_NET_DEADLINE_SETTER(conn, set_read_deadline, true, false)
GORO_NET_DEADLINE_SETTER(conn, set_write_deadline, false, true)
GORO_NET_DEADLINE_SETTER(listener, set_deadline, true, true)
GORO_NET_DEADLINE_SETTER(packet_conn, set_deadline, true, true)
GORO_NET_DEADLINE_SETTER(packet_conn, set_read_deadline, true, false)
GORO_NET_DEADLINE_SETTER(packet_conn, set_write_deadline, false, true)
#undef GORO_NET_DEADLINE_SETTER

address conn::local_addr() const { return fd_ ? fd_->local_addr() : address(); }
address conn::remote_addr() const { return fd_ ? fd_->remote_addr() : address(); }
int conn::native_handle() const noexcept { return fd_ ? fd_->native_handle() : -1; }

// ---- listener --------------------------------------------------------------------------

conn listener::accept(std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return {};
  }
  return detail::access::make_conn(fd_->accept(ec));
}
conn listener::accept() {
  std::error_code ec;
  conn c = accept(ec);
  detail::throw_if(ec, "goro::net::listener::accept");
  return c;
}
address listener::addr() const { return fd_ ? fd_->local_addr() : address(); }
void listener::close(std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return;
  }
  fd_->close(ec);
}
void listener::close() {
  std::error_code ec;
  close(ec);
  detail::throw_if(ec, "goro::net::listener::close");
}

listener listen(std::string_view network, std::string_view addr, std::error_code& ec) {
  detail::network_kind kind;
  if (!detail::parse_network(network, kind) || kind.sotype != SOCK_STREAM) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return detail::access::make_listener(detail::open_bound(kind, addr, ec));
}
listener listen(std::string_view network, std::string_view addr) {
  std::error_code ec;
  listener l = listen(network, addr, ec);
  if (ec) detail::throw_if(ec, detail::describe("listen", network, addr));
  return l;
}

// ---- packet_conn -----------------------------------------------------------------------

std::pair<std::size_t, address> packet_conn::read_from(std::span<std::byte> buf, std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return {0, {}};
  }
  return fd_->read_from(buf.data(), buf.size(), ec);
}
std::pair<std::size_t, address> packet_conn::read_from(std::span<std::byte> buf) {
  std::error_code ec;
  auto r = read_from(buf, ec);
  detail::throw_if(ec, "goro::net::packet_conn::read_from");
  return r;
}
std::pair<std::size_t, address> packet_conn::read_from(std::span<char> buf, std::error_code& ec) {
  return read_from(bytes(buf), ec);
}
std::pair<std::size_t, address> packet_conn::read_from(std::span<char> buf) { return read_from(bytes(buf)); }

std::size_t packet_conn::write_to(std::span<const std::byte> buf, const address& to, std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return 0;
  }
  return fd_->write_to(buf.data(), buf.size(), to, ec);
}
std::size_t packet_conn::write_to(std::span<const std::byte> buf, const address& to) {
  std::error_code ec;
  std::size_t n = write_to(buf, to, ec);
  detail::throw_if(ec, "goro::net::packet_conn::write_to");
  return n;
}
std::size_t packet_conn::write_to(std::string_view s, const address& to, std::error_code& ec) {
  return write_to(bytes(s), to, ec);
}
std::size_t packet_conn::write_to(std::string_view s, const address& to) { return write_to(bytes(s), to); }

void packet_conn::close(std::error_code& ec) {
  if (!fd_) {
    ec = closed_code();
    return;
  }
  fd_->close(ec);
}
void packet_conn::close() {
  std::error_code ec;
  close(ec);
  detail::throw_if(ec, "goro::net::packet_conn::close");
}
address packet_conn::local_addr() const { return fd_ ? fd_->local_addr() : address(); }

packet_conn listen_packet(std::string_view network, std::string_view addr, std::error_code& ec) {
  detail::network_kind kind;
  if (!detail::parse_network(network, kind) || kind.sotype != SOCK_DGRAM) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return detail::access::make_packet_conn(detail::open_bound(kind, addr, ec));
}
packet_conn listen_packet(std::string_view network, std::string_view addr) {
  std::error_code ec;
  packet_conn p = listen_packet(network, addr, ec);
  if (ec) detail::throw_if(ec, detail::describe("listen_packet", network, addr));
  return p;
}

}  // namespace goro::net

// goro::net: TCP, UDP and unix-domain sockets in Go's style (Go's net package). Every
// blocking call (accept, dial, read, write, read_from) parks only the calling goroutine:
// the runtime's poller (epoll) wakes it when the descriptor is ready. From a plain OS
// thread the same calls block that thread only.
//
//   auto ln = goro::net::listen("tcp", "127.0.0.1:0");       // port 0: any free port
//   goro::go([ln]() mutable {
//     for (;;) {
//       goro::net::conn c = ln.accept();
//       goro::go([c]() mutable {                               // a goroutine per connection
//         char buf[4096];
//         while (std::size_t n = c.read(buf)) c.write(std::string_view(buf, n));
//       });
//     }
//   });
//   goro::net::conn c = goro::net::dial("tcp", ln.addr());
//
// Networks: "tcp", "tcp4", "tcp6", "unix" (listen, dial), "udp", "udp4", "udp6"
// (listen_packet, dial). Addresses are "host:port" ("127.0.0.1:80", "[::1]:80",
// "localhost:80", ":80" for every local address), or a path for unix ("@name" is Linux's
// abstract namespace).
//
// Errors follow Asio's convention: each call that can fail has a throwing overload
// (std::system_error) and one taking a std::error_code& last that reports the same code.
//   goro::net::errc::closed          the conn/listener was closed by this side ("use of
//                                    closed network connection"), also a second close()
//   std::errc::timed_out             a deadline passed (read, write, accept, dial timeout)
//   goro::net::errc::host_not_found  a name did not resolve
//   std::errc::invalid_argument      a malformed address or an unknown network
//   a dial(ctx, ...) whose ctx ends first reports ctx.err()
//   anything else is the system's errno (std::errc::connection_refused, ...reset, ...).
// read() returns 0 at the end of the stream, never an error; write() writes everything
// (or reports why not, with how much it wrote).
//
// Handles (listener, conn, packet_conn) are shared references to one socket, like Go's
// pointers: copies refer to the same socket, several goroutines may use it at once (reads
// are serialized among themselves, and writes among themselves), and the socket is
// closed by close() or when the last handle goes away. close() wakes every call blocked
// on the socket with errc::closed.
//
// Deadlines are steady_clock time points; time_point::max() clears one. A deadline that
// passes makes the blocked call and every later one in that direction fail with
// timed_out until the deadline is moved; moving it takes effect at once, also for a call
// that is blocked.
//
// Name resolution (a host name, not a literal address) calls getaddrinfo inside
// goro::blocking, so a slow lookup stalls no other goroutine; literal addresses resolve
// without it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "goro/context.hpp"

namespace goro::net {

enum class errc { closed = 1, host_not_found = 2 };
const std::error_category& net_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), net_category()}; }

}  // namespace goro::net

template <>
struct std::is_error_code_enum<goro::net::errc> : std::true_type {};

namespace goro::net {

namespace detail {
class netfd;   // src/net/netfd.hpp
struct access;  // builds handles from a netfd (src/net/netfd.hpp)
}

using deadline = std::chrono::steady_clock::time_point;
inline constexpr deadline no_deadline = deadline::max();

// A socket address: IPv4, IPv6 or unix-domain. Empty when default-constructed.
class address {
 public:
  address() = default;
  // From a native sockaddr of `size` bytes (at most 128).
  address(const void* sockaddr, std::uint32_t size) noexcept;

  bool empty() const noexcept { return size_ == 0; }
  int family() const noexcept;  // AF_INET, AF_INET6, AF_UNIX, or AF_UNSPEC when empty
  // "127.0.0.1", "::1", or the path for unix ("@name" for an abstract one).
  std::string host() const;
  std::uint16_t port() const noexcept;  // 0 for unix
  // "127.0.0.1:80", "[::1]:80", or the path for unix.
  std::string to_string() const;

  const void* native() const noexcept { return storage_; }
  std::uint32_t native_size() const noexcept { return size_; }

  friend bool operator==(const address& a, const address& b) noexcept;

 private:
  alignas(8) unsigned char storage_[128] = {};
  std::uint32_t size_ = 0;
};

// The address for network ("tcp", "udp6", "unix", ...) and "host:port" (or a path).
address resolve(std::string_view network, std::string_view addr);
address resolve(std::string_view network, std::string_view addr, std::error_code& ec);

// A stream connection (tcp or unix), or a connected udp socket from dial().
class conn {
 public:
  conn() = default;  // refers to no socket: every call reports errc::closed
  explicit operator bool() const noexcept { return fd_ != nullptr; }

  // Reads what is available (at least one byte, blocking until there is some); 0 at the
  // end of the stream (or for an empty buffer).
  std::size_t read(std::span<std::byte> buf);
  std::size_t read(std::span<std::byte> buf, std::error_code& ec);
  std::size_t read(std::span<char> buf);
  std::size_t read(std::span<char> buf, std::error_code& ec);
  // Writes all of buf; the error_code form returns how much was written before an error.
  std::size_t write(std::span<const std::byte> buf);
  std::size_t write(std::span<const std::byte> buf, std::error_code& ec);
  std::size_t write(std::string_view s);
  std::size_t write(std::string_view s, std::error_code& ec);

  void close();
  void close(std::error_code& ec);
  // Half-close: the peer reads the end of the stream; this side can still read.
  void close_write();
  void close_write(std::error_code& ec);

  void set_deadline(deadline t);
  void set_deadline(deadline t, std::error_code& ec);
  void set_read_deadline(deadline t);
  void set_read_deadline(deadline t, std::error_code& ec);
  void set_write_deadline(deadline t);
  void set_write_deadline(deadline t, std::error_code& ec);

  address local_addr() const;
  address remote_addr() const;
  // The socket's descriptor (for setsockopt and the like), -1 if none. It stays goro's:
  // do not close it or make it blocking.
  int native_handle() const noexcept;

  friend bool operator==(const conn& a, const conn& b) noexcept { return a.fd_ == b.fd_; }

 private:
  friend struct detail::access;
  explicit conn(std::shared_ptr<detail::netfd> fd) noexcept : fd_(std::move(fd)) {}
  std::shared_ptr<detail::netfd> fd_;
};

class listener {
 public:
  listener() = default;
  explicit operator bool() const noexcept { return fd_ != nullptr; }

  // Waits for the next connection. Under descriptor exhaustion (EMFILE, ENFILE) it backs
  // off (1 ms doubling to 100 ms) and tries again rather than failing or spinning.
  conn accept();
  conn accept(std::error_code& ec);
  address addr() const;
  address local_addr() const { return addr(); }
  // Closes the socket (a unix listener also removes its socket file); blocked accepts
  // fail with errc::closed.
  void close();
  void close(std::error_code& ec);
  void set_deadline(deadline t);
  void set_deadline(deadline t, std::error_code& ec);

 private:
  friend struct detail::access;
  explicit listener(std::shared_ptr<detail::netfd> fd) noexcept : fd_(std::move(fd)) {}
  std::shared_ptr<detail::netfd> fd_;
};

// A datagram socket (udp) from listen_packet.
class packet_conn {
 public:
  packet_conn() = default;
  explicit operator bool() const noexcept { return fd_ != nullptr; }

  // Receives one datagram (truncated to buf's size) and its sender.
  std::pair<std::size_t, address> read_from(std::span<std::byte> buf);
  std::pair<std::size_t, address> read_from(std::span<std::byte> buf, std::error_code& ec);
  std::pair<std::size_t, address> read_from(std::span<char> buf);
  std::pair<std::size_t, address> read_from(std::span<char> buf, std::error_code& ec);
  // Sends buf as one datagram to `to`.
  std::size_t write_to(std::span<const std::byte> buf, const address& to);
  std::size_t write_to(std::span<const std::byte> buf, const address& to, std::error_code& ec);
  std::size_t write_to(std::string_view s, const address& to);
  std::size_t write_to(std::string_view s, const address& to, std::error_code& ec);

  void close();
  void close(std::error_code& ec);
  void set_deadline(deadline t);
  void set_deadline(deadline t, std::error_code& ec);
  void set_read_deadline(deadline t);
  void set_read_deadline(deadline t, std::error_code& ec);
  void set_write_deadline(deadline t);
  void set_write_deadline(deadline t, std::error_code& ec);
  address local_addr() const;
  address addr() const { return local_addr(); }

 private:
  friend struct detail::access;
  explicit packet_conn(std::shared_ptr<detail::netfd> fd) noexcept : fd_(std::move(fd)) {}
  std::shared_ptr<detail::netfd> fd_;
};

// listen("tcp" | "tcp4" | "tcp6" | "unix", addr).
listener listen(std::string_view network, std::string_view addr);
listener listen(std::string_view network, std::string_view addr, std::error_code& ec);

// listen_packet("udp" | "udp4" | "udp6", addr).
packet_conn listen_packet(std::string_view network, std::string_view addr);
packet_conn listen_packet(std::string_view network, std::string_view addr, std::error_code& ec);

// dial(network, addr[, timeout]): connects, trying each resolved address in turn. A
// timeout of zero means none (Go's Dialer), a negative one has expired already (timed_out
// at once); it bounds the whole call.
conn dial(std::string_view network, std::string_view addr);
conn dial(std::string_view network, std::string_view addr, std::error_code& ec);
conn dial(std::string_view network, std::string_view addr, std::chrono::nanoseconds timeout);
conn dial(std::string_view network, std::string_view addr, std::chrono::nanoseconds timeout,
          std::error_code& ec);
conn dial(std::string_view network, const address& addr);
conn dial(std::string_view network, const address& addr, std::error_code& ec);
// Gives up when ctx is done (reporting ctx.err()); ctx's deadline bounds the call.
conn dial(const context& ctx, std::string_view network, std::string_view addr);
conn dial(const context& ctx, std::string_view network, std::string_view addr, std::error_code& ec);

}  // namespace goro::net

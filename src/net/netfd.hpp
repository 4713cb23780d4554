// netfd (Go's netFD + poll.FD): one non-blocking socket registered with the poller, and
// the operations goro::net's handles forward to. Every call parks on the poller when
// the socket is not ready, then retries its system call.
//
// Lifetime (Go's fdMutex, reduced to what we need): each operation holds a reference
// for its whole duration; close() marks the socket closed, wakes every blocked call
// (they report errc::closed) and drops its own reference; whoever drops the last one
// deregisters and closes the descriptor. So a descriptor number is never reused while a
// call may still pass it to the kernel. Reads are serialized by one mutex, writes by
// another (a datagram or a write-all is never interleaved with another).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "goro/mutex.hpp"
#include "goro/net.hpp"
#include "net/poller.hpp"

namespace goro::net::detail {

using goro::detail::io_mode;
using goro::detail::io_status;
using goro::detail::poll_desc;

class netfd {
 public:
  // Registers fd (non-blocking, close-on-exec) with the poller; closes fd on failure.
  static std::shared_ptr<netfd> open(int fd, int family, int sotype, std::error_code& ec);
  netfd(int fd, int family, int sotype, poll_desc* pd) noexcept
      : fd_(fd), family_(family), sotype_(sotype), pd_(pd) {}
  netfd(const netfd&) = delete;
  netfd& operator=(const netfd&) = delete;
  ~netfd();

  int family() const noexcept { return family_; }
  int native_handle() const noexcept { return fd_; }
  int sotype() const noexcept { return sotype_; }

  std::size_t read(void* buf, std::size_t n, std::error_code& ec);
  std::size_t write(const void* buf, std::size_t n, std::error_code& ec);
  std::pair<std::size_t, address> read_from(void* buf, std::size_t n, std::error_code& ec);
  std::size_t write_to(const void* buf, std::size_t n, const address& to, std::error_code& ec);
  std::shared_ptr<netfd> accept(std::error_code& ec);
  // Connects this fresh socket to `to`, waiting for the handshake.
  void connect(const address& to, std::error_code& ec);
  void close(std::error_code& ec);
  void shutdown_write(std::error_code& ec);
  void set_deadline(bool read, bool write, deadline t, std::error_code& ec);

  // Set once the socket is bound, connected or accepted (before any other goroutine
  // can see it), so reading them never races with close.
  address local_addr() const { return local_; }
  address remote_addr() const { return remote_; }
  void refresh_local();
  void set_remote(const address& a) { remote_ = a; }
  // A unix listener removes its socket file when it is closed.
  void unlink_on_close(std::string path) { unlink_path_ = std::move(path); }

 private:
  static constexpr std::uint32_t kClosed = 1u << 31;
  // An operation's reference; false if the socket is closed.
  bool acquire() noexcept;
  void release() noexcept;
  struct op_ref;
  class io_op;
  // Runs syscall until it succeeds (its result) or fails for good (-1, ec set): EINTR
  // retries it, EAGAIN parks on the poller in direction m first.
  template <class Syscall>
  ssize_t retry(io_mode m, std::error_code& ec, Syscall&& syscall);
  void destroy() noexcept;
  // Parks until the socket is ready in direction m; false (ec set) if closed or expired.
  bool await(io_mode m, std::error_code& ec);
  // The state that stops an operation before it starts (closed, expired deadline).
  bool blocked(io_mode m, std::error_code& ec) const;

  int fd_;
  int family_;
  int sotype_;
  poll_desc* pd_;
  std::atomic<std::uint32_t> refs_{0};  // operations in progress, plus kClosed
  goro::mutex read_mu_, write_mu_;
  address local_, remote_;
  std::string unlink_path_;
};

std::error_code to_error(io_status s) noexcept;

// Builds the public handles around a netfd (they keep their constructors private).
struct access {
  static conn make_conn(std::shared_ptr<netfd> fd) noexcept { return conn(std::move(fd)); }
  static listener make_listener(std::shared_ptr<netfd> fd) noexcept { return listener(std::move(fd)); }
  static packet_conn make_packet_conn(std::shared_ptr<netfd> fd) noexcept { return packet_conn(std::move(fd)); }
};

}  // namespace goro::net::detail

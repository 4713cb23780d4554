// Socket operations over the poller. See netfd.hpp.
#include "net/netfd.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>

#include "goro/time.hpp"
#include "platform/syscalls.hpp"

namespace goro::net::detail {

namespace sys = goro::detail::platform::sys;

namespace {
std::error_code errno_code(int err) noexcept { return {err, std::system_category()}; }

std::int64_t to_ns(deadline t) noexcept {
  if (t == no_deadline) return goro::detail::platform::kNever;
  return goro::detail::steady_ns(t);
}

// Accept's answer to running out of descriptors or memory: wait and try again.
bool is_resource_exhaustion(int err) noexcept {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM || err == ENOSPC;  // ENOSPC: epoll watches
}
constexpr auto kAcceptBackoffMin = std::chrono::milliseconds(1);
constexpr auto kAcceptBackoffMax = std::chrono::milliseconds(100);
}  // namespace

std::error_code to_error(io_status s) noexcept {
  switch (s) {
    case io_status::closed:
      return make_error_code(errc::closed);
    case io_status::timed_out:
      return std::make_error_code(std::errc::timed_out);
    case io_status::ready:
      break;
  }
  return {};
}

std::shared_ptr<netfd> netfd::open(int fd, int family, int sotype, std::error_code& ec) {
  poll_desc* pd = goro::detail::poller::get().open(fd, ec);
  if (!pd) {
    ::close(fd);
    return nullptr;
  }
  try {
    return std::make_shared<netfd>(fd, family, sotype, pd);
  } catch (const std::bad_alloc&) {
    goro::detail::poller::get().close(pd);  // deregisters and closes fd: nothing leaks
    throw;
  }
}

netfd::~netfd() {
  // The last handle went away: no operation can be in progress (each runs through one).
  if (!(refs_.load(std::memory_order_acquire) & kClosed)) destroy();
}

struct netfd::op_ref {
  netfd& fd;
  bool ok;
  // ec says errc::closed when the socket is closed (ok is false).
  op_ref(netfd& f, std::error_code& ec) noexcept : fd(f), ok(f.acquire()) {
    if (!ok) ec = make_error_code(errc::closed);
  }
  ~op_ref() {
    if (ok) fd.release();
  }
};

bool netfd::acquire() noexcept {
  // Never counts up once closed: the count reaches zero with kClosed set exactly once.
  std::uint32_t old = refs_.load(std::memory_order_acquire);
  do {
    if (old & kClosed) return false;
  } while (!refs_.compare_exchange_weak(old, old + 1, std::memory_order_acq_rel));
  return true;
}

void netfd::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == (kClosed | 1)) destroy();
}

void netfd::destroy() noexcept {
  if (!unlink_path_.empty() && unlink_path_[0] != '@') ::unlink(unlink_path_.c_str());
  goro::detail::poller::get().close(pd_);
  pd_ = nullptr;
  fd_ = -1;
}

void netfd::close(std::error_code& ec) {
  std::uint32_t old = refs_.load(std::memory_order_acquire);
  do {
    if (old & kClosed) {
      ec = make_error_code(errc::closed);
      return;
    }
  } while (!refs_.compare_exchange_weak(old, (old | kClosed) + 1, std::memory_order_acq_rel));
  ec.clear();
  goro::detail::poller::get().evict(pd_);  // blocked calls wake and report errc::closed
  release();                               // the last reference closes the descriptor
}

// An operation's entry: its reference, the direction's lock, and the check that the
// socket is neither closed nor past the direction's deadline (ec says which).
class netfd::io_op {
 public:
  io_op(netfd& fd, io_mode m, std::error_code& ec) : ref_(fd, ec) {
    if (!ref_.ok) return;
    lock_ = std::unique_lock<goro::mutex>(m == io_mode::read ? fd.read_mu_ : fd.write_mu_);
    ok_ = !fd.blocked(m, ec);
    if (ok_) ec.clear();
  }
  explicit operator bool() const noexcept { return ok_; }

 private:
  op_ref ref_;
  std::unique_lock<goro::mutex> lock_;
  bool ok_ = false;
};

template <class Syscall>
ssize_t netfd::retry(io_mode m, std::error_code& ec, Syscall&& syscall) {
  for (;;) {
    ssize_t r = syscall();
    if (r >= 0) return r;
    const int err = sys::last_errno();  // before the park: see syscalls.hpp
    if (err == EINTR) continue;
    if (err != EAGAIN) {
      ec = errno_code(err);
      return -1;
    }
    if (!await(m, ec)) return -1;
  }
}

bool netfd::blocked(io_mode m, std::error_code& ec) const {
  io_status why;
  if (!pd_->blocked_status(m, why)) return false;
  ec = to_error(why);
  return true;
}

bool netfd::await(io_mode m, std::error_code& ec) {
  io_status s = goro::detail::poller::get().wait(pd_, m);
  if (s == io_status::ready) return true;
  ec = to_error(s);
  return false;
}

std::size_t netfd::read(void* buf, std::size_t n, std::error_code& ec) {
  io_op op(*this, io_mode::read, ec);
  if (!op || n == 0) return 0;
  ssize_t r = retry(io_mode::read, ec, [&] { return sys::read(fd_, buf, n); });
  return r < 0 ? 0 : static_cast<std::size_t>(r);
}

std::size_t netfd::write(const void* buf, std::size_t n, std::error_code& ec) {
  io_op op(*this, io_mode::write, ec);
  if (!op) return 0;
  const char* p = static_cast<const char*>(buf);
  std::size_t done = 0;
  // A datagram socket sends one (possibly empty) datagram; a stream writes everything.
  while (done < n || (n == 0 && sotype_ == SOCK_DGRAM)) {
    ssize_t r = retry(io_mode::write, ec, [&] { return sys::send(fd_, p + done, n - done, MSG_NOSIGNAL); });
    if (r < 0) return done;
    done += static_cast<std::size_t>(r);
    if (sotype_ == SOCK_DGRAM) break;
  }
  return done;
}

std::pair<std::size_t, address> netfd::read_from(void* buf, std::size_t n, std::error_code& ec) {
  io_op op(*this, io_mode::read, ec);
  if (!op) return {0, {}};
  sockaddr_storage from{};
  socklen_t len = 0;
  ssize_t r = retry(io_mode::read, ec, [&] {
    len = sizeof from;
    return sys::recvfrom(fd_, buf, n, 0, reinterpret_cast<sockaddr*>(&from), &len);
  });
  if (r < 0) return {0, {}};
  return {static_cast<std::size_t>(r), address(&from, len)};
}

std::size_t netfd::write_to(const void* buf, std::size_t n, const address& to, std::error_code& ec) {
  if (to.empty()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return 0;
  }
  io_op op(*this, io_mode::write, ec);
  if (!op) return 0;
  ssize_t r = retry(io_mode::write, ec, [&] {
    return sys::sendto(fd_, buf, n, MSG_NOSIGNAL, static_cast<const sockaddr*>(to.native()), to.native_size());
  });
  return r < 0 ? 0 : static_cast<std::size_t>(r);
}

std::shared_ptr<netfd> netfd::accept(std::error_code& ec) {
  io_op op(*this, io_mode::read, ec);
  if (!op) return nullptr;
  auto backoff = kAcceptBackoffMin;
  for (;;) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    int c = sys::accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int err = c < 0 ? sys::last_errno() : 0;
    if (c >= 0) {
      if (family_ != AF_UNIX) {
        int one = 1;
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // Go's default
      }
      std::shared_ptr<netfd> accepted = open(c, family_, sotype_, ec);
      if (accepted) {
        accepted->set_remote(address(&from, len));
        accepted->refresh_local();
        ec.clear();
        return accepted;
      }
      if (!is_resource_exhaustion(ec.value())) return nullptr;
      err = ec.value();  // the poller ran out: that connection is lost; back off below
    }
    if (err == EINTR || err == ECONNABORTED) continue;
    if (err == EAGAIN) {
      if (!await(io_mode::read, ec)) return nullptr;
      continue;
    }
    if (is_resource_exhaustion(err)) {
      // Out of descriptors: the pending connection stays queued and no new edge will
      // come for it, so wait (parking only this goroutine) and try again.
      goro::sleep(backoff);
      backoff = std::min(backoff * 2, kAcceptBackoffMax);
      if (blocked(io_mode::read, ec)) return nullptr;  // closed or expired meanwhile
      continue;
    }
    ec = errno_code(err);
    return nullptr;
  }
}

void netfd::connect(const address& to, std::error_code& ec) {
  io_op op(*this, io_mode::write, ec);
  if (!op) return;
  int r;
  int err;
  do {
    r = ::connect(fd_, static_cast<const sockaddr*>(to.native()), to.native_size());
    err = r < 0 ? sys::last_errno() : 0;
  } while (err == EINTR);
  if (r < 0 && err != EINPROGRESS) {
    ec = errno_code(err);
    return;
  }
  while (r < 0) {  // the handshake is under way: the socket becomes writable when it ends
    if (!await(io_mode::write, ec)) return;  // parks: any thread from here on
    err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = sys::last_errno();
    if (err == EINPROGRESS || err == EALREADY || err == EINTR) continue;
    if (err != 0) {
      ec = errno_code(err);
      return;
    }
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    if (sys::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) break;
    if (int e = sys::last_errno(); e != ENOTCONN) {
      ec = errno_code(e);
      return;
    }
  }
  remote_ = to;
  refresh_local();
}

void netfd::shutdown_write(std::error_code& ec) {
  op_ref ref(*this, ec);
  if (!ref.ok) return;
  if (::shutdown(fd_, SHUT_WR) < 0)
    ec = errno_code(sys::last_errno());
  else
    ec.clear();
}

void netfd::set_deadline(bool read, bool write, deadline t, std::error_code& ec) {
  op_ref ref(*this, ec);
  if (!ref.ok) return;
  if (goro::detail::poller::get().set_deadline(pd_, read, write, to_ns(t)))
    ec.clear();
  else
    ec = std::make_error_code(std::errc::not_enough_memory);
}

void netfd::refresh_local() {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) local_ = address(&ss, len);
}

}  // namespace goro::net::detail

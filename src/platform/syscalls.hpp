// The runtime's system calls, each through fault_injection.hpp's hook: one relaxed load
// of a mask when fault injection is compiled in, nothing at all otherwise. Every call
// the runtime makes on mmap, guard pages, epoll_ctl, accept4, socket, read/write on
// sockets, getpeername, futex waits and its clock goes through here, so a fault test
// reaches them all.
//
// errno: a goroutine may resume on another thread after any park (settled detail 24),
// and glibc declares __errno_location() const, so a compiler may compute errno's
// address once and use it again after a park, reading (or writing) the errno of the
// thread the goroutine left: netfd::connect did, after its wait for the handshake. So
// the runtime reads errno only through last_errno(), right after the call that set it,
// and sets it only through set_errno(): real calls, made on the thread that runs them.
#pragma once

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "platform/fault_injection.hpp"

namespace goro::detail::platform::sys {

// The calling thread's errno, now (see above).
[[gnu::noinline]] inline int last_errno() noexcept {
  int e = errno;
  asm volatile("" ::: "memory");  // a side effect: no call of it is merged with another
  return e;
}
[[gnu::noinline]] inline void set_errno(int e) noexcept {
  asm volatile("" ::: "memory");
  errno = e;
}

#define GORO_SYS_FAULT(call, failed)                       \
  do {                                                     \
    if (int goro_err_ = injected_fault(sys_call::call)) { \
      set_errno(goro_err_);                                \
      return failed;                                       \
    }                                                      \
  } while (0)

inline void* mmap(void* addr, std::size_t n, int prot, int flags, int fd, off_t off) noexcept {
  GORO_SYS_FAULT(mmap, MAP_FAILED);
  return ::mmap(addr, n, prot, flags, fd, off);
}
inline int mprotect(void* addr, std::size_t n, int prot) noexcept {
  GORO_SYS_FAULT(mprotect, -1);
  return ::mprotect(addr, n, prot);
}
inline int guard_madvise(void* addr, std::size_t n, int advice) noexcept {  // a guard page
  GORO_SYS_FAULT(mprotect, -1);
  return ::madvise(addr, n, advice);
}
inline int epoll_ctl(int epfd, int op, int fd, epoll_event* ev) noexcept {
  GORO_SYS_FAULT(epoll_ctl, -1);
  return ::epoll_ctl(epfd, op, fd, ev);
}
inline int accept4(int fd, sockaddr* from, socklen_t* len, int flags) noexcept {
  GORO_SYS_FAULT(accept4, -1);
  return ::accept4(fd, from, len, flags);
}
inline int socket(int family, int type, int protocol) noexcept {
  GORO_SYS_FAULT(socket, -1);
  return ::socket(family, type, protocol);
}
inline ssize_t read(int fd, void* buf, std::size_t n) noexcept {
  GORO_SYS_FAULT(read, -1);
  return ::read(fd, buf, n);
}
inline ssize_t recvfrom(int fd, void* buf, std::size_t n, int flags, sockaddr* from, socklen_t* len) noexcept {
  GORO_SYS_FAULT(read, -1);
  return ::recvfrom(fd, buf, n, flags, from, len);
}
inline ssize_t send(int fd, const void* buf, std::size_t n, int flags) noexcept {
  GORO_SYS_FAULT(write, -1);
  return ::send(fd, buf, n, flags);
}
inline int getpeername(int fd, sockaddr* addr, socklen_t* len) noexcept {
  GORO_SYS_FAULT(getpeername, -1);
  return ::getpeername(fd, addr, len);
}
inline ssize_t sendto(int fd, const void* buf, std::size_t n, int flags, const sockaddr* to, socklen_t len) noexcept {
  GORO_SYS_FAULT(write, -1);
  return ::sendto(fd, buf, n, flags, to, len);
}

#undef GORO_SYS_FAULT

}  // namespace goro::detail::platform::sys

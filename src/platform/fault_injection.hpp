// Fault injection (issue 9): makes the runtime's system calls fail on purpose, so tests
// can prove goro retries what is transient, reports what is not (an exception or an
// error_code per API.md, or a Go-style fatal message for the runtime's own resources),
// and never hangs or loses a value.
//
// Compiled in only with -DGORO_FAULT_INJECTION=ON (the asan preset turns it on); without
// it injected_fault() is a constant 0 and every wrapper in syscalls.hpp is the plain
// call. With it, nothing fails until a plan is set, by GORO_FAULTS at start-up or by
// faults_configure():
//   GORO_FAULTS="seed=7;read=0.05;futex=0.2:EAGAIN;accept4=0.1:EMFILE,ECONNABORTED"
// Entries are separated by ';' or ' '; each is call=probability[:errno,errno...] (default errnos per call below, drawn
// uniformly); faults_force(call, err, n) fails the next n calls of one kind instead.
// What a fault does, per call (only what the kernel itself can return there):
//   mmap      ENOMEM                          (goroutine stacks, the signal stack)
//   mprotect  ENOMEM                          (installing a stack's guard page)
//   epoll_ctl ENOMEM ENOSPC                   (registering a descriptor)
//   accept4   EINTR ECONNABORTED EMFILE ENFILE ENOBUFS ENOMEM
//   socket    EMFILE ENFILE ENOBUFS
//   read      EINTR ECONNRESET                (read, recvfrom)
//   write     EINTR ECONNRESET EPIPE          (send, sendto)
//   futex     EINTR EAGAIN                    (a wait returns at once: a spurious wake-up)
//   clock     -                               (the runtime's clock stalls: returns the
//                                              calling thread's previous reading)
//   getpeername ENOBUFS                       (the check that a connect completed)
//   alloc     ENOMEM                          (operator new throws std::bad_alloc; see below)
// alloc: a runtime's allocations come from operator new, inside std containers,
// std::thread, shared_ptr and the runtime's own sites alike, so the only hook that sees
// them all is a replaced global operator new. The library does not replace it (that
// would change every program built with fault injection, and hide ASan's new/delete
// mismatch checks from every test); a test binary that wants allocation faults links
// tests/fault/alloc_hook.cpp, whose operator new asks injected_fault(sys_call::alloc)
// and throws std::bad_alloc on a fault. It asks only while allocation faults are armed:
// on every thread, or only on the threads a test marked (alloc_hook.hpp), so that
// GoogleTest's own allocations and those of unrelated threads are left alone.
// EAGAIN is never injected on a socket: under edge-triggered epoll it would claim "no
// data" for a socket that has some, and no new edge would ever come (a hang the kernel
// cannot produce).
#pragma once

#include <cstdint>
#include <string_view>

namespace goro::detail::platform {

enum class sys_call : unsigned {
  mmap, mprotect, epoll_ctl, accept4, socket, read, write, futex, clock, getpeername, alloc, count
};

#ifdef GORO_FAULT_INJECTION
inline constexpr bool kFaultInjection = true;
// 0, or the errno this call must fail with (for clock: nonzero means "stall").
int injected_fault(sys_call c) noexcept;
// The runtime's clock under the plan (see "clock" above).
std::int64_t faulty_now_ns() noexcept;

// Test control.
void faults_configure(std::string_view plan);  // GORO_FAULTS syntax; "" clears; throws
                                               // std::invalid_argument on a bad plan
// Fails the `count` calls of one kind that come after the next `after` calls.
void faults_force(sys_call c, int err, std::uint32_t count, std::uint32_t after = 0);
void faults_clear() noexcept;
std::uint64_t faults_injected(sys_call c) noexcept;  // since the last configure/clear
#else
inline constexpr bool kFaultInjection = false;
constexpr int injected_fault(sys_call) noexcept { return 0; }
#endif

}  // namespace goro::detail::platform

// Stack-overflow detection and process limits. See signals.hpp.
#include "sched/signals.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>

#include <cstdint>
#include <cstring>

#include "platform/stack_allocator.hpp"
#include "sched/fatal.hpp"
#include "sched/worker.hpp"
#include "platform/syscalls.hpp"

namespace goro::detail {

namespace {
constexpr std::size_t kAltStackSize = 64 * 1024;
struct sigaction previous_segv, previous_bus;

bool is_overflow(goroutine* g, const siginfo_t* info, const void* uctx) {
  if (!g || !g->stack.lo) return false;
  std::size_t page = platform::stack_allocator::instance().page_size();
  if (g->stack.overflow_address(info->si_addr, page)) return true;
#if defined(__x86_64__)
  // A fault whose stack pointer is already below the stack is an overflow too.
  auto* uc = static_cast<const ucontext_t*>(uctx);
  auto sp = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  auto lo = reinterpret_cast<std::uintptr_t>(g->stack.lo);
  return sp < lo && sp + 16 * page >= lo;
#else
  (void)uctx;
  return false;
#endif
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  worker* w = current_worker();
  goroutine* g = w ? w->current : nullptr;
  if (is_overflow(g, info, uctx)) stack_overflow(g);
  // Not ours: hand it to whoever was installed before (a sanitizer, or the default).
  const struct sigaction& prev = sig == SIGSEGV ? previous_segv : previous_bus;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction) {
      prev.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  signal(sig, SIG_DFL);  // re-executing the faulting instruction now dumps core
}
}  // namespace

void install_signal_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = &on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &previous_segv);
  sigaction(SIGBUS, &sa, &previous_bus);
}

void* install_alt_stack() {
  void* mem = platform::sys::mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  stack_t ss{};
  ss.ss_sp = mem;
  ss.ss_size = kAltStackSize;
  sigaltstack(&ss, nullptr);
  return mem;
}

void raise_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace goro::detail

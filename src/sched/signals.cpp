// Stack-overflow detection and process limits. See signals.hpp.
#include "sched/signals.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "platform/stack_allocator.hpp"
#include "sched/fatal.hpp"
#include "sched/worker.hpp"
#include "platform/syscalls.hpp"

namespace goro::detail {

namespace {
// What runs here is on_fault, stack_overflow's write and _exit, or the previous handler
// (a sanitizer's report): 64 KiB, or more if the kernel's signal frame needs it (AMX).
std::size_t alt_stack_size() {
  long wanted = 0;
#ifdef _SC_SIGSTKSZ  // glibc 2.34+
  wanted = sysconf(_SC_SIGSTKSZ);
#endif
  return std::max<std::size_t>(64 * 1024, wanted > 0 ? static_cast<std::size_t>(wanted) : 0);
}
struct sigaction previous_segv, previous_bus;

// A fault anywhere in the running goroutine's guard region is its overflow: a frame of up
// to the region's size that jumped past the stack's end lands there (stack_allocator.hpp).
bool is_overflow(goroutine* g, const siginfo_t* info, const void* uctx) {
  if (!g || !g->stack.lo) return false;
  if (g->stack.overflow_address(info->si_addr)) return true;
#if defined(__x86_64__)
  // So is a fault while the stack pointer is already in the guard region.
  auto* uc = static_cast<const ucontext_t*>(uctx);
  return g->stack.overflow_address(reinterpret_cast<const void*>(uc->uc_mcontext.gregs[REG_RSP]));
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
  std::size_t size = alt_stack_size();
  void* mem = platform::sys::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  stack_t ss{};
  ss.ss_sp = mem;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(mem, size);
    return nullptr;
  }
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

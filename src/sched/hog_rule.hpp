// The rule by which sysmon takes the slot of a worker that has run one goroutine for
// kHogNs of wall time (scheduler::retake_hogs). Wall time alone is not evidence: on an
// oversubscribed or virtual machine a thread can sit runnable without a CPU for that
// long, and another thread for its slot would only compete for the same CPU (measured in
// the soak on the 2-core VM: ~8 such hand-offs a second, each thread found runnable with
// no CPU time at all, the thread count growing with them). So the slot is taken when the
// goroutine has had kHogCpuNs of CPU since it was first seen running (a real hog), or
// when its thread sleeps in the kernel (a blocking call not wrapped in goro::blocking);
// not while the thread is runnable but not running.
#pragma once

#include <cstdint>

namespace goro::detail {

inline constexpr std::int64_t kHogCpuNs = 5'000'000;

// cpu_used_ns: CPU time the thread had since the goroutine was first seen running, or
// -1 if the thread's CPU clock cannot be read (then wall time decides, as before).
// state(): the thread's state letter from /proc ('R', 'S', 'D', ... or '?'), read only
// when the CPU time does not decide.
template <class State>
bool should_retake(std::int64_t cpu_used_ns, State&& state) {
  if (cpu_used_ns < 0 || cpu_used_ns >= kHogCpuNs) return true;
  char s = state();
  return s == 'S' || s == 'D' || s == '?';
}

}  // namespace goro::detail

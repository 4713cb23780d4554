// Goroutine stack memory.
//
// Every stack has a guard region of kGuardBytes (64 KiB) just below its usable range, in
// addition to it (a default stack is 256 KiB usable, settled detail 11, in a stride of
// 320 KiB). The guard is address space only: one madvise or mprotect covers it whatever
// its size and nothing touches it, so it costs no memory and no more map entries than a
// one-page guard. It is that wide because stacks do not grow and frames are not always
// probed: code built without -fstack-clash-protection (goro::goro gives its users that
// flag) moves the stack pointer past the end of the stack by a whole frame before its
// first write. A frame of up to 64 KiB then still faults inside the guard, which the
// SIGSEGV handler (src/sched/signals.cpp) reports as the goroutine's overflow, instead of
// writing into the stack below (settled detail 27).
//
// Default-size stacks are carved from large slab mappings (MAP_NORESERVE: address space
// only; a page costs memory when first touched). The guard is made with:
//   1. madvise(MADV_GUARD_INSTALL) where the kernel has it (Linux 6.13+): a guard that
//      does not split the mapping, so a million guarded stacks cost a few thousand
//      /proc/self/maps entries;
//   2. else mprotect(PROT_NONE), which splits the mapping (two map entries per stack),
//      within a budget taken from vm.max_map_count (or set by GORO_STACK_GUARD_BUDGET);
//   3. past the budget, no guard but a canary word at the stack's lowest address,
//      checked at every switch, and a one-time warning naming vm.max_map_count; or, with
//      GORO_STACK_GUARD=required, no stack at all (the caller stops the process).
// Freed default-size stacks are pooled for reuse (per P in src/sched/processor.hpp, then
// here), still resident ("warm"): freeing costs no system call. scavenge(), which sysmon
// calls every kScavengePeriodNs, returns to the kernel (MADV_DONTNEED) the memory of
// the warm stacks beyond kKeepResident that stayed unused for a whole period (below the
// pool's low-water mark since the last scavenge), sorted by address and merged into one
// call per run of adjacent stacks (guards in between are kept: MADV_GUARD_INSTALL
// markers survive DONTNEED, and PROT_NONE pages hold nothing); their address space stays
// pooled ("cold") for reuse, warm first. One madvise per freed stack, as before, cost a
// TLB shootdown IPI each: 24% of W10's CPU when 100,000 goroutines exited at once.
// Stacks of another size (goro::stack_size) get a mapping of their own, unmapped when
// freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "platform/adaptive_mutex.hpp"

namespace goro::detail::platform {

inline constexpr std::uint64_t kStackCanary = 0x676f726f5354414bULL;  // "goroSTAK"
// The guard region below every stack (see above); a multiple of any page size.
inline constexpr std::size_t kGuardBytes = 64 * 1024;

struct stack {
  char* lo = nullptr;  // lowest usable byte; the guard region (kGuardBytes) is just below
  char* hi = nullptr;  // one past the highest byte: where the stack starts
  bool guarded = false;
  bool pooled = false;  // default size, from a slab
  std::size_t size() const noexcept { return static_cast<std::size_t>(hi - lo); }
  bool canary_intact() const noexcept {
    return guarded || *reinterpret_cast<const std::uint64_t*>(lo) == kStackCanary;
  }
  // True if addr is in this stack's guard region: a fault there, or a stack pointer
  // there, is this stack's overflow. Async-signal-safe.
  bool overflow_address(const void* addr) const noexcept {
    auto a = reinterpret_cast<std::uintptr_t>(addr);
    auto l = reinterpret_cast<std::uintptr_t>(lo);
    return a < l && a >= l - kGuardBytes;
  }
};

enum class guard_mode { madvise_guard, mprotect, none };
enum class alloc_result { ok, no_memory, no_guard };

class stack_allocator {
 public:
  static constexpr std::size_t kKeepResident = 256;
  static constexpr std::int64_t kScavengePeriodNs = 500'000'000;

  static stack_allocator& instance();

  // Default stack size in usable bytes (>= 16 KiB, page multiple); the guard is extra.
  void set_default_size(std::size_t bytes);
  std::size_t default_size() const noexcept { return default_size_; }
  // The usable size that a request of `bytes` (0 = default) gets.
  std::size_t round_size(std::size_t bytes) const noexcept;
  // Before the first allocate(): with required, a stack that cannot have a guard is
  // refused (no_guard) instead of getting a canary; with an mprotect_budget, the
  // allocator behaves as on a kernel without MADV_GUARD_INSTALL whose vm.max_map_count
  // leaves room for that many mprotect guards (GORO_STACK_GUARD_BUDGET, for tests).
  void set_guard_policy(bool required, std::optional<std::size_t> mprotect_budget);

  // A stack of round_size(bytes) usable bytes; no_memory if the mapping failed,
  // no_guard if guards are required and it could have none (guard_error() says why).
  alloc_result allocate(stack& out, std::size_t bytes);
  void release(stack& s) noexcept;
  // Moves up to n pooled stacks into out (for a per-P cache); returns how many.
  std::size_t take_pooled(stack* out, std::size_t n);
  void give_pooled(const stack* in, std::size_t n) noexcept;
  // Why the last allocate() returned no_guard, for a "fatal error: " line.
  const char* guard_error() const noexcept { return guard_error_; }

  // Releases the memory of warm stacks idle for a whole period (see above); returns how
  // many. Called by sysmon; tests call it directly. Never allocates more than a list of
  // the stacks it returns (and skips its turn when even that fails).
  std::size_t scavenge() noexcept;
  // True if scavenge() may have work: more warm stacks than kKeepResident.
  bool has_excess() const noexcept;

  guard_mode mode() const noexcept { return mode_; }
  std::size_t page_size() const noexcept { return page_; }
  std::size_t pooled_count() const noexcept;  // warm + cold, for tests
  std::size_t warm_count() const noexcept;
  // Default-size stacks carved so far, and the address space of their slabs (stats).
  std::size_t carved_count() const noexcept;
  std::size_t reserved_bytes() const noexcept;

 private:
  stack_allocator();
  bool carve_from_slab(stack& out);
  bool map_single(stack& out, std::size_t size);
  bool install_guard(char* guard);
  bool take_one(stack& out) noexcept;  // under mu_: warm first, then cold
  void release_memory(std::vector<stack>& v) noexcept;

  std::size_t page_;
  std::size_t default_size_;
  guard_mode mode_ = guard_mode::madvise_guard;
  bool guard_required_ = false;
  std::size_t max_map_count_;
  std::size_t mprotect_budget_;   // mprotect guards allowed at once
  std::size_t mprotect_guards_ = 0;  // mprotect guards in place
  int guard_errno_ = 0;           // of a failed MADV_GUARD_INSTALL other than EINVAL
  char guard_error_[256] = {};

  mutable adaptive_mutex mu_;
  // Each has capacity for every carved stack (reserved when a slab is mapped), so that
  // release() and give_pooled() never allocate.
  std::vector<stack> warm_;  // resident; the most recently freed at the back
  std::vector<stack> cold_;  // memory returned to the kernel
  std::size_t low_water_ = 0;  // fewest warm stacks since the last scavenge
  std::size_t carved_ = 0;
  std::size_t slab_bytes_ = 0;
  char* slab_next_ = nullptr;  // next unused stride in the current slab
  char* slab_end_ = nullptr;
};

}  // namespace goro::detail::platform

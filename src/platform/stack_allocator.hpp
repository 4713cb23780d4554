// Goroutine stack memory.
//
// Default-size stacks are carved from large slab mappings (MAP_NORESERVE: address space
// only; a page costs memory when first touched), each with a guard page below it:
//   1. madvise(MADV_GUARD_INSTALL) where the kernel has it (Linux 6.13+): a guard that
//      does not split the mapping, so a million guarded stacks cost a few thousand
//      /proc/self/maps entries;
//   2. else mprotect(PROT_NONE), which splits the mapping (two map entries per stack),
//      within a budget taken from vm.max_map_count;
//   3. past the budget, no guard page but a canary word at the stack's lowest address,
//      checked at every switch, and a one-time warning.
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
#include <vector>

#include "platform/adaptive_mutex.hpp"

namespace goro::detail::platform {

inline constexpr std::uint64_t kStackCanary = 0x676f726f5354414bULL;  // "goroSTAK"

struct stack {
  char* lo = nullptr;  // lowest usable byte; the guard page (if any) is just below
  char* hi = nullptr;  // one past the highest byte: where the stack starts
  bool guarded = false;
  bool pooled = false;  // default size, from a slab
  std::size_t size() const noexcept { return static_cast<std::size_t>(hi - lo); }
  bool canary_intact() const noexcept {
    return guarded || *reinterpret_cast<const std::uint64_t*>(lo) == kStackCanary;
  }
  // True if addr is in this stack's guard page or just below its usable range.
  bool overflow_address(const void* addr, std::size_t page) const noexcept;
};

enum class guard_mode { madvise_guard, mprotect, none };

class stack_allocator {
 public:
  static constexpr std::size_t kKeepResident = 256;
  static constexpr std::int64_t kScavengePeriodNs = 500'000'000;

  static stack_allocator& instance();

  // Default stack size in bytes of address space, guard included (>= 16 KiB, page multiple).
  void set_default_size(std::size_t bytes);
  std::size_t default_size() const noexcept { return default_size_; }
  // The stack size that a request of `bytes` (0 = default) gets.
  std::size_t round_size(std::size_t bytes) const noexcept;

  // A stack of round_size(bytes) bytes. False if no memory could be had.
  bool allocate(stack& out, std::size_t bytes);
  void release(stack& s) noexcept;
  // Moves up to n pooled stacks into out (for a per-P cache); returns how many.
  std::size_t take_pooled(stack* out, std::size_t n);
  void give_pooled(const stack* in, std::size_t n) noexcept;

  // Releases the memory of warm stacks idle for a whole period (see above); returns how
  // many. Called by sysmon; tests call it directly.
  std::size_t scavenge();
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
  bool install_guard(char* guard_page);
  bool take_one(stack& out) noexcept;  // under mu_: warm first, then cold
  void release_memory(std::vector<stack>& v) noexcept;

  std::size_t page_;
  std::size_t default_size_;
  guard_mode mode_ = guard_mode::madvise_guard;
  std::size_t mprotect_budget_;
  bool warned_unguarded_ = false;

  mutable adaptive_mutex mu_;
  std::vector<stack> warm_;  // resident; the most recently freed at the back
  std::vector<stack> cold_;  // memory returned to the kernel
  std::size_t low_water_ = 0;  // fewest warm stacks since the last scavenge
  std::size_t carved_ = 0;
  std::size_t slab_bytes_ = 0;
  char* slab_next_ = nullptr;  // next unused stride in the current slab
  char* slab_end_ = nullptr;
};

}  // namespace goro::detail::platform

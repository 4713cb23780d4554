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
// here); past kKeepResident pooled stacks the memory of each further one is returned to
// the kernel (MADV_DONTNEED) while its address space stays for reuse. Stacks of another
// size (goro::stack_size) get a mapping of their own, unmapped when freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

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

  guard_mode mode() const noexcept { return mode_; }
  std::size_t page_size() const noexcept { return page_; }
  std::size_t pooled_count() const noexcept;  // for tests

 private:
  stack_allocator();
  bool carve_from_slab(stack& out);
  bool map_single(stack& out, std::size_t size);
  bool install_guard(char* guard_page);
  void pool_one(const stack& s) noexcept;

  std::size_t page_;
  std::size_t default_size_;
  guard_mode mode_ = guard_mode::madvise_guard;
  std::size_t mprotect_budget_;
  bool warned_unguarded_ = false;

  mutable std::mutex mu_;
  std::vector<stack> pool_;
  char* slab_next_ = nullptr;  // next unused stride in the current slab
  char* slab_end_ = nullptr;
};

}  // namespace goro::detail::platform

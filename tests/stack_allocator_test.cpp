// Tests for goroutine stack memory: sizes, guard pages, pooling, returning memory.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "platform/stack_allocator.hpp"

namespace {
using goro::detail::platform::alloc_result;
using goro::detail::platform::guard_mode;
using goro::detail::platform::stack;
using goro::detail::platform::stack_allocator;

std::size_t maps_lines() {
  std::ifstream f("/proc/self/maps");
  std::string line;
  std::size_t n = 0;
  while (std::getline(f, line)) ++n;
  return n;
}

// True if the page at p is resident (mincore).
bool resident(const void* p) {
  unsigned char v = 0;
  auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto a = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
  if (mincore(reinterpret_cast<void*>(a), page, &v) != 0) return false;
  return v & 1;
}

// Settled detail 27: an overflowing frame of up to 64 KiB must land in the guard region.
constexpr std::size_t kGuardRegion = 64 * 1024;

TEST(StackAllocator, DefaultStacksHaveTheConfiguredSize) {
  auto& a = stack_allocator::instance();
  EXPECT_EQ(a.default_size(), 256u * 1024) << "settled detail 11";
  stack s;
  ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
  EXPECT_EQ(s.size(), a.default_size()) << "the guard region comes in addition";
  EXPECT_TRUE(s.pooled);
  std::memset(s.lo, 0xab, s.size());  // the whole usable range is writable
  a.release(s);
}

TEST(StackAllocator, CustomSizesAreAtLeastWhatWasAsked) {
  auto& a = stack_allocator::instance();
  stack s;
  ASSERT_EQ(a.allocate(s, 1 << 20), alloc_result::ok);
  EXPECT_GE(s.size(), 1u << 20);
  EXPECT_FALSE(s.pooled);
  s.hi[-1] = 1;
  s.lo[0] = 1;
  a.release(s);
  EXPECT_EQ(s.lo, nullptr);
}

TEST(StackAllocator, AGuardRegionOf64KiBIsBelowEachStack) {
  auto& a = stack_allocator::instance();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Two default stacks held at once (one is likely just below the other: the neighbour
  // a jumping frame would write into), and a stack of its own mapping.
  std::vector<stack> v(3);
  ASSERT_EQ(a.allocate(v[0], 0), alloc_result::ok);
  ASSERT_EQ(a.allocate(v[1], 0), alloc_result::ok);
  ASSERT_EQ(a.allocate(v[2], 128 * 1024), alloc_result::ok);
  for (stack& s : v) {
    if (!s.guarded) GTEST_SKIP() << "no guard pages available";
    EXPECT_TRUE(s.overflow_address(s.lo - 1));
    EXPECT_TRUE(s.overflow_address(s.lo - kGuardRegion));
    EXPECT_FALSE(s.overflow_address(s.lo - kGuardRegion - 1));
    EXPECT_FALSE(s.overflow_address(s.lo));
    EXPECT_FALSE(s.overflow_address(s.hi - 8));
    for (std::size_t below : {std::size_t{1}, kGuardRegion / 2, kGuardRegion}) {
      volatile char* p = s.lo - below;
      EXPECT_DEATH(*p = 1, "") << below << " bytes below the stack";
    }
    a.release(s);
  }
}

TEST(StackAllocator, ManyGuardedStacksDoNotSplitTheMapping) {
  auto& a = stack_allocator::instance();
  if (a.mode() != guard_mode::madvise_guard) GTEST_SKIP() << "kernel without MADV_GUARD_INSTALL";
  std::size_t before = maps_lines();
  std::vector<stack> v(20000);
  for (auto& s : v) ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
  for (auto& s : v) EXPECT_TRUE(s.guarded);
  // 20,000 stacks in slabs of 256: ~80 mappings, not 40,000.
  EXPECT_LT(maps_lines() - before, 200u);
  for (auto& s : v) a.release(s);
}

TEST(StackAllocator, FreeingIsCheapAndTheScavengerReturnsIdleStacks) {
  auto& a = stack_allocator::instance();
  std::vector<stack> v(stack_allocator::kKeepResident * 2);
  for (auto& s : v) {
    ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
    s.hi[-1] = 7;  // touch the top page
  }
  std::vector<char*> tops;
  for (auto& s : v) tops.push_back(s.hi - 1);
  std::size_t pooled_before = a.pooled_count();
  for (auto& s : v) a.release(s);
  EXPECT_EQ(a.pooled_count(), pooled_before + v.size());
  std::size_t still = 0;
  for (char* t : tops) still += resident(t);
  EXPECT_EQ(still, v.size()) << "freeing a stack must not return its memory at once";
  // The first scavenge sees the low-water mark of the period in which they were all in
  // use; the next one releases what stayed idle for its whole period, beyond the budget.
  a.scavenge();
  EXPECT_GE(a.scavenge(), v.size() - stack_allocator::kKeepResident);
  EXPECT_EQ(a.warm_count(), stack_allocator::kKeepResident);
  EXPECT_EQ(a.pooled_count(), pooled_before + v.size()) << "address space stays pooled";
  std::size_t returned = 0;
  for (char* t : tops) returned += !resident(t);
  EXPECT_GE(returned, v.size() - stack_allocator::kKeepResident);
}

TEST(StackAllocator, StacksInUseDuringAPeriodAreNotScavenged) {
  auto& a = stack_allocator::instance();
  std::vector<stack> v(stack_allocator::kKeepResident * 2);
  for (auto& s : v) ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
  for (auto& s : v) a.release(s);
  a.scavenge();
  a.scavenge();  // now exactly kKeepResident warm, the rest cold
  std::size_t warm = a.warm_count();
  // Take every warm stack and some cold ones, and give them back within one period.
  for (auto& s : v) ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
  for (auto& s : v) a.release(s);
  EXPECT_EQ(a.scavenge(), 0u) << "the pool's low-water mark was at zero this period";
  EXPECT_GE(a.warm_count(), warm);
}

TEST(StackAllocator, AScavengedStackKeepsItsGuardPage) {
  auto& a = stack_allocator::instance();
  std::vector<stack> v(stack_allocator::kKeepResident * 2);
  for (auto& s : v) ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
  for (auto& s : v) a.release(s);
  a.scavenge();
  a.scavenge();
  while (a.warm_count() > 0) {  // drain the warm ones so the next stack is a cold one
    stack s;
    ASSERT_EQ(a.allocate(s, 0), alloc_result::ok);
    v.push_back(s);
  }
  stack cold;
  ASSERT_EQ(a.allocate(cold, 0), alloc_result::ok);
  if (!cold.guarded) {
    EXPECT_TRUE(cold.canary_intact()) << "the canary must be rewritten after DONTNEED";
  } else {
    cold.hi[-1] = 1;  // usable
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(*reinterpret_cast<volatile char*>(cold.lo - 1) = 1, "");
    EXPECT_DEATH(*reinterpret_cast<volatile char*>(cold.lo - kGuardRegion) = 1, "");
  }
  a.release(cold);
  for (std::size_t i = stack_allocator::kKeepResident * 2; i < v.size(); ++i) a.release(v[i]);
}

TEST(StackAllocator, CanaryIsCheckedForUnguardedStacks) {
  stack s;
  std::vector<std::uint64_t> mem(64, 0);
  s.lo = reinterpret_cast<char*>(mem.data());
  s.hi = s.lo + mem.size() * 8;
  s.guarded = false;
  mem[0] = goro::detail::platform::kStackCanary;
  EXPECT_TRUE(s.canary_intact());
  mem[0] = 0;
  EXPECT_FALSE(s.canary_intact());
}

}  // namespace

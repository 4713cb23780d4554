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

TEST(StackAllocator, DefaultStacksHaveTheConfiguredSize) {
  auto& a = stack_allocator::instance();
  stack s;
  ASSERT_TRUE(a.allocate(s, 0));
  EXPECT_EQ(s.size() + a.page_size(), a.default_size());
  EXPECT_TRUE(s.pooled);
  std::memset(s.lo, 0xab, s.size());  // the whole usable range is writable
  a.release(s);
}

TEST(StackAllocator, CustomSizesAreAtLeastWhatWasAsked) {
  auto& a = stack_allocator::instance();
  stack s;
  ASSERT_TRUE(a.allocate(s, 1 << 20));
  EXPECT_GE(s.size(), 1u << 20);
  EXPECT_FALSE(s.pooled);
  s.hi[-1] = 1;
  s.lo[0] = 1;
  a.release(s);
  EXPECT_EQ(s.lo, nullptr);
}

TEST(StackAllocator, GuardPageIsBelowEachStack) {
  auto& a = stack_allocator::instance();
  stack s;
  ASSERT_TRUE(a.allocate(s, 0));
  if (!s.guarded) GTEST_SKIP() << "no guard pages available";
  EXPECT_TRUE(s.overflow_address(s.lo - 1, a.page_size()));
  EXPECT_TRUE(s.overflow_address(s.lo - a.page_size(), a.page_size()));
  EXPECT_FALSE(s.overflow_address(s.lo, a.page_size()));
  EXPECT_FALSE(s.overflow_address(s.hi - 8, a.page_size()));
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  char* guard = s.lo - 1;
  EXPECT_DEATH(*reinterpret_cast<volatile char*>(guard) = 1, "");
  a.release(s);
}

TEST(StackAllocator, ManyGuardedStacksDoNotSplitTheMapping) {
  auto& a = stack_allocator::instance();
  if (a.mode() != guard_mode::madvise_guard) GTEST_SKIP() << "kernel without MADV_GUARD_INSTALL";
  std::size_t before = maps_lines();
  std::vector<stack> v(20000);
  for (auto& s : v) ASSERT_TRUE(a.allocate(s, 0));
  for (auto& s : v) EXPECT_TRUE(s.guarded);
  // 20,000 stacks in slabs of 256: ~80 mappings, not 40,000.
  EXPECT_LT(maps_lines() - before, 200u);
  for (auto& s : v) a.release(s);
}

TEST(StackAllocator, PoolKeepsAFewResidentAndReturnsTheRest) {
  auto& a = stack_allocator::instance();
  std::vector<stack> v(stack_allocator::kKeepResident * 2);
  for (auto& s : v) {
    ASSERT_TRUE(a.allocate(s, 0));
    s.hi[-1] = 7;  // touch the top page
  }
  std::vector<char*> tops;
  for (auto& s : v) tops.push_back(s.hi - 1);
  std::size_t pooled_before = a.pooled_count();
  for (auto& s : v) a.release(s);
  EXPECT_EQ(a.pooled_count(), pooled_before + v.size());
  // Pages of the stacks pooled beyond the resident budget were given back.
  std::size_t returned = 0;
  for (char* t : tops) returned += !resident(t);
  EXPECT_GE(returned, stack_allocator::kKeepResident - pooled_before);
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

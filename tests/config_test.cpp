// Tests for the environment settings' parsers (GORO_MAXPROCS, GORO_STACK_SIZE).
#include <gtest/gtest.h>

#include "sched/config.hpp"

namespace {
using goro::detail::parse_maxprocs;
using goro::detail::parse_size;

TEST(Config, Maxprocs) {
  EXPECT_EQ(parse_maxprocs("1"), 1);
  EXPECT_EQ(parse_maxprocs("16"), 16);
  EXPECT_EQ(parse_maxprocs("5000"), 1024);  // capped
  EXPECT_FALSE(parse_maxprocs("0"));
  EXPECT_FALSE(parse_maxprocs("-2"));
  EXPECT_FALSE(parse_maxprocs("two"));
  EXPECT_FALSE(parse_maxprocs("4x"));
  EXPECT_FALSE(parse_maxprocs(""));
}

TEST(Config, Sizes) {
  EXPECT_EQ(parse_size("65536"), 65536u);
  EXPECT_EQ(parse_size("256K"), 256u * 1024);
  EXPECT_EQ(parse_size("1M"), 1024u * 1024);
  EXPECT_EQ(parse_size("2m"), 2u * 1024 * 1024);
  EXPECT_EQ(parse_size("1G"), 1024u * 1024 * 1024);
  EXPECT_FALSE(parse_size("0"));
  EXPECT_FALSE(parse_size("K"));
  EXPECT_FALSE(parse_size("12Q"));
  EXPECT_FALSE(parse_size("-1M"));
  EXPECT_FALSE(parse_size("99999999999G"));
}

TEST(Config, Counts) {  // GORO_STACK_GUARD_BUDGET
  using goro::detail::parse_count;
  EXPECT_EQ(parse_count("0"), 0u);
  EXPECT_EQ(parse_count("28000"), 28000u);
  EXPECT_FALSE(parse_count(""));
  EXPECT_FALSE(parse_count("-1"));
  EXPECT_FALSE(parse_count("4K"));
}

TEST(Config, DefaultMaxprocsIsTheAffinityMask) { EXPECT_GE(goro::detail::default_maxprocs(), 1); }

}  // namespace

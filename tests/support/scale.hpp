// Test sizes: full in a plain build, scaled down under sanitizers (TSan keeps a shadow per
// fiber and is ~10x slower; ASan's fake stacks cost memory per goroutine).
#pragma once

#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define GORO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORO_TEST_ASAN 1
#endif
#endif
#if GORO_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GORO_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GORO_TEST_SANITIZED 1
#endif
#endif

namespace goro::test {

#if GORO_TEST_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// n in a plain build, n / divisor (at least 1) under a sanitizer.
constexpr std::int64_t scaled(std::int64_t n, std::int64_t divisor = 50) {
  return kSanitized ? (n / divisor > 0 ? n / divisor : 1) : n;
}

// A fixed seed per test, printed by the test on failure, overridable with GORO_TEST_SEED.
std::uint64_t seed_from_env(std::uint64_t fallback);

}  // namespace goro::test

#include <cstdlib>
inline std::uint64_t goro::test::seed_from_env(std::uint64_t fallback) {
  const char* s = std::getenv("GORO_TEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : fallback;
}

// Large frames for tests/stack_guard_test.cpp: a call whose frame holds a local array of a
// given size, made near the bottom of the running goroutine's stack, so that the frame
// crosses the stack's lowest usable byte by almost its whole size. The array's lowest byte
// is written first, as a memset or a read() into a local buffer does: code built without
// -fstack-clash-protection touches nothing between the caller's frame and that byte (a
// "jump"), code built with it probes every page on the way down.
//
// The two entry points are the same code compiled twice: stack_guard_frames_probed.cpp
// with the flags goro::goro gives its users, stack_guard_frames_unprobed.cpp with
// -fno-stack-clash-protection (tests/CMakeLists.txt). The helpers below sit in an unnamed
// namespace so that each file keeps its own copy, compiled with its own flags.
#pragma once

#include <cstddef>

#include "sched/worker.hpp"

namespace goro::test {

// Each overflows the calling goroutine's stack with one frame of kib KiB (8, 16, 32 or 60).
int big_frame_near_the_bottom_probed(std::size_t kib);
int big_frame_near_the_bottom_unprobed(std::size_t kib);
// Recursion with 16 KiB frames until the stack is exhausted (the report).
int recurse_with_16k_frames_probed(int depth);
int recurse_with_16k_frames_unprobed(int depth);

namespace {

// The array's address escapes (as a buffer handed to read() does), so the compiler must
// give the frame the whole array: clang otherwise keeps only the bytes it sees used.
inline void escape(volatile char* p) { asm volatile("" : : "r"(p) : "memory"); }

template <std::size_t Bytes>
__attribute__((noinline)) int big_frame(int seed) {
  volatile char frame[Bytes];
  frame[0] = static_cast<char>(seed);  // the lowest byte first
  escape(frame);
  return frame[0];
}

__attribute__((noinline)) int call_big_frame(std::size_t kib, int seed) {
  switch (kib) {
    case 8: return big_frame<8 * 1024>(seed);
    case 16: return big_frame<16 * 1024>(seed);
    case 32: return big_frame<32 * 1024>(seed);
    case 60: return big_frame<60 * 1024>(seed);
  }
  return -1;
}

// Small frames down to within kMargin bytes of the stack's lowest usable byte, then the
// big frame: its lowest byte lands about (kib KiB - kMargin) below the usable range.
constexpr std::ptrdiff_t kMargin = 512;

__attribute__((noinline)) int descend_then_call(const char* lo, std::size_t kib) {
  volatile char here[64];
  here[0] = 1;
  escape(here);
  if (const_cast<const char*>(&here[0]) - lo > kMargin) return descend_then_call(lo, kib) + here[0];
  return call_big_frame(kib, here[0]) + here[0];
}

inline int big_frame_near_the_bottom(std::size_t kib) {
  return descend_then_call(goro::detail::current_worker()->current->stack.lo, kib);
}

__attribute__((noinline)) int recurse_with_16k_frames(int depth) {
  volatile char buf[16 * 1024];
  buf[0] = static_cast<char>(depth);
  escape(buf);
  return recurse_with_16k_frames(depth + 1) + buf[0];
}

}  // namespace
}  // namespace goro::test

// The large frames of stack_guard_frames.hpp, built with -fno-stack-clash-protection
// (tests/CMakeLists.txt): a large frame's first write jumps straight past the stack's end,
// as in code whose builder did not take goro's flags.
#include "stack_guard_frames.hpp"

namespace goro::test {
int big_frame_near_the_bottom_unprobed(std::size_t kib) { return big_frame_near_the_bottom(kib); }
int recurse_with_16k_frames_unprobed(int depth) { return recurse_with_16k_frames(depth); }
}  // namespace goro::test

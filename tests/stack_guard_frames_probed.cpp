// The large frames of stack_guard_frames.hpp, built with goro::goro's flags
// (-fstack-clash-protection: every page of a large frame is probed on the way down).
#include "stack_guard_frames.hpp"

namespace goro::test {
int big_frame_near_the_bottom_probed(std::size_t kib) { return big_frame_near_the_bottom(kib); }
int recurse_with_16k_frames_probed(int depth) { return recurse_with_16k_frames(depth); }
}  // namespace goro::test

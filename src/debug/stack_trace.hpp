// Stack traces of parked goroutines, for dumps and the deadlock report.
//
// A parked goroutine's registers are in its saved Boost.Context frame (x86-64 SysV:
// R12-R15, RBX, RBP and the return address at fixed offsets; RSP just above it), and its
// frames are on its own stack. The goroutine may resume on another thread while a dump
// reads it, so the walk never touches the live stack: the used part of the stack is
// copied first, the copy is kept only if the goroutine was parked at the same point
// (same park count and saved context) before and after the copy, and libunwind then
// unwinds the copy through a private address space whose memory reads are answered from
// the copy or from the loaded binaries' own segments and nothing else. A walk therefore
// never faults and never sees a half-written frame; at worst it stops early.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace goro::detail {

struct goroutine;

struct stack_frame {
  std::uintptr_t pc = 0;
  std::string function;  // demangled, or "?" when the symbol is unknown
  std::uintptr_t offset = 0;
  std::string module;    // the binary or shared library holding pc
  std::uintptr_t module_offset = 0;  // of the call site in that file (for addr2line -e)
};

// The frames of g if it is parked (empty if it is not, or if it moved while being read),
// innermost first, at most max_frames.
std::vector<stack_frame> parked_stack(const goroutine& g, int max_frames = 64);

// The calling thread's own frames, innermost first, starting after the frame that threw
// the exception in flight (__cxa_throw) when there is one: what a panic shows.
std::vector<stack_frame> current_stack(int max_frames = 64);

// True where this build can walk stacks (x86-64 with libunwind).
bool stack_traces_supported() noexcept;

}  // namespace goro::detail

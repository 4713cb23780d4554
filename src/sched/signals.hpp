// Process-level setup done when the runtime starts: the SIGSEGV/SIGBUS handler that turns
// a fault in the running goroutine's guard region (stack_allocator.hpp) into "goroutine N
// stack overflow" (it runs on an alternate signal stack, which every worker thread, the
// only threads that run goroutines, installs when it starts: the faulting stack is
// unusable), and raising the soft descriptor limit to the hard one (as Go 1.19 does).
#pragma once

namespace goro::detail {

void install_signal_handlers();
// Gives the calling worker thread an alternate signal stack; returns its memory (null if
// none could be had).
void* install_alt_stack();
void raise_file_limit();
// SIGQUIT prints every goroutine to stderr and exits 2 (src/debug/dump.cpp).
void install_quit_dump();

}  // namespace goro::detail

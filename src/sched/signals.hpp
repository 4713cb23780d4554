// Process-level setup done when the runtime starts: the SIGSEGV/SIGBUS handler that turns
// a touch of a goroutine's guard page into "goroutine N stack overflow" (it runs on a
// per-worker alternate signal stack, since the faulting stack is unusable), and raising
// the soft descriptor limit to the hard one (as Go 1.19 does).
#pragma once

namespace goro::detail {

void install_signal_handlers();
// Gives the calling worker thread an alternate signal stack; returns its memory.
void* install_alt_stack();
void raise_file_limit();
// SIGQUIT prints every goroutine to stderr and exits 2 (src/debug/dump.cpp).
void install_quit_dump();

}  // namespace goro::detail

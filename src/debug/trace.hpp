// The execution trace (GORO_TRACE=file.json): goroutine create, run, park/yield/exit and
// ready events, each with its worker and time, written as Chrome/Perfetto trace JSON
// (open it in https://ui.perfetto.dev or chrome://tracing; tools/trace/trace2svg.py draws
// it offline): one timeline per worker, a slice per run of a goroutine (named g<id>,
// with why it ended), an arrow from the goroutine that readied another to that one's next
// run, and a mark where each goroutine was created.
//
// Cost: with GORO_TRACE unset every hook is one predictable branch on a flag set before
// the workers start. With it set, each worker appends to its own ring of the latest
// kRingEvents events (bounded memory: older events are overwritten) under a lock only
// the writer of the file also takes; the file is written when a run() main returns and
// at exit.
#pragma once

#include <cstdint>

#include "goro/detail/park.hpp"

namespace goro::detail {

struct goroutine;
struct worker;

extern bool trace_enabled;  // written once, before any worker starts

enum class trace_kind : std::uint8_t { create, begin, yield, park, exit, ready };

void trace_record(worker* w, trace_kind k, const goroutine* g, std::uint64_t other,
                  wait_reason reason) noexcept;

// g was just created (its parent is g's parent_id). Nothing is computed when tracing is off.
inline void trace_create(worker* w, const goroutine* g) noexcept {
  if (__builtin_expect(trace_enabled, 0)) trace_record(w, trace_kind::create, g, 0, wait_reason::none);
}
// g was made runnable by w's current goroutine (none: a plain thread, a timer, the poller).
inline void trace_ready(worker* w, const goroutine* g) noexcept {
  if (__builtin_expect(trace_enabled, 0)) trace_record(w, trace_kind::ready, g, 0, wait_reason::none);
}

// Reads GORO_TRACE (once, at runtime start) and arms the exit-time writer.
void trace_start();
// Writes the trace file now (no-op when tracing is off).
void trace_flush() noexcept;

}  // namespace goro::detail

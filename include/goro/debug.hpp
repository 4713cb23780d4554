// goro diagnostics: what every goroutine is doing, and the runtime's counters.
//
//   goro::dump(std::cerr);        // every goroutine, as Go's SIGQUIT dump prints them:
//                                 //   goroutine 7 [chan receive, 2 minutes]:
//                                 //   created by main::lambda in goroutine 1
//                                 //   	/src/app.cpp:42
//   auto gs = goro::goroutines(); // the same as data (id, state, wait reason, how long,
//                                 // creation site, parent)
//   goro::runtime_stats s = goro::stats();
//
// SIGQUIT prints the dump to stderr and exits with status 2 (Go's behaviour); dump()
// never exits. Both are snapshots taken while goroutines keep running (nothing is
// stopped): each goroutine's line is read field by field, so one that starts, parks or
// exits meanwhile may show its old or its new state. "How long" is measured from a
// coarse per-P clock (a few ms of resolution). Each waiting goroutine's stack trace is
// included (unwound from a validated copy of its stack). Callable from goroutines and
// plain threads; before the runtime has started there is nothing to list.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace goro {

struct goroutine_info {
  std::uint64_t id = 0;
  std::string state;        // "runnable", "running" or "waiting"
  std::string wait_reason;  // Go's names ("chan receive", "sleep", "sync.Mutex.Lock", ...)
  std::chrono::nanoseconds waiting{0};  // how long it has been waiting (0 unless waiting)
  std::string created_by;   // the function that called go()
  std::string file;         // ... and where
  unsigned line = 0;
  std::uint64_t parent_id = 0;  // the goroutine that created it, 0 for a plain thread
  // A waiting goroutine's frames, innermost first ("function +0xoffset"), read from its
  // saved context (empty if it is not waiting, if it moved while being read, or in a
  // build without libunwind).
  std::vector<std::string> stack;
};

// Every live goroutine, by id.
std::vector<goroutine_info> goroutines();

// Writes every live goroutine in Go's dump format; a waiting one with its stack trace,
// each frame as "function +0xoffset" then "\t<binary>+0x<call site>" (give those to
// `addr2line -Cfe <binary> <call site>` for file:line).
void dump(std::ostream& os);

struct runtime_stats {
  std::size_t goroutines = 0;  // live: runnable + running + waiting
  std::size_t runnable = 0;
  std::size_t running = 0;
  std::size_t waiting = 0;
  int procs = 0;                          // GOMAXPROCS
  std::vector<std::size_t> local_queue;   // per P: goroutines in its run queue + runnext
  std::size_t global_queue = 0;
  std::uint64_t steals = 0;               // successful steals, all Ps, since start
  std::uint64_t parks = 0;                // goroutine parks, all Ps, since start
  std::size_t timers = 0;                 // pending timer entries, all Ps
  std::size_t stacks_in_use = 0;          // default-size stacks held by goroutines
  std::size_t stacks_pooled = 0;          // ... and kept for reuse (resident + returned)
  std::size_t stack_bytes_reserved = 0;   // address space of all default-size stacks
  std::size_t poller_fds = 0;             // descriptors registered with the poller
  int threads = 0;                        // worker threads started (one per P ever made)
  std::uint64_t hog_handoffs = 0;         // slots sysmon took from a goroutine running 10 ms
  std::uint64_t blocking_handoffs = 0;    // slots handed on by goro::blocking
};

runtime_stats stats();

}  // namespace goro

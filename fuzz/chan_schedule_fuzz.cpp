// Fuzzes channels, select, mutex and timers against chan_model, a sequential model of
// Go's semantics. The bytes (chan_schedule_decode.h) become 2-4 worker goroutines, four
// channels (each nil, unbuffered or buffered with capacity 1-3), one or two mutexes and
// a schedule of ops, each for a worker or for the conductor (run()'s main goroutine).
// With GORO_MAXPROCS=1 the conductor hands one op at a time to its worker and lets
// every other goroutine run until all are parked again (settle), so the real run and
// the model see the same order; its own channel ops it runs back to back, before the
// goroutines they wake have run. After each op it checks that:
//  - an op the model says completes does, with an outcome the model allows (the value
//    received: FIFO per channel, nothing lost or duplicated; try_* results; default
//    only when nothing is ready; closed_channel for send/close on a closed channel,
//    goro::panic for close of nil; nullopt from a closed, drained channel), and one it
//    says blocks stays blocked until the model says it is woken, with what it allows;
//  - every channel's size() and capacity() match the model's buffer;
//  - ops check themselves where they can (chan_exec.h: a refused try_send keeps its
//    value, panics carry Go's messages, timers follow Go 1.23's stop/reset rules).
// It never issues what would block forever (a nil channel, a select of nil cases) and
// at the end unlocks every mutex and closes every channel, which wakes every blocked
// worker, drains the buffers (every value whose send completed is received exactly
// once), stops the workers and checks that no goroutine is left behind. Any failure
// prints the schedule so far and aborts. Select's random choice is goro's own, so a
// finding may need a few runs of its input to reproduce. CHAN_SCHEDULE_TRACE=1 prints
// every schedule as it ran (to read a corpus file: harness -runs=1 file).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chan_exec.h"
#include "chan_model.h"
#include "chan_schedule_decode.h"
#include "goro/goro.hpp"

namespace {

using chan_model::op;
using chan_model::op_kind;
using chan_model::outcome;
using chan_model::result;
using std::chrono::microseconds;
using clock = std::chrono::steady_clock;

struct worker {
  goro::chan<int> cmd = goro::make_chan<int>();  // closed: exit
  std::atomic<bool> done{true};                  // the last op handed over has completed
  op current;
  outcome out;
  std::string failure;
};

struct harness {
  explicit harness(const chan_schedule::schedule& s)
      : model(s.capacities, s.mutexes, s.workers + 1) {
    for (int cap : s.capacities)
      world.chans.push_back(cap < 0 ? chan_exec::channel() : goro::make_chan<chan_exec::value>(static_cast<std::size_t>(cap)));
    for (int i = 0; i < s.mutexes; ++i) world.mutexes.push_back(std::make_unique<goro::mutex>());
    for (int g = 0; g <= s.workers; ++g) workers.push_back(std::make_unique<worker>());  // [0]: the conductor, unused
  }

  chan_exec::world world;
  chan_model::model model;
  std::vector<std::unique_ptr<worker>> workers;
  goro::wait_group exited;
  std::set<long> sent, received;
  std::vector<std::string> log;
  std::vector<int> unchecked;  // woken, not yet checked

  [[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "chan_schedule_fuzz: %s\nschedule so far (goroutine: op -> outcome):\n", why.c_str());
    for (const std::string& line : log) std::fprintf(stderr, "  %s\n", line.c_str());
    std::fflush(stderr);
    std::abort();
  }

  // The scheduler's counts, for a failure that may be timing.
  static std::string sched_state() {
    const goro::runtime_stats st = goro::stats();
    return " (scheduler: " + std::to_string(st.running) + " running, " + std::to_string(st.runnable) + " runnable, " +
           std::to_string(st.threads) + " threads, " + std::to_string(st.hog_handoffs) + " hog and " +
           std::to_string(st.blocking_handoffs) + " blocking hand-offs)";
  }

  // Lets every other goroutine run until all are parked again (and the op handed to g,
  // if it is to complete, has: it may be waiting for a timer meanwhile). None runnable is
  // not enough: when sysmon hands the one P to another thread (a hog hand-off: the
  // conductor held it 10 ms), a woken goroutine may be running there.
  void settle(int g, bool expect_done) {
    const auto limit = clock::now() + std::chrono::seconds(2);
    for (;;) {
      const bool issuer_done = g == 0 || !expect_done || workers[static_cast<std::size_t>(g)]->done.load(std::memory_order_acquire);
      const goro::runtime_stats st = goro::stats();
      if (issuer_done && st.runnable == 0 && st.running <= 1) return;  // running: the conductor
      if (clock::now() > limit) fail("did not settle within 2 s: an op the model says completes is still blocked" + sched_state());
      if (st.runnable > 0) goro::yield();
      else goro::sleep(microseconds(5));
    }
  }

  // A real outcome matches an allowed one; a select's closed_channel does not say which
  // send case panicked (index -1).
  static bool matches(const op& o, const outcome& got, const outcome& want) {
    if (o.kind == op_kind::select && got.what == result::closed_panic && got.index < 0)
      return want.what == result::closed_panic;
    return got == want;
  }

  outcome check_outcome(int g, const op& o, const outcome& got, const std::string& failure,
                        const std::vector<outcome>& allowed) {
    std::string line = std::to_string(g) + ": " + o.describe() + " -> " + got.describe();
    log.push_back(line);
    if (!failure.empty()) fail("goroutine " + std::to_string(g) + ": " + failure);
    for (const outcome& want : allowed) {
      if (!matches(o, got, want)) continue;
      record(o, want);
      return want;
    }
    std::string options;
    for (const outcome& want : allowed) options += " " + want.describe() + ";";
    fail("goroutine " + std::to_string(g) + ": " + got.describe() + " is not what the model allows:" + options);
  }

  void record(const op& o, const outcome& out) {
    if (out.what == result::value && !received.insert(out.value).second)
      fail("value " + std::to_string(out.value) + " received twice");
    if (out.what != result::done) return;
    if (o.kind == op_kind::send || o.kind == op_kind::try_send) sent.insert(o.value);
    if (o.kind == op_kind::select && o.slots[static_cast<std::size_t>(out.index)].kind == chan_model::slot::send)
      sent.insert(o.slots[static_cast<std::size_t>(out.index)].value);
  }

  // Every worker's done flag says what the model says (blocked or not), every channel's
  // size and capacity are the model's.
  void check_state() {
    for (std::size_t g = 1; g < workers.size(); ++g) {
      const bool done = workers[g]->done.load(std::memory_order_acquire);
      if (model.blocked(static_cast<int>(g)) == done)
        fail("goroutine " + std::to_string(g) + (done ? " completed an op the model has blocked" : " is blocked, the model says not"));
    }
    check_sizes();
  }

  void check_sizes() {
    for (std::size_t c = 0; c < world.chans.size(); ++c) {
      const int i = static_cast<int>(c);
      if (world.chans[c].size() != model.buffered(i) || world.chans[c].capacity() != static_cast<std::size_t>(model.capacity(i)))
        fail("channel c" + std::to_string(c) + ": size " + std::to_string(world.chans[c].size()) + ", capacity " +
             std::to_string(world.chans[c].capacity()) + "; the model has " + std::to_string(model.buffered(i)) +
             " of " + std::to_string(model.capacity(i)));
    }
  }

  // Settles, then checks every goroutine woken since the last check against what the
  // model allows it (which the model then fixes), and the whole state.
  void settle_and_check() {
    settle(0, false);
    for (int woken : unchecked) {
      worker& w = *workers[static_cast<std::size_t>(woken)];
      if (!w.done.load(std::memory_order_acquire)) fail("goroutine " + std::to_string(woken) + " was not woken" + sched_state());
      log.push_back("  woken:");
      model.checked(woken, check_outcome(woken, w.current, w.out, w.failure, model.woken_outcomes(woken)));
    }
    unchecked.clear();
    check_state();
  }

  // Channel ops that never wait for a timer: the conductor may run them back to back.
  static bool channel_op(const op& o) {
    if (o.kind <= op_kind::close) return true;
    if (o.kind != op_kind::select) return false;
    for (const chan_model::slot& s : o.slots)
      if (s.kind == chan_model::slot::timer) return false;
    return true;
  }

  // One op, by worker g or (g == 0) the conductor itself.
  void step(int g, const op& o) {
    if (o.kind == op_kind::unlock && !model.can_unlock(o.mutex)) return;  // fatal in goro, as in Go
    if (g != 0 && model.blocked(g)) g = 0;  // that worker is busy: the conductor takes the op
    std::vector<outcome> allowed = model.immediate(o);
    if (allowed.empty() && (g == 0 || model.blocks_forever(o))) return;  // the conductor never blocks
    // The conductor's channel ops run back to back, before the goroutines they woke get to
    // run (goro must then skip a woken select's other waiters, and hand over values with
    // the wakee still runnable); anything else starts from a settled state. Checking the
    // woken may fix which value a select moved into a buffer: ask the model again.
    const bool back_to_back = g == 0 && channel_op(o);
    if (!back_to_back) {
      settle_and_check();
      allowed = model.immediate(o);
    }
    outcome got;
    std::string failure;
    if (g == 0) {
      got = chan_exec::execute(world, o, failure);
    } else {
      worker& w = *workers[static_cast<std::size_t>(g)];
      w.current = o;
      w.failure.clear();
      w.done.store(false, std::memory_order_release);
      if (!w.cmd.try_send(1)) fail("worker " + std::to_string(g) + " is not waiting for an op");
      settle(g, !allowed.empty());
      if (allowed.empty()) {
        log.push_back(std::to_string(g) + ": " + o.describe() + " -> blocks");
        if (w.done.load(std::memory_order_acquire)) fail("goroutine " + std::to_string(g) + " completed an op that must block: " + w.out.describe());
        model.block(g, o);
        check_state();
        return;
      }
      got = w.out;
      failure = w.failure;
    }
    model.complete(g, o, check_outcome(g, o, got, failure, allowed));
    for (int woken : model.take_woken()) unchecked.push_back(woken);
    if (back_to_back) check_sizes();  // moved under the channel locks already
    else settle_and_check();
  }

  // Unlocks, closes and drains everything; then every worker is idle and can stop.
  void finish() {
    log.push_back("-- cleanup --");
    for (std::size_t m = 0; m < model.mutexes(); ++m) {
      op u;
      u.kind = op_kind::unlock;
      u.mutex = static_cast<int>(m);
      while (model.can_unlock(u.mutex)) step(0, u);
    }
    for (std::size_t c = 0; c < model.channels(); ++c) {
      op x;
      x.kind = op_kind::close;
      x.chan = static_cast<int>(c);
      if (!model.is_nil(x.chan) && !model.is_closed(x.chan)) step(0, x);
    }
    settle_and_check();
    for (std::size_t g = 1; g < workers.size(); ++g)
      if (model.blocked(static_cast<int>(g))) fail("goroutine " + std::to_string(g) + " still blocked after every channel closed");
    for (std::size_t c = 0; c < model.channels(); ++c) {
      op r;
      r.kind = op_kind::recv;
      r.chan = static_cast<int>(c);
      if (model.is_nil(r.chan)) continue;
      while (model.buffered(r.chan) != 0) step(0, r);
      step(0, r);  // closed and drained: nullopt
    }
    settle_and_check();
    if (sent != received) fail("the values received are not the values sent");
  }
};

void worker_main(harness* h, int g) {
  worker& me = *h->workers[static_cast<std::size_t>(g)];
  while (me.cmd.recv()) {
    me.out = chan_exec::execute(h->world, me.current, me.failure);
    me.done.store(true, std::memory_order_release);
  }
  h->exited.done();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // One worker: goroutines run one at a time, so the schedule is the conductor's.
  setenv("GORO_MAXPROCS", "1", 1);
  goro::set_maxprocs(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const chan_schedule::schedule s = chan_schedule::decode(data, size);
  goro::run([&s] {
    harness h(s);
    h.exited.add(s.workers);
    for (int g = 1; g <= s.workers; ++g) goro::go(worker_main, &h, g);
    h.settle(0, false);
    for (const auto& [g, o] : s.ops) h.step(g, o);
    h.finish();
    if (std::getenv("CHAN_SCHEDULE_TRACE"))
      for (const std::string& line : h.log) std::fprintf(stderr, "  %s\n", line.c_str());
    for (int g = 1; g <= s.workers; ++g) h.workers[static_cast<std::size_t>(g)]->cmd.close();
    h.exited.wait();
  });
  // run() returns when main does; its goroutine and the workers' are gone soon after.
  const auto limit = clock::now() + std::chrono::seconds(2);
  while (goro::num_goroutines() != 0) {
    if (clock::now() > limit) {
      std::fprintf(stderr, "chan_schedule_fuzz: %zu goroutines left behind\n", goro::num_goroutines());
      std::abort();
    }
    std::this_thread::sleep_for(microseconds(20));
  }
  return 0;
}

// data_race: many goroutines add to one counter. Without synchronisation that is a data
// race: two workers read the same old value, both add one, both write it back, and one
// increment is lost (in C++ a data race is undefined behaviour, whatever it happens to
// do). Two fixes: a goro::mutex around the increment (share memory, but one at a time),
// and a channel to the one goroutine that owns the counter (Go's proverb: do not
// communicate by sharing memory; share memory by communicating).
//
//   data_race            the two fixes; each must count exactly goroutines x increments
//   data_race --racy     the racy version only: in a ThreadSanitizer build TSan reports
//                        "WARNING: ThreadSanitizer: data race"; elsewhere the count is
//                        printed, and may or may not show lost updates on a given run
//   --goroutines=8 --increments=1000000
#include <goro/goro.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "measure.hpp"

namespace {

struct sizes {
  long goroutines, increments;
  long expected() const { return goroutines * increments; }
};

// Not inlined, so that each call is a separate load, add and store of the counter (an
// optimiser could otherwise fold a whole loop of them into one addition).
[[gnu::noinline]] void increment(long& counter) { ++counter; }

// Starts s.goroutines copies of body and waits for them all.
template <class Body>
void in_parallel(const sizes& s, Body body) {
  goro::wait_group wg;
  wg.add(static_cast<int>(s.goroutines));
  for (long g = 0; g < s.goroutines; ++g)
    goro::go([&] {
      body();
      wg.done();
    });
  wg.wait();
}

long racy(const sizes& s) {
  long counter = 0;  // a plain integer: nothing orders the goroutines' accesses
  // A race needs two goroutines running at the same moment, on two workers: the first two
  // wait for each other, spinning without yielding, so the second cannot run on the
  // first one's worker (one that yields would let them take turns there, in order).
  std::atomic<long> arrived{0};
  const long together = std::min(2L, s.goroutines);
  in_parallel(s, [&] {
    arrived.fetch_add(1);
    while (arrived.load() < together) {
    }
    for (long i = 0; i < s.increments; ++i) increment(counter);
  });
  return counter;
}

long with_mutex(const sizes& s) {
  long counter = 0;
  goro::mutex mu;  // guards counter
  in_parallel(s, [&] {
    for (long i = 0; i < s.increments; ++i) {
      std::lock_guard lk(mu);
      increment(counter);
    }
  });
  return counter;
}

long with_channel(const sizes& s) {
  auto adds = goro::make_chan<long>(64);
  auto total = goro::make_chan<long>();
  goro::go([adds, total] {  // the owner: the only goroutine that touches counter
    long counter = 0;
    for (long n : adds) counter += n;
    total.send(counter);
  });
  in_parallel(s, [&] {
    for (long i = 0; i < s.increments; ++i) adds.send(1);
  });
  adds.close();
  return *total.recv();
}

}  // namespace

int main(int argc, char** argv) {
  const sizes s{example::flag_value(argc, argv, "--goroutines", 8),
                example::flag_value(argc, argv, "--increments", 1000000)};
  const bool racy_only = example::has_flag(argc, argv, "--racy");
  return goro::run([&] {
    // A race needs two workers: on one, goroutines take turns and never overlap.
    if (racy_only && goro::maxprocs() < 2) goro::set_maxprocs(2);
    std::printf("%ld goroutines x %ld increments on %d workers: expected %s\n", s.goroutines, s.increments,
                goro::maxprocs(), example::grouped(s.expected()).c_str());
    if (racy_only) {
      long n = racy(s);
      std::printf("racy counter:    %s (%s lost; a data race may lose any number, or none on a given run)\n",
                  example::grouped(n).c_str(), example::grouped(s.expected() - n).c_str());
      return 0;
    }
    int failures = 0;
    auto report = [&](const char* how, long n) {
      bool exact = n == s.expected();
      std::printf("%-16s %s %s\n", how, example::grouped(n).c_str(), exact ? "(exact)" : "WRONG");
      failures += !exact;
    };
    report("goro::mutex:", with_mutex(s));
    report("channel owner:", with_channel(s));
    if (failures) return 1;
    std::printf("data_race: ok\n");
    return 0;
  });
}

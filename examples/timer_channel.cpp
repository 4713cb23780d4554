// timer_channel: a goroutine reports when it is done by sending on a channel. One
// goroutine sleeps (standing for any slow job: a download, a query) and then sends the
// time it finished; meanwhile main does work of its own; then main receives the value,
// waiting only if the sleeper is not done yet, and prints both times.
//
// Shows: a channel is both the result and the synchronisation: the receive returns
// once the value is there, so main needs no flag, no lock and no polling. The two
// activities overlap: the total is about the longer of the two, not their sum.
//
//   timer_channel [--sleep-ms=200] [--work-ms=120]
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>

#include "measure.hpp"

using example::steady;

namespace {

// Main's own work meanwhile: counts primes by trial division until `budget` has passed.
long count_primes_for(std::chrono::milliseconds budget) {
  auto stop = steady::now() + budget;
  long found = 0;
  for (long n = 2; steady::now() < stop; ++n) {
    bool prime = true;
    for (long d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    found += prime;
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  const std::chrono::milliseconds sleep_for{example::flag_value(argc, argv, "--sleep-ms", 200)};
  const std::chrono::milliseconds work_for{example::flag_value(argc, argv, "--work-ms", 120)};
  return goro::run([&] {
    const steady::time_point start = steady::now();
    auto finished_at = [&](steady::time_point t) {
      return std::chrono::duration<double, std::milli>(t - start).count();
    };

    auto done = goro::make_chan<steady::time_point>();  // unbuffered: a hand-over
    goro::go([done, sleep_for] {
      goro::sleep(sleep_for);
      done.send(steady::now());  // "I finished at ..."
    });

    long primes = count_primes_for(work_for);
    const steady::time_point main_done = steady::now();
    std::printf("main:    counted %ld primes, done at %6.1f ms\n", primes, finished_at(main_done));

    const steady::time_point sleeper_done = *done.recv();  // waits only if the sleeper is still asleep
    const steady::time_point received = steady::now();
    std::printf("sleeper: slept %lld ms,          done at %6.1f ms\n", static_cast<long long>(sleep_for.count()),
                finished_at(sleeper_done));
    std::printf("main received it at %.1f ms: the two overlapped (one after the other: %lld ms)\n",
                finished_at(received), static_cast<long long>((sleep_for + work_for).count()));

    // What must hold whatever the machine's speed: the sleeper slept its whole time, and
    // main received its value no earlier than it was sent.
    if (sleeper_done - start < sleep_for || received < sleeper_done) {
      std::printf("FAILED: the times are out of order\n");
      return 1;
    }
    std::printf("timer_channel: ok\n");
    return 0;
  });
}

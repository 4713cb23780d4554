// join_points: main must wait for the goroutines whose work it needs. goro::run(main),
// like Go's main, returns as soon as main returns: it does not wait for the goroutines
// main started, and those still running when the process exits are simply abandoned.
// A wait_group is the join point: add(1) per goroutine, done() in each, wait() in main.
//
// Shows the same ten workers (each "works" 20 ms, then counts itself finished) twice:
//   without a join point: main returns at once, having seen few or none of them finish
//                         (how many depends on timing, so it is printed, not checked);
//   with a wait_group:    main returns after all ten, every time.
// The counter is a std::atomic with static storage, so the abandoned goroutines of the
// first part may still touch it safely after main has returned (they would not be safe
// with a counter in main's stack frame, which is gone by then).
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

namespace {

constexpr int kWorkers = 10;
std::atomic<int> finished_unjoined{0};
std::atomic<int> finished_joined{0};

void work(std::atomic<int>& finished) {
  goro::sleep(20ms);  // stands for real work that takes a while
  finished.fetch_add(1);
}

}  // namespace

int main() {
  // 1. No join point: run() returns when main does, with the workers still asleep.
  int seen = goro::run([] {
    for (int i = 0; i < kWorkers; ++i) goro::go([] { work(finished_unjoined); });
    return finished_unjoined.load();  // main ends here: nothing waits for the workers
  });
  std::printf("without a join point: main returned having seen %d of %d workers finish\n", seen, kWorkers);

  // 2. A wait_group: main returns only after every worker called done().
  seen = goro::run([] {
    goro::wait_group wg;
    for (int i = 0; i < kWorkers; ++i) {
      wg.add(1);  // before go(): wait() must not see a zero that is about to grow
      goro::go([&wg] {
        work(finished_joined);
        wg.done();  // last: once the count reaches zero, wg (in main's frame) may go away
      });
    }
    wg.wait();
    return finished_joined.load();
  });
  std::printf("with a wait_group:    main returned having seen %d of %d workers finish\n", seen, kWorkers);
  std::printf("meanwhile %d of part 1's workers finished too: nobody waited, nobody stopped them\n",
              finished_unjoined.load());
  if (seen != kWorkers) {
    std::printf("FAILED: the wait_group did not wait for every worker\n");
    return 1;
  }
  std::printf("join_points: ok\n");
  return 0;  // whatever is left of part 1 is abandoned here, as in Go
}

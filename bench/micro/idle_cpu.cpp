// idle_cpu: the CPU an idle goro runtime burns. Starts the runtime with WORKERS workers
// (default 8), runs a burst of goroutines so every worker has been busy, lets it go idle,
// then measures process CPU time (getrusage) over IDLE_SECONDS seconds (default 5) of idleness.
// Prints: RESULT goro idle cpu_ms_per_s <value> ms(workers=W)
#include <goro/goro.hpp>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

static double cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main() {
  const char* w = std::getenv("WORKERS");
  const char* s = std::getenv("IDLE_SECONDS");
  int workers = w ? std::atoi(w) : 8;
  int seconds = s ? std::atoi(s) : 5;
  goro::set_maxprocs(workers);
  goro::run([] {
    goro::wait_group wg;
    wg.add(10000);
    for (int i = 0; i < 10000; ++i) goro::go([&] { wg.done(); });
    wg.wait();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  double before = cpu_ms();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double used = cpu_ms() - before;
  std::printf("RESULT goro idle cpu_ms_per_s %.3f ms(workers=%d)\n", used / seconds, workers);
}

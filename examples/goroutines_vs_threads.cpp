// goroutines_vs_threads: why a program can afford a goroutine per task where it could not
// afford a thread per task. Measured side by side on this machine (the measurements are
// goroutine_thread_costs.hpp, shared with goro_tour):
//   1. starting and finishing 100,000 of each (threads 1,000 at a time);
//   2. memory: 100,000 goroutines parked at once vs 10,000 threads blocked at once, the
//      resident memory (RSS) and the address space (VmSize) each one adds;
//   3. the cost of a switch: two goroutines handing a value back and forth over
//      unbuffered channels, vs two threads taking turns with a condition variable;
//   4. stacks: what each reserves (a thread: ulimit -s, 8 MiB; a goroutine: 256 KiB by
//      default, GORO_STACK_SIZE) against what a parked one really touches (its RSS).
// Figures are printed, never checked: they depend on the machine and its load.
//
//   goroutines_vs_threads [--quick] [--goroutines=100000] [--threads=100000]
//                         [--parked-threads=10000]
#include <goro/goro.hpp>

#include <sys/resource.h>

#include <cstdio>

#include "goroutine_thread_costs.hpp"
#include "measure.hpp"

namespace {

double mib(long kib) { return static_cast<double>(kib) / 1024; }

}  // namespace

int main(int argc, char** argv) {
  const bool quick = example::has_flag(argc, argv, "--quick");
  const long goroutines = example::flag_value(argc, argv, "--goroutines", quick ? 2000 : 100000);
  const long threads = example::flag_value(argc, argv, "--threads", quick ? 200 : 100000);
  const long batch = quick ? 50 : 1000;
  const long parked_threads = example::flag_value(argc, argv, "--parked-threads", quick ? 100 : 10000);
  const long round_trips = quick ? 2000 : 200000;
  return goro::run([&] {
    std::printf("goroutines vs threads, %d workers (GORO_MAXPROCS)\n", goro::maxprocs());

    std::printf("\n1. start and finish (each adds to an atomic counter)\n");
    example::spawn_cost g = example::spawn_goroutines(goroutines);
    example::spawn_cost t = example::spawn_threads(threads, batch);
    std::printf("   goroutines %9s in %9.1f ms: %9.0f ns each\n", example::grouped(g.count).c_str(), g.ms, g.ns_each());
    std::printf("   threads    %9s in %9.1f ms: %9.0f ns each (%s alive at a time)   %.0fx\n",
                example::grouped(t.count).c_str(), t.ms, t.ns_each(), example::grouped(batch).c_str(),
                t.ns_each() / g.ns_each());

    std::printf("\n2. memory while parked, all alive at once\n");
    example::parked_cost pt = example::park_threads(parked_threads);  // threads first: see the header
    example::parked_cost pg = example::park_goroutines(goroutines);
    std::printf(
        "   threads    %9s parked: RSS %+8.1f MiB (%6.1f KiB each), address space %+9.1f MiB (%7.1f KiB each)\n",
        example::grouped(pt.count).c_str(), mib(pt.rss_kib), pt.rss_bytes_each() / 1024, mib(pt.vm_kib),
        pt.vm_bytes_each() / 1024);
    std::printf(
        "   goroutines %9s parked: RSS %+8.1f MiB (%6.1f KiB each), address space %+9.1f MiB (%7.1f KiB each)\n",
        example::grouped(pg.count).c_str(), mib(pg.rss_kib), pg.rss_bytes_each() / 1024, mib(pg.vm_kib),
        pg.vm_bytes_each() / 1024);

    std::printf("\n3. a switch from one to the other (a value handed back and forth, %s round trips)\n",
                example::grouped(round_trips).c_str());
    double gs = example::goroutine_switch_ns(round_trips);
    double ts = example::thread_switch_ns(round_trips / 10);
    std::printf("   goroutines, unbuffered channels, 1 worker:         %8.1f ns per switch\n", gs);
    std::printf("   threads, mutex + condition variable, 1 CPU:        %8.1f ns per switch   %.0fx\n", ts, ts / gs);

    std::printf("\n4. stacks: reserved vs used\n");
    rlimit stack_limit{};
    getrlimit(RLIMIT_STACK, &stack_limit);
    std::printf("   thread:    %6.0f KiB of stack reserved (ulimit -s: %ld KiB); a parked one adds %.1f KiB of RSS\n",
                static_cast<double>(example::thread_stack_bytes()) / 1024,
                static_cast<long>(stack_limit.rlim_cur / 1024), pt.rss_bytes_each() / 1024);
    std::printf(
        "   goroutine: %6.0f KiB of address space (its stack: GORO_STACK_SIZE, default 256 KiB); "
        "a parked one adds %.1f KiB of RSS\n",
        pg.vm_bytes_each() / 1024, pg.rss_bytes_each() / 1024);
    std::printf(
        "   (only touched pages cost memory: a parked goroutine is about one 4 KiB stack page plus\n"
        "    its control block; a thread also has its kernel task and glibc's thread block)\n");
    if (!g.all_ran() || !t.all_ran()) {
      std::printf("FAILED: not every goroutine or thread ran\n");
      return 1;
    }
    std::printf("goroutines_vs_threads: ok (every goroutine and thread ran)\n");
    return 0;
  });
}

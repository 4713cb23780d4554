// concurrent_drivers_vs_parallel_dot: two different reasons to start goroutines.
//   Concurrency is a way to structure a program: an operating system's device drivers
//   (mouse, keyboard, display, disk) are independent activities, each waiting for its
//   own events. As goroutines each is a plain loop over its channel; none knows about
//   the others' timing, and it would be just as right on a single core.
//   Parallelism is a way to make a computation faster: a dot product of two long
//   vectors split into K chunks, one goroutine per chunk, on K cores at once.
// Shows the drivers reacting to a stream of events (the keyboard driver forwards
// characters to the display driver, the disk driver answers a read on a reply channel),
// then the dot product's time with 1 goroutine and with K (default K = GORO_MAXPROCS),
// and the speedup. At most K, and only with K idle cores (2x on a 2-core machine); a dot
// product does one multiply-add per 8 bytes it reads, so when the vectors do not fit in
// the cache the memory bus can be the limit before the cores are.
//
//   concurrent_drivers_vs_parallel_dot [--elements=10000000] [--workers=K]
#include <goro/goro.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "measure.hpp"

namespace {

// --- Concurrency: drivers -------------------------------------------------------------

struct disk_read {
  int block;
  goro::send_chan<std::string> reply;
};

struct devices {
  goro::chan<std::pair<int, int>> mouse = goro::make_chan<std::pair<int, int>>(8);  // moves (dx, dy)
  goro::chan<char> keyboard = goro::make_chan<char>(8);                             // key presses
  goro::chan<std::string> display = goro::make_chan<std::string>(8);                // text to show
  goro::chan<disk_read> disk = goro::make_chan<disk_read>(8);                       // read requests
};

// Each driver: a loop over its own channel until the channel is closed, then done().
void start_drivers(devices& d, goro::wait_group& running) {
  running.add(4);
  goro::go([&d, &running] {
    int x = 0, y = 0;
    for (auto [dx, dy] : d.mouse) {
      x += dx, y += dy;
      std::printf("  mouse driver:    pointer at (%d, %d)\n", x, y);
    }
    running.done();
  });
  goro::go([&d, &running] {
    for (char c : d.keyboard) d.display.send(std::string("typed '") + c + "'");  // echo to the screen
    d.display.close();                                                           // no more keys, nothing more to show
    running.done();
  });
  goro::go([&d, &running] {
    for (const std::string& text : d.display) std::printf("  display driver:  shows %s\n", text.c_str());
    running.done();
  });
  goro::go([&d, &running] {
    for (disk_read r : d.disk) r.reply.send("block " + std::to_string(r.block) + " = \"hello\"");
    running.done();
  });
}

bool run_drivers() {
  std::printf("Concurrency: four drivers, each a goroutine waiting on its own channel\n");
  devices d;
  goro::wait_group running;
  start_drivers(d, running);
  // The "hardware": events arrive in some order; every driver handles its own.
  d.mouse.send({3, 4});
  d.keyboard.send('h');
  auto reply = goro::make_chan<std::string>(1);
  d.disk.send({7, reply});
  d.keyboard.send('i');
  d.mouse.send({-1, 2});
  std::string block = *reply.recv();  // only this request waits for its answer
  std::printf("  disk driver:     answered \"%s\"\n", block.c_str());
  d.mouse.close();
  d.keyboard.close();
  d.disk.close();
  running.wait();  // every driver saw its channel close and returned
  return block == "block 7 = \"hello\"";
}

// --- Parallelism: a dot product over K goroutines -------------------------------------

std::int64_t dot(const std::int32_t* a, const std::int32_t* b, std::size_t n) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::int64_t{a[i]} * b[i];
  return sum;
}

// Splits the vectors into k chunks, one goroutine each; they send their partial sums.
std::int64_t parallel_dot(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b, int k) {
  auto partials = goro::make_chan<std::int64_t>(static_cast<std::size_t>(k));
  const std::size_t chunk = (a.size() + k - 1) / k;
  for (int w = 0; w < k; ++w)
    goro::go([&, w] {
      std::size_t from = std::min(a.size(), w * chunk), to = std::min(a.size(), from + chunk);
      partials.send(dot(a.data() + from, b.data() + from, to - from));
    });
  std::int64_t sum = 0;
  for (int w = 0; w < k; ++w) sum += *partials.recv();
  return sum;
}

// The best of three runs, in ms (the first run also pages the vectors into the cache).
template <class F>
double best_ms(F f) {
  double best = 1e300;
  for (int i = 0; i < 3; ++i) {
    auto t = example::steady::now();
    f();
    best = std::min(best, example::ms_since(t));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const long elements = example::flag_value(argc, argv, "--elements", 10'000'000);
  return goro::run([&] {
    if (!run_drivers()) {
      std::printf("FAILED: the disk driver's answer was wrong\n");
      return 1;
    }

    const int k = static_cast<int>(example::flag_value(argc, argv, "--workers", goro::maxprocs()));
    std::printf("\nParallelism: a dot product of two vectors of %s ints, on %d workers (GORO_MAXPROCS)\n",
                example::grouped(elements).c_str(), goro::maxprocs());
    std::vector<std::int32_t> a(static_cast<std::size_t>(elements)), b(a.size());
    std::iota(a.begin(), a.end(), 0);
    std::fill(b.begin(), b.end(), 2);  // a . b = 2 * (0 + 1 + ... + n-1) = n (n - 1)
    const std::int64_t expected = std::int64_t{elements} * (elements - 1);

    std::int64_t one = 0, many = 0;
    double t1 = best_ms([&] { one = parallel_dot(a, b, 1); });
    double tk = best_ms([&] { many = parallel_dot(a, b, k); });
    std::printf("  1 goroutine:  %8.2f ms\n  %d goroutines: %8.2f ms   speedup %.2fx (ideal: %dx with %d workers)\n",
                t1, k, tk, t1 / tk, std::min(k, goro::maxprocs()), goro::maxprocs());
    if (one != expected || many != expected) {
      std::printf("FAILED: dot product %lld / %lld, expected %lld\n", static_cast<long long>(one),
                  static_cast<long long>(many), static_cast<long long>(expected));
      return 1;
    }
    std::printf("concurrent_drivers_vs_parallel_dot: ok (both sums are %lld)\n", static_cast<long long>(expected));
    return 0;
  });
}

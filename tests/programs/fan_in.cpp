// Program: ranged channels and fan-in (the Go blog's "Pipelines and cancellation"
// merge): each producer sends its numbers and closes its channel; merge starts one
// goroutine per input that copies it to a single output, and closes the output once a
// wait_group says every copier is done; several consumers range over the output.
// Checks the count and the sum of everything received.
#include <goro/goro.hpp>

#include <cstdint>
#include <vector>

#include "program_check.hpp"

namespace {

goro::recv_chan<std::int64_t> produce(std::int64_t from, std::int64_t to) {
  auto out = goro::make_chan<std::int64_t>(16);
  goro::go([=] {
    for (std::int64_t i = from; i < to; ++i) out.send(i);
    out.close();
  });
  return out;
}

goro::recv_chan<std::int64_t> merge(const std::vector<goro::recv_chan<std::int64_t>>& inputs) {
  auto out = goro::make_chan<std::int64_t>(16);
  auto wg = std::make_shared<goro::wait_group>();  // outlives merge(): the closer waits on it
  wg->add(static_cast<int>(inputs.size()));
  for (const auto& in : inputs)
    goro::go([in, out, wg] {
      for (std::int64_t v : in) out.send(v);
      wg->done();
    });
  goro::go([out, wg] {
    wg->wait();
    out.close();
  });
  return out;
}

struct tally {
  std::int64_t count = 0;
  std::int64_t sum = 0;
};

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "fan_in";
    const std::int64_t per_producer = goro_programs::scaled(25'000, 5);
    const int producers = 8, consumers = 4;

    std::vector<goro::recv_chan<std::int64_t>> inputs;
    for (int p = 0; p < producers; ++p) inputs.push_back(produce(p * per_producer, (p + 1) * per_producer));
    goro::recv_chan<std::int64_t> merged = merge(inputs);

    auto tallies = goro::make_chan<tally>();
    for (int c = 0; c < consumers; ++c)
      goro::go([merged, tallies] {
        tally t;
        for (std::int64_t v : merged) {
          ++t.count;
          t.sum += v;
        }
        tallies.send(t);
      });
    tally all;
    for (int c = 0; c < consumers; ++c) {
      tally t = *tallies.recv();
      all.count += t.count;
      all.sum += t.sum;
    }

    const std::int64_t n = producers * per_producer;
    bool ok = true;
    ok &= goro_programs::expect_eq(name, "count", all.count, n);
    ok &= goro_programs::expect_eq(name, "sum", all.sum, n * (n - 1) / 2);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

// daemon: a goroutine that lives as long as its input, a "daemon" in the sense of a
// background service. It copies every value from an input channel to an output channel
// until the input is closed, then closes its output, so whoever reads the output learns
// that the stream ended without any extra signal. The daemon's body is example::relay,
// five lines in relay.hpp (goro_tour uses it too):
//   for (T v : in) out.send(std::move(v));
//   out.close();
//
// Shows: closing a channel is how a producer says "no more"; range-for over a channel
// stops at that close; a daemon that closes its output when its input ends lets such
// stages be chained (main -> daemon -> daemon -> main below), and every stage ends by
// itself, in order, once the first input is closed. Nothing is lost or reordered.
//
//   daemon [--values=1000] [--stages=2]
#include <goro/goro.hpp>

#include <cstdio>

#include "measure.hpp"
#include "relay.hpp"  // the daemon: example::relay(in, out)

int main(int argc, char** argv) {
  const long values = example::flag_value(argc, argv, "--values", 1000);
  const long stages = example::flag_value(argc, argv, "--stages", 2);
  return goro::run([&] {
    // main -> [relay] -> [relay] -> main, each link an unbuffered channel.
    auto first = goro::make_chan<long>();
    goro::chan<long> last = first;
    for (long s = 0; s < stages; ++s) {
      auto next = goro::make_chan<long>();
      goro::go(example::relay<long>, last, next);  // a recv_chan and a send_chan view of the two
      last = next;
    }
    std::printf("%ld daemons between main's producer and main's consumer, %zu goroutines alive\n", stages,
                goro::num_goroutines());

    goro::go([first, values] {  // the producer: values 1..n, then the close
      for (long v = 1; v <= values; ++v) first.send(v);
      std::printf("producer: sent %ld values, closing its channel\n", values);
      first.close();
    });

    long received = 0, expected_next = 1;
    bool in_order = true;
    for (long v : last) {  // ends when the last daemon closes its output
      in_order = in_order && v == expected_next++;
      ++received;
    }
    std::printf("consumer: received %ld values %s; the last daemon closed its output\n", received,
                in_order ? "in order" : "OUT OF ORDER");
    if (received != values || !in_order) {
      std::printf("FAILED: expected 1..%ld\n", values);
      return 1;
    }
    std::printf("daemon: ok\n");
    return 0;
  });
}

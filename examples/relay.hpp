// relay: a goroutine's body that copies every value from one channel to another until the
// first is closed and drained, then closes the second, so that whoever reads the output
// learns the stream ended. Chained, relays make a pipeline whose stages all end by
// themselves, in order, once its first channel is closed. The daemon example is about
// it; goro_tour times values flowing through a chain of them.
//
//   goro::go(example::relay<int>, in, out);   // in: a recv_chan, out: a send_chan
#pragma once

#include <goro/goro.hpp>

#include <utility>

namespace example {

template <class T>
void relay(goro::recv_chan<T> in, goro::send_chan<T> out) {
  for (T v : in) out.send(std::move(v));
  out.close();
}

}  // namespace example

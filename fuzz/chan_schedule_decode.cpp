// chan_schedule_decode: bytes to a schedule (layout in chan_schedule_decode.h).
#include "chan_schedule_decode.h"

namespace chan_schedule {

namespace {

struct reader {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  unsigned next() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
};

constexpr int kDurations[] = {0, -1, 1, 20, 100};

chan_model::slot chan_case(reader& in, long& next_value) {
  unsigned b = in.next();
  chan_model::slot s;
  s.chan = static_cast<int>(b % kChannels);
  if (b & 4) {
    s.kind = chan_model::slot::send;
    s.value = next_value++;
  }
  return s;
}

}  // namespace

schedule decode(const std::uint8_t* data, std::size_t size) {
  using chan_model::op_kind;
  using chan_model::slot;
  reader in{data, size};
  schedule s;
  s.workers = 2 + static_cast<int>(in.next() % 3);
  for (int i = 0; i < kChannels; ++i) {
    unsigned k = in.next() % 5;
    s.capacities.push_back(k == 0 ? -1 : static_cast<int>(k) - 1);
  }
  s.mutexes = 1 + static_cast<int>(in.next() % 2);
  long next_value = 1;
  while (!in.empty() && s.ops.size() < kMaxOps) {
    const unsigned head = in.next();
    const int g = static_cast<int>((head >> 4) % static_cast<unsigned>(s.workers + 1));
    chan_model::op o;
    switch (head & 15) {
      case 0: case 1: o.kind = op_kind::send; break;
      case 2: case 3: case 15: o.kind = op_kind::recv; break;
      case 4: o.kind = op_kind::try_send; break;
      case 5: o.kind = op_kind::try_recv; break;
      case 6: o.kind = op_kind::close; break;
      case 7: case 8: case 9: o.kind = op_kind::select; break;
      case 10: o.kind = op_kind::lock; break;
      case 11: o.kind = op_kind::unlock; break;
      case 12: o.kind = op_kind::try_lock; break;
      case 13: o.kind = op_kind::timer; break;
      default: o.kind = op_kind::yield; break;
    }
    switch (o.kind) {
      case op_kind::send:
      case op_kind::try_send:
        o.value = next_value++;
        [[fallthrough]];
      case op_kind::recv:
      case op_kind::try_recv:
      case op_kind::close:
        o.chan = static_cast<int>(in.next() % kChannels);
        break;
      case op_kind::lock:
      case op_kind::unlock:
      case op_kind::try_lock:
        o.mutex = static_cast<int>(in.next() % static_cast<unsigned>(s.mutexes));
        break;
      case op_kind::timer: {
        unsigned b = in.next();
        o.timer_script = static_cast<int>(b % 4);
        o.duration = kDurations[(b / 4) % 5];
        break;
      }
      case op_kind::select: {
        o.dynamic = (head & 15) == 9;
        const unsigned shape = in.next();
        const int n = 1 + static_cast<int>(shape % 3);
        for (int i = 0; i < n; ++i) o.slots.push_back(chan_case(in, next_value));
        if (!o.dynamic) {
          const unsigned d = shape / 3 % 3;
          if (d == 1) o.slots.insert(o.slots.begin(), slot{slot::default_case});
          if (d == 2) o.slots.push_back(slot{slot::default_case});
        } else {
          unsigned pos = shape >> 5;
          if (shape & 8) {
            o.slots.insert(o.slots.begin() + static_cast<long>(pos % (o.slots.size() + 1)), slot{slot::default_case});
            pos /= 2;
          }
          if (shape & 16) {
            slot t{slot::timer};
            t.duration = kDurations[in.next() % 5];
            o.slots.insert(o.slots.begin() + static_cast<long>(pos % (o.slots.size() + 1)), t);
          }
        }
        break;
      }
      default:
        break;
    }
    s.ops.emplace_back(g, std::move(o));
  }
  return s;
}

}  // namespace chan_schedule

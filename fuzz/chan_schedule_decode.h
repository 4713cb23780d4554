// chan_schedule_decode: turns fuzzer bytes into a chan_schedule_fuzz schedule. Every byte
// string is a valid schedule (missing bytes read as 0), and small edits make small
// changes, so libFuzzer's mutations stay meaningful. Layout:
//   byte 0      workers: 2 + b % 3
//   bytes 1-4   channel i: b % 5 -> nil, unbuffered, capacity 1, 2, 3
//   byte 5      mutexes: 1 + b % 2
//   then ops (at most kMaxOps), each a head byte: goroutine = (b >> 4) % (workers + 1)
//   (0 = the conductor), op = b & 15:
//     0-1 send, 2-3 recv, 15 recv, 4 try_send, 5 try_recv, 6 close   + channel byte (% 4)
//     7-8 select (variadic)   + shape byte (cases 1 + b % 3; default none/first/last by
//                               b / 3 % 3) + a byte per case (channel b % 4, send if b & 4)
//     9 select (select_set)   + shape byte (cases 1 + b % 3, default if b & 8, a timer
//                               case if b & 16, their positions from b >> 5) + a byte per
//                               case + a duration byte if there is a timer case
//     10 lock, 11 unlock, 12 try_lock   + mutex byte
//     13 timer                + byte: script b % 4, duration (b / 4) % 5 of
//                               0, -1, 1, 20, 100 microseconds
//     14 yield
// Each send (or send case) gets a fresh value: 1, 2, 3, ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "chan_model.h"

namespace chan_schedule {

inline constexpr std::size_t kMaxOps = 200;
inline constexpr int kChannels = 4;

struct schedule {
  int workers = 2;
  std::vector<int> capacities;  // -1: nil
  int mutexes = 1;
  std::vector<std::pair<int, chan_model::op>> ops;  // (goroutine, op)
};

schedule decode(const std::uint8_t* data, std::size_t size);

}  // namespace chan_schedule

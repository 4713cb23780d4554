// chan_exec: performs one chan_model::op on real goro channels and mutexes, as the
// goroutine that calls it, and reports what happened as a chan_model::outcome. Values
// are std::unique_ptr<long> (move-only: a value lost or duplicated shows as a leak, a
// double free or a wrong number). What an op can check by itself it checks here and
// reports in `failure` (empty if none): a refused try_send that did not leave its value
// untouched, a panic with another message, a received value that is null, a timer that
// breaks Go 1.23's stop/reset rules, an exception of an unexpected type.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chan_model.h"
#include "goro/goro.hpp"

namespace chan_exec {

using value = std::unique_ptr<long>;
using channel = goro::chan<value>;

struct world {
  std::vector<channel> chans;                     // nil where the model's are nil
  std::vector<std::unique_ptr<goro::mutex>> mutexes;
};

chan_model::outcome execute(world& w, const chan_model::op& o, std::string& failure);

}  // namespace chan_exec

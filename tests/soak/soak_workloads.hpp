// The soak test's workloads. Each runs rounds until `stop` is cancelled; a round starts
// its goroutines, joins every one of them, and checks its invariants (each value sent
// is received exactly once, counters add up) before the next round begins, so when a
// workload returns it has left nothing behind. Randomness comes from `seed` only.
#pragma once

#include <cstdint>

#include <goro/context.hpp>

#include "soak_check.hpp"

namespace soak {

void spawn_churn(const goro::context& stop, counters& c, std::uint64_t seed);     // spawn/exit
void pipelines(const goro::context& stop, counters& c, std::uint64_t seed);       // fan-out/in
void select_timeouts(const goro::context& stop, counters& c, std::uint64_t seed); // select+after
void contended_mutex(const goro::context& stop, counters& c, std::uint64_t seed); // mutex
void timers_tickers(const goro::context& stop, counters& c, std::uint64_t seed);  // time
void context_trees(const goro::context& stop, counters& c, std::uint64_t seed);   // cancel trees
void echo_traffic(const goro::context& stop, counters& c, std::uint64_t seed);    // loopback
void blocking_calls(const goro::context& stop, counters& c, std::uint64_t seed);  // goro::blocking

}  // namespace soak

// Signals as channel values (Go's os/signal):
//
//   auto sigs = goro::make_chan<int>(1);
//   goro::signal_notify(sigs, {SIGINT, SIGTERM});   // each arriving signal is sent on sigs
//   int s = *sigs.recv();
//   goro::signal_stop(sigs);                        // no more deliveries to sigs
//
//   auto [ctx, stop] = goro::signal_context(goro::background(), {SIGINT});
//   ... ctx.done() closes at the first SIGINT; stop() cancels ctx and stops watching ...
//
// Guarantees, as Go's: delivery never blocks the signal's arrival: a channel that is full
// misses the signal (give it a buffer); every channel registered for a signal receives
// it; after signal_stop(c) returns, c receives nothing more; once no channel watches a
// signal any more its previous disposition is restored. While any channel watches a
// signal, a program whose goroutines all wait (one of them for the signal) is not a
// deadlock: the signal can still come. A watched signal is accepted by the runtime's
// delivery thread even where the program blocks it in its own threads. SIGQUIT keeps its dump (see debug.hpp) unless a
// channel asks for it; SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGKILL and SIGSTOP cannot be
// watched (std::invalid_argument), nor can numbers outside 1..64.
#pragma once

#include <initializer_list>
#include <utility>

#include "goro/chan.hpp"
#include "goro/context.hpp"

namespace goro {

void signal_notify(const send_chan<int>& c, std::initializer_list<int> signals);
void signal_stop(const send_chan<int>& c);
// A context cancelled by the first of `signals` (or by calling the cancel_func, which
// also stops watching them). Go's signal.NotifyContext.
std::pair<context, cancel_func> signal_context(const context& parent, std::initializer_list<int> signals);

namespace detail {
// True while a channel watches any signal (the deadlock check asks).
bool signals_watched() noexcept;
}  // namespace detail

}  // namespace goro

// The type-erased select (Go's selectgo), shared by the variadic goro::select and the
// dynamic goro::select_set.
//
//  1. Visit the cases in a fresh random order (so among ready cases each is equally
//     likely), with every involved channel locked in address order (each once, even if
//     it appears in several cases): the first ready case is taken.
//  2. Nothing ready: with a default, take it; otherwise enqueue one waiter per case, all
//     sharing one select_state, and park (the commit unlocks the channels after the
//     switch). The first channel operation to claim the select_state wins.
//  3. Woken: lock the channels again, withdraw the waiters of the other cases, unlock.
//     A claimed case whose element move threw is retried from step 1.
// Nil channels (core == nullptr) never become ready; a select with no cases and no
// default, or with only nil channels, blocks forever.
#pragma once

#include <cstddef>

#include "goro/detail/chan_core.hpp"

namespace goro::detail {

struct select_case_desc {
  chan_core* core = nullptr;  // nil: never ready
  bool is_send = false;
  void* elem = nullptr;       // send: the T to move from; receive: the std::optional<T> to fill
};

// Returns the index of the chosen case, or n if none was ready and has_default is set.
// A chosen receive case's optional is empty if its channel was closed. Throws
// closed_channel for a chosen send case on a closed channel.
std::size_t select_impl(select_case_desc* cases, std::size_t n, bool has_default);

}  // namespace goro::detail

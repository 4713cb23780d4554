// The machine-level context switch: Boost.Context's fcontext (make_fcontext /
// jump_fcontext), its maintained multi-ABI assembly. We use the detail:: layer rather
// than boost::context::fiber: bench/micro/context_switch_bench.cpp measures both at the
// same cost per round trip (11.3 vs 11.6 ns here), but fiber owns its stack and hands a
// new move-only handle across each resume, while the runtime already owns stacks and
// lifetimes and needs to pass a pointer (the switch request) with every jump, which
// jump_fcontext's transfer_t does directly.
//
// jump(to, data) suspends the current context and resumes `to`; the resumed side
// receives {the suspended context, data}. A context must be saved by whoever receives it
// before anything can resume it (see src/sched/switch.cpp).
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>

namespace goro::detail::platform {

using context = boost::context::detail::fcontext_t;
using transfer = boost::context::detail::transfer_t;

inline transfer jump(context to, void* data) noexcept {
  return boost::context::detail::jump_fcontext(to, data);
}

// A context that will start entry(transfer) on the stack whose highest address is top.
inline context make(void* top, std::size_t size, void (*entry)(transfer)) noexcept {
  return boost::context::detail::make_fcontext(top, size, entry);
}

}  // namespace goro::detail::platform

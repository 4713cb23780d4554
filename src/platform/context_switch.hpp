// The machine-level context switch: Boost.Context's fcontext (make_fcontext /
// jump_fcontext), its maintained multi-ABI assembly. We use the detail:: layer rather
// than boost::context::fiber because the runtime already owns stacks and lifetimes, and
// bench/micro/context_switch_bench.cpp measures fiber at roughly twice the cost of a raw
// jump (fiber wraps every jump in ontop bookkeeping and a moved-from handle).
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

// libunwind, loaded at run time with dlopen(RTLD_LOCAL) the first time a stack is walked.
// Linking it would be wrong: libunwind.so also defines _Unwind_RaiseException and the
// rest of the C++ exception ABI, which would then replace libgcc's unwinder for every
// exception the program throws. Loaded privately, it serves only the stack walks. If
// the library is missing at run time, api() is null and traces are left out.
#pragma once

#if defined(__x86_64__) && defined(GORO_HAVE_LIBUNWIND)
#include <cstddef>
#include <libunwind.h>  // types only; every call goes through the pointers below

namespace goro::detail {

struct unwind_api {
  // libunwind.so.8 (the local API)
  int (*getcontext)(unw_context_t*);
  int (*init_local)(unw_cursor_t*, unw_context_t*);
  int (*get_proc_name)(unw_cursor_t*, char*, std::size_t, unw_word_t*);
  // libunwind-x86_64.so.8 (the generic API, for a private address space)
  unw_addr_space_t (*create_addr_space)(unw_accessors_t*, int);
  int (*set_caching_policy)(unw_addr_space_t, unw_caching_policy_t);
  int (*init_remote)(unw_cursor_t*, unw_addr_space_t, void*);
  int (*get_reg)(unw_cursor_t*, unw_regnum_t, unw_word_t*);
  int (*step)(unw_cursor_t*);
  int (*search_unwind_table)(unw_addr_space_t, unw_word_t, unw_dyn_info_t*, unw_proc_info_t*, int, void*);
};

// The loaded API, or null.
const unwind_api* api() noexcept;

}  // namespace goro::detail
#endif

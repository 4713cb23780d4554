// Symbol names for stack traces: libunwind's local API reads the symbol tables of the
// binary or library holding a pc (also non-exported functions, which dladdr misses).
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <string>

#include "debug/unwind_api.hpp"
#if defined(__x86_64__) && defined(GORO_HAVE_LIBUNWIND)
#include <ucontext.h>
#endif

namespace goro::detail {

bool symbolize(std::uintptr_t pc, std::string& function, std::uintptr_t& offset, std::string& module,
               std::uintptr_t& module_offset) {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(pc), &info) && info.dli_fname) {
    module = info.dli_fname;
    module_offset = pc - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
  }
  const char* raw = nullptr;
  std::string name;
#if defined(__x86_64__) && defined(GORO_HAVE_LIBUNWIND)
  // A cursor whose only register that matters is the pc: get_proc_name reads nothing else.
  unw_context_t uc;
  unw_cursor_t cursor;
  char buf[1024];
  unw_word_t off = 0;
  const unwind_api* u = api();
  if (u && u->getcontext(&uc) == 0 && ((uc.uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(pc)), true) &&
      u->init_local(&cursor, &uc) == 0 && u->get_proc_name(&cursor, buf, sizeof buf, &off) == 0) {
    name = buf;
    raw = name.c_str();
    offset = off;
  }
#endif
  if (!raw && info.dli_sname) {
    raw = info.dli_sname;
    offset = pc - reinterpret_cast<std::uintptr_t>(info.dli_saddr);
  }
  if (!raw) return false;
  int status = 0;
  char* demangled = abi::__cxa_demangle(raw, nullptr, nullptr, &status);
  function = status == 0 && demangled ? demangled : raw;
  std::free(demangled);
  return true;
}

}  // namespace goro::detail

// Loading libunwind privately. See unwind_api.hpp.
#include "debug/unwind_api.hpp"

#if defined(__x86_64__) && defined(GORO_HAVE_LIBUNWIND)
#include <dlfcn.h>

namespace goro::detail {

namespace {
template <class F>
bool load(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}

const unwind_api* load_api() {
  void* local = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
  void* generic = dlopen("libunwind-x86_64.so.8", RTLD_NOW | RTLD_LOCAL);
  if (!local || !generic) return nullptr;
  static unwind_api a;
  bool ok = load(local, "_Ux86_64_getcontext", a.getcontext) && load(local, "_ULx86_64_init_local", a.init_local) &&
            load(local, "_ULx86_64_get_proc_name", a.get_proc_name) &&
            load(generic, "_Ux86_64_create_addr_space", a.create_addr_space) &&
            load(generic, "_Ux86_64_set_caching_policy", a.set_caching_policy) &&
            load(generic, "_Ux86_64_init_remote", a.init_remote) && load(generic, "_Ux86_64_get_reg", a.get_reg) &&
            load(generic, "_Ux86_64_step", a.step) &&
            load(generic, "_Ux86_64_dwarf_search_unwind_table", a.search_unwind_table);
  return ok ? &a : nullptr;
}
}  // namespace

const unwind_api* api() noexcept {
  static const unwind_api* loaded = load_api();
  return loaded;
}

}  // namespace goro::detail
#endif

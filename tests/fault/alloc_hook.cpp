// Replaces the global operator new and delete (every form) for the test binary that links
// this file: allocations come from malloc/posix_memalign and go back with free, and
// operator new fails (std::bad_alloc, or null for the nothrow forms) when the fault
// plan's "alloc" entry says so, on the threads that alloc_hook.hpp's scope selects. It
// replaces every form, so that no other definition (a sanitizer's) is mixed with these.
#include "alloc_hook.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "platform/fault_injection.hpp"

namespace {

namespace pf = goro::detail::platform;

std::atomic<int> g_marked_threads{0};
thread_local bool t_marked = false;

// Whether this allocation consults the plan (which then counts it).
bool fails_now() noexcept {
  if (g_marked_threads.load(std::memory_order_relaxed) != 0 && !t_marked) return false;
  return pf::injected_fault(pf::sys_call::alloc) != 0;
}

void* allocate(std::size_t n, std::size_t align) noexcept {
  if (fails_now()) return nullptr;
  if (n == 0) n = 1;
  if (align <= alignof(std::max_align_t)) return std::malloc(n);
  void* p = nullptr;
  if (align < sizeof(void*)) align = sizeof(void*);
  return posix_memalign(&p, align, n) == 0 ? p : nullptr;
}

void* allocate_or_throw(std::size_t n, std::size_t align) {
  if (void* p = allocate(n, align)) return p;
  throw std::bad_alloc();
}

}  // namespace

namespace goro::test {
alloc_faults_on_this_thread::alloc_faults_on_this_thread() noexcept : marked_(&t_marked) {
  *marked_ = true;
  g_marked_threads.fetch_add(1, std::memory_order_relaxed);
}
alloc_faults_on_this_thread::~alloc_faults_on_this_thread() {
  g_marked_threads.fetch_sub(1, std::memory_order_relaxed);
  *marked_ = false;  // the constructing thread's mark, even if a park moved us meanwhile
}
}  // namespace goro::test

constexpr std::size_t kPlain = alignof(std::max_align_t);

void* operator new(std::size_t n) { return allocate_or_throw(n, kPlain); }
void* operator new[](std::size_t n) { return allocate_or_throw(n, kPlain); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n, kPlain); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n, kPlain); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate_or_throw(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_or_throw(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a));
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

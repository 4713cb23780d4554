// Tells ASan and TSan about goroutine stack switches (without it they report nonsense).
// Every call compiles to nothing in a build without the sanitizer.
//
// Protocol around each switch, from the side that leaves:
//   before_switch(&my_fake_stack_or_null_if_dying, target_stack, target_tsan_fiber)
// and on the side that resumes (or a new goroutine's first frame):
//   after_switch(my_fake_stack)
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define GORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORO_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_TSAN 1
#endif
#endif

#if GORO_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if GORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace goro::detail::sanitizer {

// The per-context data the sanitizers need.
struct fiber_state {
  void* asan_fake_stack = nullptr;  // ASan's fake stack of the suspended context
  void* tsan_fiber = nullptr;       // TSan's fiber of the context
};

inline void* tsan_current_fiber() noexcept {
#if GORO_TSAN
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}
inline void* tsan_create_fiber() noexcept {
#if GORO_TSAN
  return __tsan_create_fiber(0);
#else
  return nullptr;
#endif
}
inline void tsan_destroy_fiber(void* f) noexcept {
#if GORO_TSAN
  if (f) __tsan_destroy_fiber(f);
#else
  (void)f;
#endif
}

// A stack about to be reused: frames of a goroutine that never returned (it exited by
// switching away) leave ASan's redzone poison behind, which would fire on the next user.
inline void unpoison_stack(const void* lo, std::size_t size) noexcept {
#if GORO_ASAN
  __asan_unpoison_memory_region(lo, size);
#else
  (void)lo, (void)size;
#endif
}

// dying: the leaving context will never run again (ASan then frees its fake stack).
inline void before_switch(fiber_state* from, bool dying, const void* to_stack_lo, std::size_t to_size,
                          void* to_tsan_fiber) noexcept {
#if GORO_ASAN
  __sanitizer_start_switch_fiber(dying ? nullptr : &from->asan_fake_stack, to_stack_lo, to_size);
#else
  (void)from, (void)dying, (void)to_stack_lo, (void)to_size;
#endif
#if GORO_TSAN
  __tsan_switch_to_fiber(to_tsan_fiber, 0);
#else
  (void)to_tsan_fiber;
#endif
}

inline void after_switch(fiber_state* self) noexcept {
#if GORO_ASAN
  __sanitizer_finish_switch_fiber(self ? self->asan_fake_stack : nullptr, nullptr, nullptr);
#else
  (void)self;
#endif
}

}  // namespace goro::detail::sanitizer

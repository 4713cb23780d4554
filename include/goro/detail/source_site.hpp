// source_site: where a goroutine was created (file, line, function), taken from the
// caller of goro::go() by defaulted arguments. Works on g++ and on clang 14 with
// libstdc++ 12 (which lacks std::source_location) because it uses the builtins both have.
#pragma once

namespace goro::detail {

struct source_site {
  const char* file = "?";
  unsigned line = 0;
  const char* function = "?";

  // The builtins in default arguments are evaluated where current() is called, and a
  // call in a default argument of go() is evaluated at go()'s call site.
  static constexpr source_site current(const char* file = __builtin_FILE(),
                                       unsigned line = __builtin_LINE(),
                                       const char* function = __builtin_FUNCTION()) noexcept {
    return source_site{file, line, function};
  }
};

}  // namespace goro::detail

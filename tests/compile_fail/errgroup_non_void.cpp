// Compile-failure test (tests/CMakeLists.txt, errgroup.compile_fail.*): errgroup's go()
// and try_go() refuse a function that returns a value, which they would drop unseen.
// Compiled with -DCASE=1 (go) or 2 (try_go) it must fail with errgroup's static_assert
// message; with CASE=0 (void functions) it must compile, which shows the command line
// itself is sound.
#include <goro/errgroup.hpp>

#include <system_error>

void start(goro::errgroup& g) {
#if CASE == 0
  g.go([] {});
  g.try_go([] {});
#elif CASE == 1
  g.go([]() -> std::error_code { return std::make_error_code(std::errc::io_error); });
#elif CASE == 2
  g.try_go([] { return 1; });
#else
#error "CASE must be 0, 1 or 2"
#endif
}

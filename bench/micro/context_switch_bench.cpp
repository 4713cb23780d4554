// context_switch_bench: Boost.Context's two layers measured side by side, to choose the
// runtime's switch: boost::context::fiber (the documented API: owns its stack, every
// resume hands over a new fiber object) and detail::jump_fcontext (the raw assembly
// switch the fiber is built on). One iteration = a round trip (two switches).
#include <benchmark/benchmark.h>

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <cstdlib>

namespace ctx = boost::context;

static void BM_Fiber_RoundTrip(benchmark::State& state) {
  bool stop = false;
  ctx::fiber f{std::allocator_arg, ctx::fixedsize_stack(64 * 1024), [&stop](ctx::fiber&& back) {
                 while (!stop) back = std::move(back).resume();
                 return std::move(back);
               }};
  for (auto _ : state) f = std::move(f).resume();
  stop = true;
  f = std::move(f).resume();
}
BENCHMARK(BM_Fiber_RoundTrip);

namespace {
void fcontext_entry(ctx::detail::transfer_t t) {
  for (;;) t = ctx::detail::jump_fcontext(t.fctx, nullptr);
}
}  // namespace

static void BM_Fcontext_RoundTrip(benchmark::State& state) {
  constexpr std::size_t size = 64 * 1024;
  void* mem = std::malloc(size);
  ctx::detail::fcontext_t c =
      ctx::detail::make_fcontext(static_cast<char*>(mem) + size, size, &fcontext_entry);
  for (auto _ : state) c = ctx::detail::jump_fcontext(c, nullptr).fctx;
  std::free(mem);  // the context is abandoned suspended; it owns nothing
}
BENCHMARK(BM_Fcontext_RoundTrip);

BENCHMARK_MAIN();

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

// The same, but each side switches from inside a called (not inlined) function, as a
// yield() does: after every switch that function returns into the other context's
// caller, which the CPU's return-stack predictor cannot foresee. This is the floor of
// any yield() that is a function call over jump_fcontext.
namespace {
__attribute__((noinline)) ctx::detail::fcontext_t switch_via_call(ctx::detail::fcontext_t to) {
  return ctx::detail::jump_fcontext(to, nullptr).fctx;
}
void fcontext_entry_via_call(ctx::detail::transfer_t t) {
  ctx::detail::fcontext_t back = t.fctx;
  for (;;) back = switch_via_call(back);
}
}  // namespace

static void BM_Fcontext_RoundTrip_ThroughCall(benchmark::State& state) {
  constexpr std::size_t size = 64 * 1024;
  void* mem = std::malloc(size);
  ctx::detail::fcontext_t c =
      ctx::detail::make_fcontext(static_cast<char*>(mem) + size, size, &fcontext_entry_via_call);
  for (auto _ : state) c = switch_via_call(c);
  std::free(mem);
}
BENCHMARK(BM_Fcontext_RoundTrip_ThroughCall);

BENCHMARK_MAIN();

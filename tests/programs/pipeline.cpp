// Program: a pipeline (generate -> square -> sum) whose stages are goroutines joined by
// channels, run in an errgroup with a context (Go's errgroup.WithContext). A clean run
// must sum every square; in a second run the square stage meets a bad value and fails,
// the group's context is cancelled and the other stages stop through ctx.done().
#include <goro/goro.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "program_check.hpp"

namespace {

// Receives from in, or nullopt once in is closed or ctx is done.
template <class T>
std::optional<T> recv(const goro::context& ctx, goro::recv_chan<T> in) {
  std::optional<T> v;
  goro::select(goro::recv_case(in, [&](std::optional<T> x) { v = std::move(x); }), goro::recv_case(ctx.done()));
  return v;
}

// Sends v on out; false if ctx was done first.
template <class T>
bool send(const goro::context& ctx, goro::send_chan<T> out, T v) {
  return goro::select(goro::send_case(out, std::move(v)), goro::recv_case(ctx.done())) == 0;
}

void generate(goro::context ctx, std::vector<std::int64_t> values, goro::send_chan<std::int64_t> out) {
  for (std::int64_t v : values)
    if (!send(ctx, out, v)) return;
  out.close();
}

void square(goro::context ctx, goro::recv_chan<std::int64_t> in, goro::send_chan<std::int64_t> out) {
  while (auto v = recv(ctx, in)) {
    if (*v < 0) throw std::runtime_error("square: bad value " + std::to_string(*v));
    if (!send(ctx, out, *v * *v)) return;
  }
  out.close();
}

struct sum_result {
  std::int64_t sum = 0;
  bool complete = false;  // saw its input closed (not cancelled)
};

void sum(goro::context ctx, goro::recv_chan<std::int64_t> in, sum_result* r) {
  for (;;) {
    bool closed = false, cancelled = false;
    goro::select(goro::recv_case(in, [&](std::optional<std::int64_t> v) {
                   if (v) r->sum += *v;
                   else closed = true;
                 }),
                 goro::recv_case(ctx.done(), [&] { cancelled = true; }));
    if (closed) r->complete = true;
    if (closed || cancelled) return;
  }
}

// Runs the three stages over values; returns the sum stage's result, and the error the
// group reported (empty if none).
sum_result run_pipeline(const std::vector<std::int64_t>& values, std::string* error) {
  auto [g, ctx] = goro::errgroup::with_context(goro::background());
  auto numbers = goro::make_chan<std::int64_t>();
  auto squares = goro::make_chan<std::int64_t>();
  sum_result r;
  goro::context c = ctx;  // a structured binding cannot be captured (clang 14)
  g.go([=] { generate(c, values, numbers); });
  g.go([=] { square(c, numbers, squares); });
  g.go([=, &r] { sum(c, squares, &r); });
  try {
    g.wait();
  } catch (const std::exception& e) {
    *error = e.what();
  }
  return r;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "pipeline";
    const std::int64_t n = goro_programs::scaled(100'000, 5);
    std::vector<std::int64_t> values;
    for (std::int64_t i = 1; i <= n; ++i) values.push_back(i);
    bool ok = true;

    std::string error;
    sum_result clean = run_pipeline(values, &error);
    ok &= goro_programs::expect_eq(name, "clean run: sum", clean.sum, n * (n + 1) * (2 * n + 1) / 6);
    ok &= goro_programs::expect_eq(name, "clean run: complete", clean.complete, true);
    ok &= goro_programs::expect_eq(name, "clean run: error", error, std::string());

    values[values.size() / 2] = -7;
    sum_result failed = run_pipeline(values, &error);
    ok &= goro_programs::expect_eq(name, "failing run: error", error, std::string("square: bad value -7"));
    ok &= goro_programs::expect_eq(name, "failing run: complete", failed.complete, false);

    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

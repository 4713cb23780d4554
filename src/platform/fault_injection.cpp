// Fault injection: see fault_injection.hpp. The plan is a table of per-call
// probabilities (as 32-bit thresholds) and errno lists behind one mask word, so a call
// with no fault planned costs one relaxed load. Decisions come from a per-thread
// generator seeded from the plan's seed and the thread's arrival order: a run with one
// worker is reproducible.
#include "platform/fault_injection.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

#include "goro/detail/duration.hpp"

#ifndef GORO_FAULT_INJECTION
#error "fault_injection.cpp is built only with GORO_FAULT_INJECTION"
#endif

namespace goro::detail::platform {

namespace {

constexpr unsigned kCalls = static_cast<unsigned>(sys_call::count);
constexpr int kMaxErrnos = 6;

struct call_plan {
  std::atomic<std::uint32_t> threshold{0};  // fail when a draw is below it
  std::atomic<std::uint32_t> forced{0};     // fail this many next calls first,
  std::atomic<std::uint32_t> skip{0};       // ... once this many more have passed
  std::atomic<int> forced_errno{0};
  int errnos[kMaxErrnos] = {};
  std::atomic<int> n_errnos{0};
  std::atomic<std::uint64_t> injected{0};
};

struct call_info {
  const char* name;
  int defaults[kMaxErrnos];
};

// Per call: its name in GORO_FAULTS and the errnos the kernel can return there.
constexpr call_info kInfo[kCalls] = {
    {"mmap", {ENOMEM}},
    {"mprotect", {ENOMEM}},
    {"epoll_ctl", {ENOMEM, ENOSPC}},
    {"accept4", {EINTR, ECONNABORTED, EMFILE, ENFILE, ENOBUFS, ENOMEM}},
    {"socket", {EMFILE, ENFILE, ENOBUFS}},
    {"read", {EINTR, ECONNRESET}},
    {"write", {EINTR, ECONNRESET, EPIPE}},
    {"futex", {EINTR, EAGAIN}},
    {"clock", {1}},
    {"getpeername", {ENOBUFS}},
    {"alloc", {ENOMEM}},
};

call_plan g_plan[kCalls];
std::atomic<std::uint32_t> g_mask{0};  // bit per call with a fault planned
std::atomic<std::uint64_t> g_seed{1};
std::atomic<std::uint64_t> g_generation{0};  // bumped by each configure: reseeds threads
std::atomic<std::uint32_t> g_threads{0};
std::mutex g_config_mu;

struct errno_name {
  const char* name;
  int value;
};
constexpr errno_name kErrnoNames[] = {{"ENOMEM", ENOMEM}, {"ENOSPC", ENOSPC},           {"EINTR", EINTR},
                                      {"EAGAIN", EAGAIN}, {"ECONNABORTED", ECONNABORTED}, {"EMFILE", EMFILE},
                                      {"ENFILE", ENFILE}, {"ENOBUFS", ENOBUFS},         {"ECONNRESET", ECONNRESET},
                                      {"EPIPE", EPIPE}};

std::uint64_t next_draw() noexcept {
  thread_local std::uint64_t state = 0, generation = ~0ULL;
  std::uint64_t gen = g_generation.load(std::memory_order_relaxed);
  if (generation != gen) {
    generation = gen;
    state = g_seed.load(std::memory_order_relaxed) * 0x9e3779b97f4a7c15ULL +
            g_threads.fetch_add(1, std::memory_order_relaxed) * 0xbf58476d1ce4e5b9ULL + 1;
  }
  // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void refresh_mask() noexcept {
  std::uint32_t mask = 0;
  for (unsigned i = 0; i < kCalls; ++i)
    if (g_plan[i].threshold.load() || g_plan[i].forced.load()) mask |= 1u << i;
  g_mask.store(mask, std::memory_order_release);
}

int parse_errno(const std::string& s) {
  for (const errno_name& e : kErrnoNames)
    if (s == e.name) return e.value;
  throw std::invalid_argument("GORO_FAULTS: unknown errno '" + s + "'");
}

void clear_locked() noexcept {
  g_mask.store(0, std::memory_order_release);
  for (call_plan& p : g_plan) {
    p.threshold.store(0);
    p.forced.store(0);
    p.skip.store(0);
    p.injected.store(0);
  }
}

// One entry: call=probability[:errno,errno...] or seed=N.
void apply_entry(const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("GORO_FAULTS: '" + entry + "' is not name=value");
  std::string name = entry.substr(0, eq), value = entry.substr(eq + 1);
  if (name == "seed") {
    g_seed.store(std::strtoull(value.c_str(), nullptr, 10));
    return;
  }
  unsigned call = kCalls;
  for (unsigned i = 0; i < kCalls; ++i)
    if (name == kInfo[i].name) call = i;
  if (call == kCalls) throw std::invalid_argument("GORO_FAULTS: unknown call '" + name + "'");
  auto colon = value.find(':');
  double p = std::atof(value.substr(0, colon).c_str());
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument("GORO_FAULTS: probability out of [0, 1] in '" + entry + "'");
  call_plan& plan = g_plan[call];
  int n = 0;
  if (colon == std::string::npos) {
    for (int e : kInfo[call].defaults)
      if (e) plan.errnos[n++] = e;
  } else {
    std::string list = value.substr(colon + 1);
    for (std::size_t at = 0; at <= list.size() && n < kMaxErrnos;) {
      std::size_t comma = list.find(',', at);
      if (comma == std::string::npos) comma = list.size();
      plan.errnos[n++] = parse_errno(list.substr(at, comma - at));
      at = comma + 1;
    }
  }
  plan.n_errnos.store(n);
  plan.threshold.store(static_cast<std::uint32_t>(p * 4294967295.0));
}

// GORO_FAULTS at start-up (before main: the runtime starts later).
struct env_plan {
  env_plan() {
    if (const char* s = std::getenv("GORO_FAULTS")) {
      try {
        faults_configure(s);
        std::fprintf(stderr, "goro: fault injection: %s\n", s);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "goro: %s\n", e.what());
        std::exit(2);
      }
    }
  }
} g_env_plan;

}  // namespace

int injected_fault(sys_call c) noexcept {
  const unsigned i = static_cast<unsigned>(c);
  if (!(g_mask.load(std::memory_order_relaxed) & (1u << i))) return 0;
  call_plan& plan = g_plan[i];
  std::uint32_t forced = plan.forced.load(std::memory_order_relaxed);
  if (forced > 0) {
    std::uint32_t skip = plan.skip.load(std::memory_order_relaxed);
    while (skip > 0)
      if (plan.skip.compare_exchange_weak(skip, skip - 1, std::memory_order_relaxed)) return 0;
  }
  while (forced > 0) {
    if (plan.forced.compare_exchange_weak(forced, forced - 1, std::memory_order_relaxed)) {
      plan.injected.fetch_add(1, std::memory_order_relaxed);
      return plan.forced_errno.load(std::memory_order_relaxed);
    }
  }
  std::uint64_t draw = next_draw();
  if (static_cast<std::uint32_t>(draw) >= plan.threshold.load(std::memory_order_relaxed)) return 0;
  int n = plan.n_errnos.load(std::memory_order_relaxed);
  if (n == 0) return 0;
  plan.injected.fetch_add(1, std::memory_order_relaxed);
  return plan.errnos[(draw >> 32) % static_cast<std::uint64_t>(n)];
}

void faults_configure(std::string_view text) {
  std::lock_guard lk(g_config_mu);
  clear_locked();
  std::string plan(text);
  for (std::size_t at = 0; at < plan.size();) {
    std::size_t semi = plan.find_first_of("; ", at);  // ';' or ' ' between entries
    if (semi == std::string::npos) semi = plan.size();
    if (semi > at) apply_entry(plan.substr(at, semi - at));
    at = semi + 1;
  }
  g_generation.fetch_add(1);
  refresh_mask();
}

void faults_force(sys_call c, int err, std::uint32_t count, std::uint32_t after) {
  std::lock_guard lk(g_config_mu);
  call_plan& plan = g_plan[static_cast<unsigned>(c)];
  plan.forced_errno.store(err);
  plan.skip.store(after);
  plan.forced.store(count);
  refresh_mask();
}

void faults_clear() noexcept {
  std::lock_guard lk(g_config_mu);
  clear_locked();
}

std::uint64_t faults_injected(sys_call c) noexcept { return g_plan[static_cast<unsigned>(c)].injected.load(); }

std::int64_t faulty_now_ns() noexcept {
  thread_local std::int64_t last = 0;
  std::int64_t now = steady_now_ns();
  if (last != 0 && injected_fault(sys_call::clock)) return last;
  last = now;
  return now;
}

}  // namespace goro::detail::platform

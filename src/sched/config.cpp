// Run-time settings from the environment. See config.hpp.
#include "sched/config.hpp"

#include <sched.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace goro::detail {

namespace {
std::atomic<int> preset{0};

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
}  // namespace

int default_maxprocs() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

std::optional<int> parse_maxprocs(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 1) return std::nullopt;
  return v > 1024 ? 1024 : v;
}

std::optional<std::size_t> parse_size(std::string_view s) {
  std::size_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end == s.data()) return std::nullopt;
  std::string_view rest(end, static_cast<std::size_t>(s.data() + s.size() - end));
  std::size_t mult = 1;
  if (rest == "K" || rest == "k" || rest == "KiB" || rest == "KB") mult = 1024;
  else if (rest == "M" || rest == "m" || rest == "MiB" || rest == "MB") mult = 1024 * 1024;
  else if (rest == "G" || rest == "g" || rest == "GiB" || rest == "GB") mult = 1024 * 1024 * 1024;
  else if (!rest.empty()) return std::nullopt;
  if (v == 0 || v > (std::size_t{1} << 40) / mult) return std::nullopt;
  return v * mult;
}

std::optional<deadlock_action> parse_deadlock_action(std::string_view s) {
  if (s == "fatal") return deadlock_action::fatal;
  if (s == "warn") return deadlock_action::warn;
  if (s == "off") return deadlock_action::off;
  return std::nullopt;
}

std::optional<std::size_t> parse_count(std::string_view s) {
  std::size_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end == s.data() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

void preset_maxprocs(int n) { preset.store(n, std::memory_order_relaxed); }

const runtime_config& config() {
  static const runtime_config cfg = [] {
    runtime_config c{default_maxprocs(), 256 * 1024, deadlock_action::fatal, false, std::nullopt};
    if (const char* v = env("GORO_MAXPROCS")) {
      if (auto n = parse_maxprocs(v)) c.maxprocs = *n;
      else std::fprintf(stderr, "goro: ignoring GORO_MAXPROCS=%s (want a positive integer)\n", v);
    }
    if (const char* v = env("GORO_STACK_SIZE")) {
      if (auto n = parse_size(v)) c.stack_size = *n;
      else std::fprintf(stderr, "goro: ignoring GORO_STACK_SIZE=%s (want bytes, e.g. 512K or 1M)\n", v);
    }
    if (const char* v = env("GORO_DEADLOCK")) {
      if (auto a = parse_deadlock_action(v)) c.on_deadlock = *a;
      else std::fprintf(stderr, "goro: ignoring GORO_DEADLOCK=%s (want fatal, warn or off)\n", v);
    }
    if (const char* v = env("GORO_STACK_GUARD")) {
      std::string_view mode(v);
      if (mode == "required" || mode == "warn") c.stack_guard_required = mode == "required";
      else std::fprintf(stderr, "goro: ignoring GORO_STACK_GUARD=%s (want required or warn)\n", v);
    }
    if (const char* v = env("GORO_STACK_GUARD_BUDGET")) {
      if (auto n = parse_count(v)) c.stack_guard_budget = *n;
      else std::fprintf(stderr, "goro: ignoring GORO_STACK_GUARD_BUDGET=%s (want a count of stacks)\n", v);
    }
    return c;
  }();
  return cfg;
}

int preset_or_config_maxprocs() {
  int p = preset.load(std::memory_order_relaxed);
  return p > 0 ? p : config().maxprocs;
}

}  // namespace goro::detail

// Run-time settings read once from the environment (Go's GOMAXPROCS and friends):
//   GORO_MAXPROCS    workers running goroutines (default: CPUs in the affinity mask)
//   GORO_STACK_SIZE  default stack, usable bytes, K/M/G suffixes (default 256K; each
//                    stack also has a 64 KiB guard region below it)
//   GORO_STACK_GUARD required: a goroutine stack that cannot have a guard (vm.max_map_count
//                    exhausted on a kernel without MADV_GUARD_INSTALL) is a fatal error
//                    instead of a one-time warning; warn (default): the warning
//   GORO_STACK_GUARD_BUDGET  N: guard stacks with mprotect, at most N at once, as on a
//                    kernel without MADV_GUARD_INSTALL whose vm.max_map_count leaves room
//                    for N; for testing that path on any kernel (default: unset)
//   GORO_DEADLOCK    fatal (default: report and exit 2), warn (report once, run on), off
// A value that does not parse is reported on stderr once and the default is used.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace goro::detail {

// What the deadlock check does once it is certain (settled detail 16).
enum class deadlock_action { fatal, warn, off };

struct runtime_config {
  int maxprocs;
  std::size_t stack_size;
  deadlock_action on_deadlock = deadlock_action::fatal;
  bool stack_guard_required = false;
  std::optional<std::size_t> stack_guard_budget;
};

const runtime_config& config();
// Parsers, exposed for tests. nullopt on bad input.
std::optional<int> parse_maxprocs(std::string_view s);
std::optional<std::size_t> parse_size(std::string_view s);
std::optional<deadlock_action> parse_deadlock_action(std::string_view s);
std::optional<std::size_t> parse_count(std::string_view s);  // a non-negative integer
int default_maxprocs();
// A maxprocs chosen with set_maxprocs() before the runtime started.
void preset_maxprocs(int n);
int preset_or_config_maxprocs();

}  // namespace goro::detail

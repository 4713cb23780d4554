// Run-time settings read once from the environment (Go's GOMAXPROCS and friends):
//   GORO_MAXPROCS    workers running goroutines (default: CPUs in the affinity mask)
//   GORO_STACK_SIZE  default stack, bytes of address space, K/M/G suffixes (default 256K)
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
  deadlock_action on_deadlock;
};

const runtime_config& config();
// Parsers, exposed for tests. nullopt on bad input.
std::optional<int> parse_maxprocs(std::string_view s);
std::optional<std::size_t> parse_size(std::string_view s);
std::optional<deadlock_action> parse_deadlock_action(std::string_view s);
int default_maxprocs();
// A maxprocs chosen with set_maxprocs() before the runtime started.
void preset_maxprocs(int n);
int preset_or_config_maxprocs();

}  // namespace goro::detail

// Run-time settings read once from the environment (Go's GOMAXPROCS and friends):
//   GORO_MAXPROCS    workers running goroutines (default: CPUs in the affinity mask)
//   GORO_STACK_SIZE  default stack, bytes of address space, K/M/G suffixes (default 256K)
// A value that does not parse is reported on stderr once and the default is used.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace goro::detail {

struct runtime_config {
  int maxprocs;
  std::size_t stack_size;
};

const runtime_config& config();
// Parsers, exposed for tests. nullopt on bad input.
std::optional<int> parse_maxprocs(std::string_view s);
std::optional<std::size_t> parse_size(std::string_view s);
int default_maxprocs();
// A maxprocs chosen with set_maxprocs() before the runtime started.
void preset_maxprocs(int n);
int preset_or_config_maxprocs();

}  // namespace goro::detail

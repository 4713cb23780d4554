// The calling process's resources as Linux reports them, for tests that check for leaks
// or measure memory: resident memory and threads from /proc/self/status, open
// descriptors from /proc/self/fd.
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace goro::test {

// A numeric field of /proc/self/status ("VmRSS:" is in KiB), or 0 if absent.
inline long status_field(const char* name) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(name);
  while (std::getline(f, line))
    if (line.compare(0, n, name) == 0) return std::stol(line.substr(n));
  return 0;
}

inline long rss_kib() { return status_field("VmRSS:"); }
inline long thread_count() { return status_field("Threads:"); }

inline long open_fds() {
  long n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;  // the iterator's own descriptor
}

}  // namespace goro::test

// Program: deep recursion on a goroutine with a sized stack. Stacks do not grow in goro
// (C++ frames cannot move), so a recursive-descent parser of a list nested 50,000 deep
// runs on goro::go(goro::stack_size(8 << 20), f); it must return the right depth and
// element count. (On a default 256 KiB stack it would stop with "stack overflow".)
#include <goro/goro.hpp>

#include <cstddef>
#include <string>

#include "program_check.hpp"

namespace {

struct stats {
  int max_depth = 0;
  long numbers = 0;
};

// list := '[' { number | list } ']' ; number := digit. Returns false on a syntax error.
bool parse_list(const std::string& s, std::size_t& i, int depth, stats& st) {
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  if (depth > st.max_depth) st.max_depth = depth;
  while (i < s.size() && s[i] != ']') {
    if (s[i] == '[') {
      if (!parse_list(s, i, depth + 1, st)) return false;
    } else if (s[i] >= '0' && s[i] <= '9') {
      ++st.numbers;
      ++i;
    } else {
      return false;
    }
  }
  if (i >= s.size()) return false;
  ++i;  // ']'
  return true;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "deep_recursion";
    const int depth = 50'000;  // ~48 bytes a frame: 2.4 MB of stack, far past the default
    std::string text;
    for (int d = 0; d < depth; ++d) text += "[7";
    text.append(depth, ']');

    auto result = goro::make_chan<stats>();
    goro::go(goro::stack_size(8 << 20), [text, result] {
      stats st;
      std::size_t i = 0;
      if (!parse_list(text, i, 1, st) || i != text.size()) st.max_depth = -1;
      result.send(st);
    });
    stats st = *result.recv();

    bool ok = true;
    ok &= goro_programs::expect_eq(name, "depth", st.max_depth, depth);
    ok &= goro_programs::expect_eq(name, "numbers", st.numbers, long(depth));
    ok = goro_programs::expect_bounded(name, 1, 0, 48) && ok;
    return goro_programs::result(name, ok);
  });
}

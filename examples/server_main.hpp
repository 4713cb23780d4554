// The main() both example servers share: `<name> [host:port | --self-test]`. It blocks
// SIGINT/SIGTERM before the runtime starts (stop_signals.hpp), then either runs the
// self-test or listens and serves until the first of those signals.
#pragma once

#include <goro/goro.hpp>

#include <cstddef>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "stop_signals.hpp"

namespace example {

using serve_fn = int (*)(const goro::net::listener&, const goro::context&, std::size_t*);

inline int server_main(int argc, char** argv, const char* name, const char* default_addr, int (*self_test)(),
                       serve_fn serve_until) {
  std::string_view arg = argc > 1 ? argv[1] : default_addr;
  if (arg == "-h" || arg == "--help") {
    std::printf("usage: %s [host:port | --self-test]   (default %s)\n", name, default_addr);
    return 0;
  }
  block_stop_signals();  // before the runtime's threads start: they inherit it
  return goro::run([&] {
    if (arg == "--self-test") return self_test();
    auto [ctx, stop] = stop_context();
    std::error_code ec;
    goro::net::listener ln = goro::net::listen("tcp", arg, ec);
    if (ec) {
      std::fprintf(stderr, "%s: listen %.*s: %s\n", name, static_cast<int>(arg.size()), arg.data(),
                   ec.message().c_str());
      return 1;
    }
    std::printf("listening on %s\n", ln.addr().to_string().c_str());
    std::fflush(stdout);
    int status = serve_until(ln, ctx, nullptr);
    stop();
    return status;
  });
}

}  // namespace example

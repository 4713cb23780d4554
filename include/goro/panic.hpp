// goro::panic: the exception type for misuse that Go reports with a panic (send on a
// closed channel, negative WaitGroup counter, ...). what() is Go's message. An uncaught
// panic (or any exception) escaping a goroutine stops the process with exit status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace goro {

class panic : public std::logic_error {
 public:
  explicit panic(const std::string& what) : std::logic_error(what) {}
  explicit panic(const char* what) : std::logic_error(what) {}
};

// Misuse of a channel: "send on closed channel", "close of closed channel".
class closed_channel : public panic {
 public:
  using panic::panic;
};

}  // namespace goro

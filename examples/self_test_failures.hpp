// What the example servers' --self-tests share: the failures they saw (the first 20 kept
// for the report, all counted; safe from many goroutines at once), and the Ctrl-C step
// (interrupt the server and wait, bounded, for its serve loop to return).
#pragma once

#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stop_signals.hpp"

namespace example {

class failures {
 public:
  void add(std::string what) {
    std::lock_guard lk(mu_);
    if (++count_ <= kKept) first_.push_back(std::move(what));
  }
  // Records `what: err` unless err is empty.
  void check(std::string_view what, const std::string& err) {
    if (!err.empty()) add(std::string(what) + ": " + err);
  }
  // Prints them; returns how many there were.
  int report() {
    std::lock_guard lk(mu_);
    for (auto& f : first_) std::printf("self-test: FAIL: %s\n", f.c_str());
    if (count_ > kKept) std::printf("self-test: ... and %d more failures\n", count_ - kKept);
    return count_;
  }

 private:
  static constexpr int kKept = 20;
  goro::mutex mu_;
  std::vector<std::string> first_;
  int count_ = 0;
};

// Sends the server its SIGINT and waits for its serve loop's status on server_status; a
// server that has not stopped within 20 s is a failure reported with a goroutine dump,
// and the process exits at once (the server still uses the caller's frame).
inline void interrupt_and_await(const goro::chan<int>& server_status, failures& f) {
  using namespace std::chrono_literals;
  raise_stop_signal();
  goro::select(goro::recv_case(server_status,
                               [&](std::optional<int> s) {
                                 if (*s != 0) f.add("the shutdown returned " + std::to_string(*s));
                               }),
               goro::recv_case(goro::after(20s), [&] {
                 std::printf("self-test: FAIL: the server did not shut down within 20 s; goroutines:\n");
                 std::fflush(stdout);
                 goro::dump(std::cerr);
                 std::_Exit(1);
               }));
}

}  // namespace example

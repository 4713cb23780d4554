// goro::testing::leak_check: fails a GoogleTest test that leaves goroutines behind
// (Go's goleak). Header-only; include it from test code that links GoogleTest.
//
//   TEST(Server, StopsCleanly) {
//     goro::testing::leak_check leaks;  // the goroutines alive now are not counted
//     ... start and stop things ...
//   }  // fails the test if goroutines started since are still alive after the grace
//      // period (1 s by default), listing each with its state and creation site
//
// Goroutines that are exiting get the grace period to finish (polled every ms, the
// caller sleeping, or parking if it is a goroutine). leaked() tells the list without
// failing anything.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "goro/debug.hpp"
#include "goro/time.hpp"

namespace goro::testing {

class leak_check {
 public:
  explicit leak_check(std::chrono::milliseconds grace = std::chrono::seconds(1)) : grace_(grace) {
    for (const goroutine_info& g : goroutines()) before_.push_back(g.id);
  }
  leak_check(const leak_check&) = delete;
  leak_check& operator=(const leak_check&) = delete;
  ~leak_check() {
    if (checked_) return;
    std::vector<goroutine_info> left = wait_for_exit();
    if (left.empty()) return;
    std::ostringstream msg;
    msg << left.size() << " goroutine(s) started during the test are still alive:\n\n";
    for (const goroutine_info& g : left) {
      msg << "goroutine " << g.id << " [" << (g.state == "waiting" ? g.wait_reason : g.state) << "]:\n"
          << "created by " << g.created_by;
      if (g.parent_id) msg << " in goroutine " << g.parent_id;
      msg << "\n\t" << g.file << ":" << g.line << "\n\n";
    }
    ADD_FAILURE() << msg.str();
  }

  // The goroutines alive now that were not alive at construction.
  std::vector<goroutine_info> leaked() const {
    std::vector<goroutine_info> out;
    for (goroutine_info& g : goroutines())
      if (std::find(before_.begin(), before_.end(), g.id) == before_.end()) out.push_back(std::move(g));
    return out;
  }

  // Checks now (with the grace period) instead of at destruction; true if none leaked.
  bool check_now() {
    checked_ = true;
    return wait_for_exit().empty();
  }

 private:
  std::vector<goroutine_info> wait_for_exit() const {
    auto give_up = std::chrono::steady_clock::now() + grace_;
    std::vector<goroutine_info> left = leaked();
    while (!left.empty() && std::chrono::steady_clock::now() < give_up) {
      goro::sleep(std::chrono::milliseconds(1));
      left = leaked();
    }
    return left;
  }

  std::chrono::milliseconds grace_;
  std::vector<std::uint64_t> before_;
  bool checked_ = false;
};

}  // namespace goro::testing

// goro::once: Go's sync.Once. call(f) runs f exactly once over all callers; the others
// wait (parking, on a goroutine) until that first call has returned. If f throws, the
// call still counts as done and the exception propagates to that first caller only
// (API.md settled detail 8).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

#include "goro/mutex.hpp"

namespace goro {

class once {
 public:
  once() = default;
  once(const once&) = delete;
  once& operator=(const once&) = delete;

  template <class F>
  void call(F&& f) {
    if (done_.load(std::memory_order_acquire)) return;  // the fast path: already done
    std::lock_guard lk(m_);
    if (done_.load(std::memory_order_relaxed)) return;
    struct mark_done {
      std::atomic<bool>& d;
      ~mark_done() { d.store(true, std::memory_order_release); }
    } guard{done_};
    std::forward<F>(f)();
  }

  bool done() const noexcept { return done_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> done_{false};
  mutex m_;
};

}  // namespace goro

// goro::errgroup: Go's golang.org/x/sync/errgroup with exceptions as the errors.
//   goro::errgroup g;
//   g.go(f);          // runs f() in a new goroutine; with a limit, first waits for a slot
//   g.try_go(f);      // false (and f not started) if the limit is reached
//                     // (f returns void: a function returning a value does not compile,
//                     // since the value would be lost; an error is an exception)
//   g.set_limit(n);   // at most n active goroutines (n < 0: no limit); throws goro::panic
//                     // if goroutines of the group are still active (Go panics too)
//   g.wait();         // joins every goroutine, then rethrows the first exception, if any
//   g.wait_error();   // the same join, then returns the first exception (null if none)
//                     // instead of rethrowing it: for a goroutine that waits for the group
//                     // (a throw there would be a panic)
// An exception escaping f is caught and kept (the first one wins), so it is not a panic.
// errgroup is movable, not copyable; goroutines keep the group's state alive, so a group
// destroyed without wait() leaves them running safely.
//   auto [g, ctx] = goro::errgroup::with_context(parent);
// also gives a context derived from parent that is cancelled on the first exception or
// when wait() or wait_error() returns, whichever comes first (Go's errgroup.WithContext).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "goro/context.hpp"
#include "goro/mutex.hpp"
#include "goro/panic.hpp"
#include "goro/runtime.hpp"
#include "goro/semaphore.hpp"
#include "goro/wait_group.hpp"

namespace goro {

class errgroup {
 public:
  errgroup() : st_(std::make_shared<state>()) {}

  static std::pair<errgroup, context> with_context(const context& parent) {
    errgroup g;
    auto [ctx, cancel] = with_cancel(parent);
    g.st_->cancel = std::move(cancel);
    return {std::move(g), std::move(ctx)};
  }
  errgroup(errgroup&&) noexcept = default;
  errgroup& operator=(errgroup&&) noexcept = default;
  errgroup(const errgroup&) = delete;
  errgroup& operator=(const errgroup&) = delete;

  template <class F>
  void go(F&& f) {
    if (st_->limit) st_->limit->acquire();
    start(std::forward<F>(f));
  }

  template <class F>
  bool try_go(F&& f) {
    if (st_->limit && !st_->limit->try_acquire()) return false;
    start(std::forward<F>(f));
    return true;
  }

  void set_limit(std::int64_t n) {
    std::int64_t active = st_->active.load(std::memory_order_acquire);
    if (active != 0)
      throw panic("errgroup: modify limit while " + std::to_string(active) +
                  " goroutines in the group are still active");
    st_->limit = n < 0 ? nullptr : std::make_unique<semaphore>(n);
  }

  void wait() {
    if (std::exception_ptr e = wait_error()) std::rethrow_exception(e);
  }

  std::exception_ptr wait_error() {
    st_->wg.wait();
    st_->cancel();
    std::lock_guard lk(st_->m);
    return st_->first;
  }

 private:
  struct state {
    wait_group wg;
    mutex m;
    std::exception_ptr first;
    std::unique_ptr<semaphore> limit;
    std::atomic<std::int64_t> active{0};
    cancel_func cancel;  // with_context: cancels the group's context

    // A goroutine of the group: runs fn, keeps its exception if it is the first.
    template <class Fn>
    void run(Fn& fn) {
      try {
        fn();
      } catch (...) {
        bool is_first = false;
        {
          std::lock_guard lk(m);
          if (!first) {
            first = std::current_exception();
            is_first = true;
          }
        }
        if (is_first) cancel();
      }
      finish();
    }
    // A goroutine of the group is done (or was never started).
    void finish() {
      if (limit) limit->release();
      active.fetch_sub(1, std::memory_order_acq_rel);
      wg.done();
    }
  };

  template <class F>
  void start(F&& f) {
    static_assert(std::is_void_v<std::invoke_result_t<std::decay_t<F>&>>,
                  "goro::errgroup: f must return void (its result would be lost); to report an error, throw "
                  "an exception: wait() rethrows the first one, wait_error() returns it");
    st_->active.fetch_add(1, std::memory_order_acq_rel);
    st_->wg.add(1);
    try {
      goro::go([st = st_, fn = std::forward<F>(f)]() mutable { st->run(fn); });
    } catch (...) {  // not started (out of memory, or copying f threw): as if never asked
      st_->finish();
      throw;
    }
  }

  std::shared_ptr<state> st_;
};

}  // namespace goro

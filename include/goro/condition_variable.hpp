// goro::condition_variable: a condition variable for goro::mutex (Go's sync.Cond, with
// std::condition_variable's interface). wait(lock) releases the mutex and parks the
// goroutine (or blocks the plain thread) until notified, then locks it again; there are
// no spurious wake-ups. notify_one wakes the longest waiter (FIFO); notify_all wakes
// every current waiter. wait_for / wait_until use the runtime's timers (no thread).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/spinlock.hpp"
#include "goro/mutex.hpp"

namespace goro {

namespace detail {
struct timer_entry;
}

class condition_variable {
 public:
  condition_variable() = default;
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;

  void notify_one() noexcept;
  void notify_all() noexcept;

  void wait(std::unique_lock<mutex>& lock) { wait_until_ns(lock, kNoDeadline); }
  template <class Predicate>
  void wait(std::unique_lock<mutex>& lock, Predicate pred) {
    while (!pred()) wait(lock);
  }

  template <class Clock, class Duration>
  std::cv_status wait_until(std::unique_lock<mutex>& lock, const std::chrono::time_point<Clock, Duration>& t) {
    return wait_until_ns(lock, to_steady_ns(t)) ? std::cv_status::no_timeout : std::cv_status::timeout;
  }
  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::unique_lock<mutex>& lock, const std::chrono::time_point<Clock, Duration>& t, Predicate pred) {
    while (!pred())
      if (wait_until(lock, t) == std::cv_status::timeout) return pred();
    return true;
  }
  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d) {
    return wait_until(lock, std::chrono::steady_clock::now() + std::chrono::ceil<std::chrono::nanoseconds>(d));
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& d, Predicate pred) {
    return wait_until(lock, std::chrono::steady_clock::now() + std::chrono::ceil<std::chrono::nanoseconds>(d),
                      std::move(pred));
  }

  struct waiter_node;  // src/sync/condition_variable.cpp

 private:
  static constexpr std::int64_t kNoDeadline = INT64_MAX;
  template <class Clock, class Duration>
  static std::int64_t to_steady_ns(const std::chrono::time_point<Clock, Duration>& t) {
    auto steady = std::chrono::steady_clock::now() +
                  std::chrono::ceil<std::chrono::nanoseconds>(t - Clock::now());
    return std::chrono::duration_cast<std::chrono::nanoseconds>(steady.time_since_epoch()).count();
  }
  // True if notified, false if the deadline passed first.
  bool wait_until_ns(std::unique_lock<mutex>& lock, std::int64_t deadline_ns);

  // The timer of a timed wait fired: time the waiter out unless it was notified first.
  static void on_timer(detail::timer_entry* e);
  void timed_out(waiter_node* n) noexcept;

  detail::spinlock lock_;
  detail::intrusive_list<waiter_node> waiters_;
};

}  // namespace goro

// Program: a bounded queue built from a goro::mutex and two goro::condition_variables
// (Go's sync.Cond producer/consumer): producers wait while it is full, consumers while
// it is empty, and closing it wakes every waiter. 4 producers and 4 consumers; checks
// the count and the sum of what was consumed, and that nothing is left waiting.
#include <goro/goro.hpp>

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "program_check.hpp"

namespace {

template <class T>
class bounded_queue {
 public:
  explicit bounded_queue(std::size_t cap) : cap_(cap) {}

  void push(T v) {
    std::unique_lock lk(mu_);
    not_full_.wait(lk, [&] { return items_.size() < cap_; });
    items_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  // nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lk(mu_);
    not_empty_.wait(lk, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard lk(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  goro::mutex mu_;
  goro::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  const std::size_t cap_;
  bool closed_ = false;
};

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "cond_queue";
    const std::int64_t per_producer = goro_programs::scaled(25'000, 5);
    const int producers = 4, consumers = 4;

    bounded_queue<std::int64_t> q(8);
    goro::wait_group producing;
    for (int p = 0; p < producers; ++p) {
      producing.add(1);
      goro::go([&, p] {
        for (std::int64_t i = 0; i < per_producer; ++i) q.push(p * per_producer + i);
        producing.done();
      });
    }
    goro::go([&] {
      producing.wait();
      q.close();
    });

    struct tally {
      std::int64_t count = 0, sum = 0;
    };
    auto tallies = goro::make_chan<tally>();
    for (int c = 0; c < consumers; ++c)
      goro::go([&q, tallies] {
        tally t;
        while (auto v = q.pop()) {
          ++t.count;
          t.sum += *v;
        }
        tallies.send(t);
      });
    tally all;
    for (int c = 0; c < consumers; ++c) {
      tally t = *tallies.recv();
      all.count += t.count;
      all.sum += t.sum;
    }

    const std::int64_t n = producers * per_producer;
    bool ok = true;
    ok &= goro_programs::expect_eq(name, "count", all.count, n);
    ok &= goro_programs::expect_eq(name, "sum", all.sum, n * (n - 1) / 2);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}

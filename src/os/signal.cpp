// Signal delivery to channels. See include/goro/signal.hpp.
//
// The handler only records the signal in a pending mask and posts a semaphore (both
// async-signal-safe); a delivery thread of the runtime's own (never counted as a plain
// thread) takes the pending signals and try_sends each to every channel registered for
// it, under the registry's lock, which signal_stop also takes: so after signal_stop
// returns, no delivery to that channel is in progress or to come.
#include "goro/signal.hpp"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "goro/runtime.hpp"
#include "goro/select.hpp"
#include "sched/plain_thread.hpp"

namespace goro {

namespace {
constexpr int kMaxSignal = 64;

struct registration {
  send_chan<int> c;
  int sig;
};

struct registry {
  std::mutex mu;
  std::vector<registration> entries;
  struct sigaction previous[kMaxSignal + 1];
  bool installed[kMaxSignal + 1] = {};
  bool thread_started = false;
};
registry& reg() {
  static registry* r = new registry();  // never destroyed: the handler may run at exit
  return *r;
}

std::atomic<std::uint64_t> pending{0};
std::atomic<std::uint64_t> watched_mask{0};  // signals some channel watches (bit sig-1)
std::atomic<int> watched_count{0};
sem_t arrived;

void on_signal(int sig) {
  int saved = errno;
  pending.fetch_or(std::uint64_t{1} << (sig - 1), std::memory_order_release);
  sem_post(&arrived);
  errno = saved;
}

// The delivery thread accepts every watched signal even if the program blocks it in its
// own threads (which then never see it): a signal that lands on a thread sleeping in a
// raw futex wait is still handled at once (TSan, for one, defers a handler on such a
// thread until it next enters an intercepted call).
void unblock_watched(std::uint64_t& unblocked) {
  std::uint64_t want = watched_mask.load(std::memory_order_acquire);
  if ((want & ~unblocked) == 0) return;
  sigset_t set;
  sigemptyset(&set);
  for (int sig = 1; sig <= kMaxSignal; ++sig)
    if (want & (std::uint64_t{1} << (sig - 1))) sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  unblocked |= want;
}

void deliver_loop() {
  detail::runtime_thread_scope runtime_thread;
  std::uint64_t unblocked = 0;
  for (;;) {
    unblock_watched(unblocked);
    while (sem_wait(&arrived) != 0) {
    }
    std::uint64_t bits = pending.exchange(0, std::memory_order_acquire);
    if (!bits) continue;
    registry& r = reg();
    std::lock_guard lk(r.mu);
    for (int sig = 1; sig <= kMaxSignal; ++sig) {
      if (!(bits & (std::uint64_t{1} << (sig - 1)))) continue;
      for (const registration& e : r.entries)
        if (e.sig == sig) e.c.try_send(sig);  // never blocks: a full channel misses it
    }
  }
}

void check_signal(int sig) {
  if (sig < 1 || sig > kMaxSignal || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
      sig == SIGKILL || sig == SIGSTOP)
    throw std::invalid_argument("goro::signal_notify: signal " + std::to_string(sig) + " cannot be watched");
}

// Restores the previous disposition of every signal no entry watches any more (r.mu held).
void restore_unwatched(registry& r) {
  for (int sig = 1; sig <= kMaxSignal; ++sig) {
    if (!r.installed[sig]) continue;
    bool still = std::any_of(r.entries.begin(), r.entries.end(), [&](const registration& e) { return e.sig == sig; });
    if (still) continue;
    sigaction(sig, &r.previous[sig], nullptr);
    r.installed[sig] = false;
  }
  watched_count.store(static_cast<int>(r.entries.size()), std::memory_order_seq_cst);
}
}  // namespace

void signal_notify(const send_chan<int>& c, std::initializer_list<int> signals) {
  if (!c) throw std::invalid_argument("goro::signal_notify: nil channel");
  for (int sig : signals) check_signal(sig);
  registry& r = reg();
  std::lock_guard lk(r.mu);
  if (!r.thread_started) {
    sem_init(&arrived, 0, 0);
    std::thread t(&deliver_loop);
    pthread_setname_np(t.native_handle(), "goro-signals");  // shown by gdb, top, /proc
    t.detach();
    r.thread_started = true;
  }
  r.entries.reserve(r.entries.size() + signals.size());  // std::bad_alloc here changes nothing
  for (int sig : signals) {
    bool dup = std::any_of(r.entries.begin(), r.entries.end(),
                           [&](const registration& e) { return e.sig == sig && e.c == c; });
    if (!dup) r.entries.push_back({c, sig});
    watched_mask.fetch_or(std::uint64_t{1} << (sig - 1), std::memory_order_release);
    if (!r.installed[sig]) {
      struct sigaction sa {};
      sa.sa_handler = &on_signal;
      sa.sa_flags = SA_RESTART | SA_ONSTACK;
      sigfillset(&sa.sa_mask);
      sigaction(sig, &sa, &r.previous[sig]);
      r.installed[sig] = true;
    }
  }
  watched_count.store(static_cast<int>(r.entries.size()), std::memory_order_seq_cst);
  sem_post(&arrived);  // the delivery thread unblocks newly watched signals
}

void signal_stop(const send_chan<int>& c) {
  registry& r = reg();
  std::lock_guard lk(r.mu);
  std::erase_if(r.entries, [&](const registration& e) { return e.c == c; });
  restore_unwatched(r);
}

std::pair<context, cancel_func> signal_context(const context& parent, std::initializer_list<int> signals) {
  auto [ctx, cancel] = with_cancel(parent);
  auto c = make_chan<int>(1);
  signal_notify(c, signals);
  go([c, ctx = ctx, cancel = cancel] {
    select(recv_case(c, [&] { cancel(); }), recv_case(ctx.done()));
    signal_stop(c);
  });
  return {ctx, cancel};
}

namespace detail {
bool signals_watched() noexcept { return watched_count.load(std::memory_order_seq_cst) > 0; }
}  // namespace detail

}  // namespace goro

// select over channels. See include/goro/detail/select_core.hpp.
#include "goro/detail/select_core.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "goro/panic.hpp"

namespace goro::detail {

namespace {

// A cheap per-thread generator for the poll order (xorshift64*).
std::uint64_t next_random() noexcept {
  thread_local std::uint64_t state = 0;
  if (state == 0) state = reinterpret_cast<std::uintptr_t>(&state) * 0x9E3779B97F4A7C15ULL | 1;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

// Room for n elements: in the object for the usual few, on the heap beyond. The room is
// allocated by the constructor, so a select allocates everything before it takes any
// lock (a std::bad_alloc under its channels' locks would leave them locked for good).
// Trivial elements are left uninitialized (a select must not pay for zeroing what it
// does not use); others are constructed by reset(), which never allocates, and
// destroyed by the next reset() or the destructor.
template <class T, std::size_t N = 8>
class small_array {
 public:
  explicit small_array(std::size_t n) : n_(n) {
    data_ = n <= N ? reinterpret_cast<T*>(inline_) : static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{alignof(T)}));
    if constexpr (std::is_trivially_default_constructible_v<T>) reset();
  }
  ~small_array() {
    destroy();
    if (n_ > N) ::operator delete(data_, std::align_val_t{alignof(T)});
  }
  small_array(const small_array&) = delete;
  small_array& operator=(const small_array&) = delete;
  // Fresh elements (default-initialized) in place of the old ones.
  void reset() noexcept {
    static_assert(std::is_nothrow_default_constructible_v<T>);
    destroy();
    for (std::size_t i = 0; i < n_; ++i) ::new (data_ + i) T;
    live_ = true;
  }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  T* begin() noexcept { return data_; }

 private:
  void destroy() noexcept {
    if (live_)
      for (std::size_t i = 0; i < n_; ++i) data_[i].~T();
    live_ = false;
  }
  alignas(T) unsigned char inline_[N * sizeof(T)];
  std::size_t n_;
  T* data_;
  bool live_ = false;
};

// Sorts the few channel pointers of a select (insertion sort: n is small).
void sort_small(chan_core** a, std::size_t n) noexcept {
  for (std::size_t i = 1; i < n; ++i) {
    chan_core* x = a[i];
    std::size_t j = i;
    for (; j > 0 && a[j - 1] > x; --j) a[j] = a[j - 1];
    a[j] = x;
  }
}

// The distinct channels of a select, in address order (the lock order).
struct lock_set {
  chan_core** cores;
  std::size_t n;
  // Every lock but skip's (null: all of them).
  void lock_all(const chan_core* skip = nullptr) noexcept {
    for (std::size_t i = 0; i < n; ++i)
      if (cores[i] != skip) cores[i]->lock.lock();
  }
  void unlock_all(const chan_core* skip = nullptr) noexcept {
    for (std::size_t i = n; i-- > 0;)
      if (cores[i] != skip) cores[i]->lock.unlock();
  }
};

bool unlock_all_commit(void* set) {
  static_cast<lock_set*>(set)->unlock_all();
  return true;
}

}  // namespace

std::size_t select_impl(select_case_desc* cases, std::size_t n, bool has_default) {
  small_array<std::uint32_t> order(n);
  small_array<chan_core*> cores(n);
  small_array<chan_waiter> waiters(n);  // constructed only if the select blocks
  std::size_t ncores = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (cases[i].core) cores[ncores++] = cases[i].core;
  if (ncores == 0) {
    if (has_default) return n;
    block_forever(n == 0 ? wait_reason::select_no_cases : wait_reason::select);
  }
  if (ncores <= 16) sort_small(cores.begin(), ncores);
  else std::sort(cores.begin(), cores.begin() + ncores);
  ncores = static_cast<std::size_t>(std::unique(cores.begin(), cores.begin() + ncores) - cores.begin());
  lock_set locks{cores.begin(), ncores};

  for (;;) {
    // 1. A random poll order; take the first ready case.
    order[0] = 0;
    for (std::size_t i = 1; i < n; ++i) {
      // A uniform index in [0, i] by multiply-shift (Lemire), not a division.
      std::size_t j = static_cast<std::size_t>(((next_random() >> 32) * (i + 1)) >> 32);
      order[i] = order[j];
      order[j] = static_cast<std::uint32_t>(i);
    }
    chan_waiter* wake = nullptr;
    std::size_t ready = n;
    chan_core::step ready_step = chan_core::step::blocked;
    locks.lock_all();
    try {
      for (std::size_t k = 0; k < n && ready == n; ++k) {
        select_case_desc& c = cases[order[k]];
        if (!c.core) continue;
        ready_step = c.is_send ? c.core->try_send_locked(c.elem, &wake) : c.core->try_recv_locked(c.elem, &wake);
        if (ready_step != chan_core::step::blocked) ready = order[k];
      }
    } catch (...) {
      // An element's move threw under the locks.
      locks.unlock_all();
      if (wake) wake_chan_waiter(wake);
      throw;
    }
    if (ready != n) {
      locks.unlock_all();
      if (wake) wake_chan_waiter(wake);
      if (ready_step == chan_core::step::closed && cases[ready].is_send)
        throw closed_channel("send on closed channel");
      return ready;
    }
    if (has_default) {
      locks.unlock_all();
      return n;
    }

    // 2. Enqueue a waiter on every channel, in the random poll order, and park. A peer
    // that comes later takes the first claimable waiter of its channel's queue, so
    // cases on one channel must be queued in random order too (Go's rule: among ready
    // cases, one chosen uniformly at random, always).
    select_state state;
    waiter self;
    prepare_waiter(self);
    waiters.reset();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = order[k];
      select_case_desc& c = cases[i];
      if (!c.core) continue;
      chan_waiter& w = waiters[i];
      w.w = self;
      w.elem = c.elem;
      w.sel = &state;
      w.case_index = static_cast<std::uint32_t>(i);
      (c.is_send ? c.core->sendq : c.core->recvq).push_back(&w);
    }
    park_waiter(self, wait_reason::select, &unlock_all_commit, &locks);

    // 3. Withdraw the other cases' waiters, under the locks of their channels only: the
    // operation that fired took the winner's waiter off its queue already. (A stale
    // waiter may be dropped from its queue by another operation at any time, under its
    // channel's lock, hence the locks for the rest.)
    std::size_t chosen = state.done.load(std::memory_order_acquire) - 1;
    const chan_core* skip = cases[chosen].core;  // unless another case waits on it too
    for (std::size_t i = 0; i < n && skip; ++i)
      if (i != chosen && cases[i].core == skip) skip = nullptr;
    locks.lock_all(skip);
    for (std::size_t i = 0; i < n; ++i)
      if (i != chosen && cases[i].core) (cases[i].is_send ? cases[i].core->sendq : cases[i].core->recvq).remove(&waiters[i]);
    locks.unlock_all(skip);
    chan_waiter& won = waiters[chosen];
    switch (won.result) {
      case chan_waiter::outcome::completed:
        return chosen;
      case chan_waiter::outcome::closed:
        if (cases[chosen].is_send) throw closed_channel("send on closed channel");
        return chosen;
      case chan_waiter::outcome::failed:
        std::rethrow_exception(won.error);
      case chan_waiter::outcome::retry:
      case chan_waiter::outcome::pending:
        break;  // select again
    }
  }
}

}  // namespace goro::detail

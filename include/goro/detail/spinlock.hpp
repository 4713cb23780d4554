// spinlock: the lock inside goro's synchronization types. Critical sections are a few
// instructions (queue links), and a park's commit may release it right after the switch,
// on the same thread but in another context, which std::mutex's owner tracking (and
// TSan's) does not allow. Test-and-test-and-set with exponential backoff, then yields.
#pragma once

#include <atomic>
#include <thread>

namespace goro::detail {

// One iteration of a busy-wait: tells the CPU we are spinning (x86 PAUSE).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

class spinlock {
 public:
  void lock() noexcept {
    if (__builtin_expect(!flag_.exchange(true, std::memory_order_acquire), 1)) return;
    lock_contended();
  }
  bool try_lock() noexcept { return !flag_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { flag_.store(false, std::memory_order_release); }

  // Pauses between two looks at a held lock: doubling from 1 up to this (~1.7 us of
  // PAUSE on this VM's EPYC), and looks before each further one yields the thread.
  static constexpr int kMaxBackoff = 64;
  static constexpr int kLooksBeforeYield = 8;

 private:
  // Test-and-test-and-set with exponential backoff. The holder of a channel's lock
  // typically takes it again a few instructions after releasing it (a producer or a
  // consumer in a loop); a waiter that looks back at once takes the line, and the lock,
  // from it on every release, so each operation paid for cache-line transfers between
  // cores (W5 4p4c on two workers: 102 ns per item; with the backoff 31; plain-thread
  // producer and consumer: 109 -> 59-65). The yield is for a holder that the machine has
  // descheduled.
  __attribute__((noinline)) void lock_contended() noexcept {
    int backoff = 1;
    for (int looks = 0;; ++looks) {
      for (int i = 0; i < backoff; ++i) cpu_relax();
      if (backoff < kMaxBackoff) backoff *= 2;
      if (looks >= kLooksBeforeYield) std::this_thread::yield();
      if (!flag_.load(std::memory_order_relaxed) && !flag_.exchange(true, std::memory_order_acquire)) return;
    }
  }

  std::atomic<bool> flag_{false};
};

// A park commit (see park.hpp) that releases the spinlock at `lock`: the usual way to
// publish a waiter in a queue that this spinlock guards.
inline bool unlock_after_park(void* lock) {
  static_cast<spinlock*>(lock)->unlock();
  return true;
}

}  // namespace goro::detail

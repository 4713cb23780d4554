// spinlock: the lock inside goro's synchronization types. Critical sections are a few
// instructions (queue links), and a park's commit may release it right after the switch,
// on the same thread but in another context, which std::mutex's owner tracking (and
// TSan's) does not allow. Test-and-test-and-set with a pause, then a thread yield.
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
    for (int spins = 0; flag_.exchange(true, std::memory_order_acquire); ++spins) {
      while (flag_.load(std::memory_order_relaxed)) {
        if (spins < 64) {
          cpu_relax();
          ++spins;
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  bool try_lock() noexcept { return !flag_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

// A park commit (see park.hpp) that releases the spinlock at `lock`: the usual way to
// publish a waiter in a queue that this spinlock guards.
inline bool unlock_after_park(void* lock) {
  static_cast<spinlock*>(lock)->unlock();
  return true;
}

}  // namespace goro::detail

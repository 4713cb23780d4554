// adaptive_mutex: a BasicLockable over glibc's PTHREAD_MUTEX_ADAPTIVE_NP mutex, which
// spins briefly before sleeping in the kernel. For runtime-internal locks whose critical
// sections are short but contended by the workers at once (the shared stack pool when
// every P starts goroutines): a plain std::mutex went to futex wait/wake on nearly every
// collision, and a futex round trip costs microseconds on this VM.
#pragma once

#include <pthread.h>

namespace goro::detail::platform {

class adaptive_mutex {
 public:
  adaptive_mutex() noexcept {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&m_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~adaptive_mutex() { pthread_mutex_destroy(&m_); }
  adaptive_mutex(const adaptive_mutex&) = delete;
  adaptive_mutex& operator=(const adaptive_mutex&) = delete;
  void lock() noexcept { pthread_mutex_lock(&m_); }
  void unlock() noexcept { pthread_mutex_unlock(&m_); }

 private:
  pthread_mutex_t m_;
};

}  // namespace goro::detail::platform

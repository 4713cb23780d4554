// The allocation-fault hook of the tests that link alloc_hook.cpp (see the "alloc" entry in
// src/platform/fault_injection.hpp): that file replaces the global operator new and
// delete, and operator new throws std::bad_alloc (the nothrow forms return null) when
// the fault plan's "alloc" entry says so. By default every thread's allocations consult
// the plan; while an alloc_faults_on_this_thread lives, only the allocations of the
// threads that hold one do (GoogleTest's own and other threads' are left alone).
#pragma once

namespace goro::test {

// Marks the calling thread. Construct and destroy it on one thread: nothing in between
// may park (a goroutine may resume on another thread after a park).
class alloc_faults_on_this_thread {
 public:
  alloc_faults_on_this_thread() noexcept;
  ~alloc_faults_on_this_thread();
  alloc_faults_on_this_thread(const alloc_faults_on_this_thread&) = delete;
  alloc_faults_on_this_thread& operator=(const alloc_faults_on_this_thread&) = delete;

 private:
  bool* marked_;
};

}  // namespace goro::test

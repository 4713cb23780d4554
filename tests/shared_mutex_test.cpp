// Tests for goro::shared_mutex (Go's RWMutex): readers share, writers exclude, a waiting
// writer blocks new readers, readers queued during a write get in after it, standard
// lock adaptors, and fatal unlocks of an unlocked lock.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>

using namespace std::chrono_literals;

namespace {

TEST(SharedMutex, ReadersShareWritersExclude) {
  goro::shared_mutex m;
  EXPECT_TRUE(m.try_lock_shared());
  EXPECT_TRUE(m.try_lock_shared());
  EXPECT_FALSE(m.try_lock());
  m.unlock_shared();
  m.unlock_shared();
  EXPECT_TRUE(m.try_lock());
  EXPECT_FALSE(m.try_lock_shared());
  EXPECT_FALSE(m.try_lock());
  m.unlock();
  { std::shared_lock r(m); std::shared_lock r2(m); }
  { std::lock_guard w(m); }
}

TEST(SharedMutex, ManyReadersAtOnceAndCountsStayExact) {
  goro::shared_mutex m;
  long value = 0;
  std::atomic<int> max_readers{0}, readers{0};
  goro::run([&] {
    goro::wait_group wg;
    wg.add(40);
    for (int i = 0; i < 40; ++i)
      goro::go([&, i] {
        for (int k = 0; k < 200; ++k) {
          if (i % 4 == 0) {
            std::lock_guard w(m);
            ++value;
          } else {
            std::shared_lock r(m);
            int now = readers.fetch_add(1) + 1;
            int prev = max_readers.load();
            while (now > prev && !max_readers.compare_exchange_weak(prev, now)) {
            }
            if (k % 50 == 0) goro::yield();  // hold the read lock across a switch
            readers.fetch_sub(1);
          }
        }
        wg.done();
      });
    wg.wait();
  });
  EXPECT_EQ(value, 10 * 200);
  EXPECT_GE(max_readers.load(), 1);
}

TEST(SharedMutex, AWaitingWriterBlocksNewReaders) {
  goro::run([] {
    goro::shared_mutex m;
    m.lock_shared();  // an existing reader
    std::atomic<bool> writer_in{false}, late_reader_in{false};
    goro::wait_group wg;
    wg.add(2);
    goro::go([&] {
      m.lock();  // waits for the reader
      writer_in = true;
      goro::sleep(5ms);
      EXPECT_FALSE(late_reader_in.load());  // the late reader waited behind the writer
      m.unlock();
      wg.done();
    });
    while (m.try_lock_shared()) {  // until the writer is queued, readers still get in
      m.unlock_shared();
      goro::yield();
    }
    goro::go([&] {
      m.lock_shared();  // arrives after the writer queued: waits for it
      EXPECT_TRUE(writer_in.load());
      late_reader_in = true;
      m.unlock_shared();
      wg.done();
    });
    goro::yield();
    m.unlock_shared();  // lets the writer in
    wg.wait();
  });
}

TEST(SharedMutex, UnlockingWhatIsNotHeldIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(goro::run([] {
                goro::shared_mutex m;
                m.unlock();
              }),
              ::testing::ExitedWithCode(2), "fatal error: sync: Unlock of unlocked RWMutex");
  EXPECT_EXIT(
      {
        goro::shared_mutex m;
        m.unlock_shared();
      },
      ::testing::ExitedWithCode(2), "fatal error: sync: RUnlock of unlocked RWMutex");
}

}  // namespace

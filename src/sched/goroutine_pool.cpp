// The scheduler's goroutine control blocks: allocation in registered chunks, per-P
// pointer caches with a shared FIFO pool (block_pool.hpp), goroutine ids in per-P
// batches, and the goroutine count (per-P counters summed on read).
#include "sched/scheduler.hpp"

namespace goro::detail {

namespace {
constexpr int kGoroutineChunk = 128;
}  // namespace

goroutine* scheduler::alloc_g(processor* p) {
  goroutine* g = nullptr;
  if (p) {
    if (p->free_g_count == 0)
      p->free_g_count = static_cast<int>(free_.take(p->free_g, processor::kFreeGCache / 2));
    if (p->free_g_count > 0) {
      g = p->free_g[--p->free_g_count];
      // The next spawn's block may be cold (freed on another P): start fetching it.
      if (p->free_g_count > 0) prefetch_block(p->free_g[p->free_g_count - 1]);
      return g;
    }
  } else if (free_.take(&g, 1) == 1) {
    return g;
  }
  // A new chunk, registered once in the all-goroutines list. The pool makes room for
  // its blocks first, so that freeing them never allocates; either allocation may throw
  // std::bad_alloc to the spawner, with nothing changed.
  free_.make_room(kGoroutineChunk);
  goroutine* chunk;
  try {
    chunk = new goroutine[kGoroutineChunk];
  } catch (...) {
    free_.unmake(kGoroutineChunk);
    throw;
  }
  for (int i = 0; i < kGoroutineChunk; ++i) {
    goroutine* x = &chunk[i];
    goroutine* head = all_.load(std::memory_order_relaxed);
    do x->all_next = head;
    while (!all_.compare_exchange_weak(head, x, std::memory_order_release, std::memory_order_relaxed));
  }
  for (int i = kGoroutineChunk - 1; i >= 1; --i) free_g(p, &chunk[i]);
  return &chunk[0];
}

void scheduler::free_g(processor* p, goroutine* g) noexcept {
  g->state.store(g_state::free, std::memory_order_release);
  g->ctx = nullptr;
  g->task_run = nullptr;
  if (!p) {
    free_.put(&g, 1);
    return;
  }
  if (p->free_g_count == processor::kFreeGCache) {
    // Full: the oldest half goes to the shared pool.
    constexpr int half = processor::kFreeGCache / 2;
    free_.put(p->free_g, half);
    std::copy(p->free_g + half, p->free_g + processor::kFreeGCache, p->free_g);
    p->free_g_count = half;
  }
  p->free_g[p->free_g_count++] = g;
}

std::uint64_t scheduler::new_id(processor* p) noexcept {
  if (!p) return next_id_.fetch_add(1, std::memory_order_relaxed);
  if (p->next_id == p->end_id) {
    p->next_id = next_id_.fetch_add(processor::kIdBatch, std::memory_order_relaxed);
    p->end_id = p->next_id + processor::kIdBatch;
  }
  return p->next_id++;
}

std::size_t scheduler::goroutine_count() const noexcept {
  std::int64_t n = created_off_worker.load(std::memory_order_relaxed);
  for_each_p([&](processor* p) {
    n += p->created.load(std::memory_order_relaxed) - p->exited.load(std::memory_order_relaxed);
  });
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

}  // namespace goro::detail

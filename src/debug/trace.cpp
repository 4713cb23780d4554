// The execution trace. See trace.hpp.
#include "debug/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "goro/detail/spinlock.hpp"
#include "platform/clock.hpp"
#include "sched/fatal.hpp"
#include "sched/goroutine.hpp"
#include "sched/worker.hpp"

namespace goro::detail {

bool trace_enabled = false;

namespace {
constexpr std::size_t kRingEvents = 1 << 18;  // per worker: 262,144 events, 8 MiB
constexpr int kPlainThreads = -1;             // the timeline of events off any worker

struct trace_rec {
  std::int64_t ts;
  std::uint64_t g;
  std::uint64_t other;
  trace_kind kind;
  wait_reason reason;
  std::int32_t tid;
};

struct ring {
  spinlock mu;
  std::vector<trace_rec> recs;
  std::size_t next = 0;  // total appended; the slot is next % kRingEvents
  int tid = 0;
  void push(const trace_rec& r) {
    std::lock_guard lk(mu);
    if (recs.size() < kRingEvents)
      recs.push_back(r);
    else
      recs[next % kRingEvents] = r;
    ++next;
  }
};

std::mutex rings_mu;
std::vector<ring*> rings;  // every worker's, plus the plain threads' (never freed)
ring* plain_ring = nullptr;
std::string trace_path;

ring* ring_of(worker* w) {
  if (!w) return plain_ring;
  if (!w->trace_ring) {
    auto r = std::make_unique<ring>();
    r->tid = w->id;
    std::lock_guard lk(rings_mu);
    rings.push_back(r.get());
    w->trace_ring = r.release();
  }
  return static_cast<ring*>(w->trace_ring);
}

const char* end_label(trace_kind k) {
  switch (k) {
    case trace_kind::yield: return "yield";
    case trace_kind::park: return "park";
    case trace_kind::exit: return "exit";
    default: return "?";
  }
}

void write_file() {
  std::vector<trace_rec> all;
  {
    std::lock_guard lk(rings_mu);
    for (ring* r : rings) {
      std::lock_guard rl(r->mu);
      all.insert(all.end(), r->recs.begin(), r->recs.end());
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const trace_rec& a, const trace_rec& b) { return a.ts < b.ts; });
  std::FILE* f = std::fopen(trace_path.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "goro: GORO_TRACE: cannot write %s\n", trace_path.c_str());
    return;
  }
  std::int64_t t0 = all.empty() ? 0 : all.front().ts;
  auto us = [&](std::int64_t ts) { return static_cast<double>(ts - t0) / 1000.0; };
  std::fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
  bool first = true;
  auto comma = [&] {
    if (!first) std::fputs(",\n", f);
    first = false;
  };
  std::vector<int> tids;
  for (const trace_rec& r : all)
    if (std::find(tids.begin(), tids.end(), r.tid) == tids.end()) tids.push_back(r.tid);
  for (int tid : tids) {
    comma();
    if (tid == kPlainThreads)
      std::fprintf(f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"plain threads\"}}", tid);
    else
      std::fprintf(f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"worker %d\"}}", tid, tid);
  }
  struct open_slice {
    std::uint64_t g;
    std::int64_t ts;
    std::uint64_t arrow;  // the flow that ends at this run, 0 if none
  };
  std::unordered_map<int, open_slice> running;              // tid -> the slice in progress
  std::unordered_map<std::uint64_t, std::uint64_t> arrows;  // goroutine -> pending flow id
  std::uint64_t flow = 0;
  for (const trace_rec& r : all) {
    switch (r.kind) {
      case trace_kind::create:
        comma();
        std::fprintf(f, "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"go g%llu\",\"cat\":\"create\",\"pid\":1,\"tid\":%d,"
                        "\"ts\":%.3f,\"args\":{\"parent\":%llu}}",
                     static_cast<unsigned long long>(r.g), r.tid, us(r.ts), static_cast<unsigned long long>(r.other));
        break;
      case trace_kind::ready:
        comma();
        ++flow;
        std::fprintf(f, "{\"ph\":\"s\",\"id\":%llu,\"name\":\"ready\",\"cat\":\"ready\",\"pid\":1,\"tid\":%d,\"ts\":%.3f}",
                     static_cast<unsigned long long>(flow), r.tid, us(r.ts));
        arrows[r.g] = flow;
        break;
      case trace_kind::begin: {
        // The arrow that readied it ends at this run, written once the run has ended
        // (a run still going when the file is written has no slice to point at).
        std::uint64_t arrow = 0;
        if (auto it = arrows.find(r.g); it != arrows.end()) {
          arrow = it->second;
          arrows.erase(it);
        }
        running[r.tid] = {r.g, r.ts, arrow};
        break;
      }
      case trace_kind::yield:
      case trace_kind::park:
      case trace_kind::exit: {
        auto it = running.find(r.tid);
        if (it == running.end() || it->second.g != r.g) break;  // its start fell out of the ring
        comma();
        std::string why = end_label(r.kind);
        if (r.kind == trace_kind::park) {
          why += ": ";
          why += wait_reason_name(r.reason);
        }
        std::fprintf(f, "{\"ph\":\"X\",\"name\":\"g%llu\",\"cat\":\"run\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,"
                        "\"dur\":%.3f,\"args\":{\"goroutine\":%llu,\"ended\":\"%s\"}}",
                     static_cast<unsigned long long>(r.g), r.tid, us(it->second.ts),
                     static_cast<double>(r.ts - it->second.ts) / 1000.0, static_cast<unsigned long long>(r.g),
                     why.c_str());
        if (it->second.arrow) {
          comma();
          std::fprintf(f, "{\"ph\":\"f\",\"bp\":\"e\",\"id\":%llu,\"name\":\"ready\",\"cat\":\"ready\",\"pid\":1,"
                          "\"tid\":%d,\"ts\":%.3f}",
                       static_cast<unsigned long long>(it->second.arrow), r.tid, us(it->second.ts));
        }
        running.erase(it);
        break;
      }
    }
  }
  std::fputs("\n]}\n", f);
  std::fclose(f);
}
}  // namespace

void trace_record(worker* w, trace_kind k, const goroutine* g, std::uint64_t other, wait_reason reason) noexcept {
  if (k == trace_kind::create && g) other = g->parent_id.load(std::memory_order_relaxed);
  if (k == trace_kind::ready && w && w->current) other = w->current->goid();
  try {
    ring* r = ring_of(w);
    r->push({platform::now_ns(), g ? g->goid() : 0, other, k, reason, w ? w->id : kPlainThreads});
  } catch (const std::bad_alloc&) {
    // Out of memory for the ring: the event is not recorded (the trace is best effort).
  }
}

void trace_start() {
  const char* path = std::getenv("GORO_TRACE");
  if (!path || !*path) return;
  trace_path = path;
  plain_ring = new ring();
  plain_ring->tid = kPlainThreads;
  rings.push_back(plain_ring);
  trace_enabled = true;
  std::atexit([] { trace_flush(); });
}

void trace_flush() noexcept {
  if (!trace_enabled) return;
  static std::mutex file_mu;
  std::lock_guard lk(file_mu);
  try {
    write_file();
  } catch (...) {
    std::fputs("goro: GORO_TRACE: out of memory writing the trace\n", stderr);
  }
}

}  // namespace goro::detail

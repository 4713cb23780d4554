// Fatal paths and the goroutine lines of their reports. See fatal.hpp.
#include "sched/fatal.hpp"

#include "debug/stack_trace.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <cstring>
#include <string>

#include "platform/clock.hpp"
#include "sched/worker.hpp"

namespace goro::detail {

[[noreturn]] static void exit_now() noexcept {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(2);
}

void fatal(const char* msg) noexcept {
  std::fprintf(stderr, "fatal error: %s\n", msg);
  exit_now();
}

void fatal_out_of_memory(const char* what) noexcept {
  std::fprintf(stderr, "fatal error: runtime: out of memory: cannot allocate %s\n", what);
  exit_now();
}

void print_goroutine(std::FILE* out, const goroutine& g, std::int64_t now_ns) {
  std::string text = format_goroutine(g, now_ns);
  std::fwrite(text.data(), 1, text.size(), out);
}

namespace {
// Go's format: the function, then its location on the next line, indented; frames from
// the goroutine's entry trampoline down are left out.
void append_frames(std::string& out, const std::vector<stack_frame>& frames) {
  char buf[1024];
  for (const stack_frame& f : frames) {
    if (f.function.find("goroutine_entry") != std::string::npos) break;
    // "module+0x<call site>": addr2line -Cfe <module> <call site> gives its file:line.
    std::snprintf(buf, sizeof buf, "%s +0x%llx\n\t%s+0x%llx\n", f.function.c_str(),
                  static_cast<unsigned long long>(f.offset), f.module.empty() ? "?" : f.module.c_str(),
                  static_cast<unsigned long long>(f.module_offset));
    out += buf;
  }
}
}  // namespace

std::string format_goroutine(const goroutine& g, std::int64_t now_ns, const std::vector<stack_frame>* frames) {
  char buf[1024];
  std::string out;
  g_state st = g.state.load(std::memory_order_acquire);
  std::snprintf(buf, sizeof buf, "goroutine %llu [", static_cast<unsigned long long>(g.goid()));
  out += buf;
  if (st == g_state::waiting) {
    out += wait_reason_name(g.reason.load(std::memory_order_relaxed));
    std::int64_t since = g.wait_since_ns.load(std::memory_order_relaxed);
    std::int64_t minutes = since > 0 ? (now_ns - since) / 60'000'000'000LL : 0;
    if (minutes >= 1) {
      std::snprintf(buf, sizeof buf, ", %lld minutes", static_cast<long long>(minutes));
      out += buf;
    }
  } else {
    out += g_state_name(st);
  }
  out += "]:\n";
  if (frames)
    append_frames(out, *frames);
  else if (st == g_state::waiting)
    append_frames(out, parked_stack(g));
  out += "created by ";
  out += g.site_function.load(std::memory_order_relaxed);
  if (std::uint64_t parent = g.parent_id.load(std::memory_order_relaxed)) {
    std::snprintf(buf, sizeof buf, " in goroutine %llu", static_cast<unsigned long long>(parent));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "\n\t%s:%u\n\n", g.site_file.load(std::memory_order_relaxed),
                g.site_line.load(std::memory_order_relaxed));
  out += buf;
  return out;
}

namespace {
std::terminate_handler previous_terminate = nullptr;

// An exception escaped a goroutine (switch.cpp's run_task is noexcept), or something
// else called std::terminate on one: a panic, with the stack where it happened.
[[noreturn]] void on_terminate() {
  worker* w = current_worker();
  goroutine* g = w ? w->current : nullptr;
  if (!g) {
    if (previous_terminate) previous_terminate();
    std::abort();
  }
  std::vector<stack_frame> frames = current_stack();
  std::string what = "std::terminate called";
  if (std::exception_ptr ep = std::current_exception()) {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception (not derived from std::exception)";
    }
  }
  goroutine_panic(g, what.c_str(), &frames);
}
}  // namespace

void install_panic_handler() { previous_terminate = std::set_terminate(&on_terminate); }

void goroutine_panic(goroutine* g, const char* what, const std::vector<stack_frame>* frames) noexcept {
  std::fprintf(stderr, "panic: %s\n\n", what);
  if (g) {
    std::string text = format_goroutine(*g, platform::coarse_now_ns(), frames);
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  exit_now();
}

void stack_overflow(goroutine* g) noexcept {
  // Async-signal-safe: called from the SIGSEGV handler.
  char buf[160];
  unsigned long long id = g ? g->goid() : 0;
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + id % 10);
    id /= 10;
  } while (id);
  std::size_t len = 0;
  auto put = [&](const char* s) {
    std::size_t l = std::strlen(s);
    std::memcpy(buf + len, s, l);
    len += l;
  };
  put("fatal error: goroutine ");
  while (n) buf[len++] = digits[--n];
  put(" stack overflow (stacks do not grow: use goro::stack_size)\n");
  ssize_t ignored = write(STDERR_FILENO, buf, len);
  (void)ignored;
  _exit(2);
}

const char* g_state_name(g_state s) noexcept {
  switch (s) {
    case g_state::free: return "free";
    case g_state::runnable: return "runnable";
    case g_state::running: return "running";
    case g_state::waiting: return "waiting";
    case g_state::dead: return "dead";
  }
  return "?";
}

const char* wait_reason_name(wait_reason r) noexcept {
  switch (r) {
    case wait_reason::none: return "waiting";
    case wait_reason::chan_receive: return "chan receive";
    case wait_reason::chan_send: return "chan send";
    case wait_reason::select: return "select";
    case wait_reason::select_no_cases: return "select (no cases)";
    case wait_reason::chan_receive_nil: return "chan receive (nil chan)";
    case wait_reason::chan_send_nil: return "chan send (nil chan)";
    case wait_reason::sleep: return "sleep";
    case wait_reason::mutex_lock: return "sync.Mutex.Lock";
    case wait_reason::rw_mutex_lock: return "sync.RWMutex.Lock";
    case wait_reason::rw_mutex_rlock: return "sync.RWMutex.RLock";
    case wait_reason::cond_wait: return "sync.Cond.Wait";
    case wait_reason::wait_group: return "sync.WaitGroup.Wait";
    case wait_reason::semaphore: return "semacquire";
    case wait_reason::io_wait: return "IO wait";
    case wait_reason::run_main: return "goro.run";
    case wait_reason::timer_goroutine: return "timer goroutine (idle)";
  }
  return "?";
}

}  // namespace goro::detail

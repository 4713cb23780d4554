// Unwinding a parked goroutine from a copy of its stack. See stack_trace.hpp.
// (Symbol names come from stack_symbols.cpp, which uses libunwind's local API.)
#include "debug/stack_trace.hpp"

#include <execinfo.h>
#include <link.h>

#include <cstring>
#include <vector>

#include "sched/goroutine.hpp"

#include "debug/unwind_api.hpp"

namespace goro::detail {

// stack_symbols.cpp
bool symbolize(std::uintptr_t pc, std::string& function, std::uintptr_t& offset, std::string& module,
               std::uintptr_t& module_offset);

std::vector<stack_frame> current_stack(int max_frames) {
  std::vector<void*> pcs(static_cast<std::size_t>(max_frames) + 16);
  int n = backtrace(pcs.data(), static_cast<int>(pcs.size()));
  std::vector<stack_frame> frames;
  for (int i = 0; i < n; ++i) {
    stack_frame f;
    f.pc = reinterpret_cast<std::uintptr_t>(pcs[static_cast<std::size_t>(i)]);
    if (!symbolize(f.pc - 1, f.function, f.offset, f.module, f.module_offset)) f.function.assign(1, '?');
    else ++f.offset;
    frames.push_back(std::move(f));
  }
  // Start below the throw (GCC calls std::terminate before unwinding, so the thrower's
  // frames are still there), or else below the terminate machinery.
  std::size_t start = 0;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (frames[i].function.find("__cxa_throw") != std::string::npos) start = i + 1;
  if (start == 0)
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (frames[i].function.find("terminate") != std::string::npos) start = i + 1;
  // Then past what is left of the C++ runtime's own frames (the personality routine).
  auto runtime_frame = [](const stack_frame& f) {
    return f.module.find("libstdc++") != std::string::npos || f.module.find("libgcc_s") != std::string::npos;
  };
  while (start < frames.size() && runtime_frame(frames[start])) ++start;
  frames.erase(frames.begin(), frames.begin() + static_cast<std::ptrdiff_t>(std::min(start, frames.size())));
  if (static_cast<int>(frames.size()) > max_frames) frames.resize(static_cast<std::size_t>(max_frames));
  return frames;
}

#if defined(__x86_64__) && defined(GORO_HAVE_LIBUNWIND)

namespace {

// Boost.Context 1.74's x86-64 SysV frame at the saved context (jump_fcontext pushes the
// return address, then reserves 0x38 bytes: MXCSR/x87 CW at 0x0, R12 0x8, R13 0x10, R14
// 0x18, R15 0x20, RBX 0x28, RBP 0x30); the stack pointer after the return is ctx+0x40.
constexpr std::size_t kFrameR12 = 0x08, kFrameR13 = 0x10, kFrameR14 = 0x18, kFrameR15 = 0x20,
                      kFrameRbx = 0x28, kFrameRbp = 0x30, kFrameRip = 0x38, kFrameSize = 0x40;
constexpr std::size_t kMaxCopy = 1 << 20;

struct segment {
  std::uintptr_t lo, hi;
  bool exec;
  std::uintptr_t eh_frame_hdr;  // of the module, 0 if none
};

struct walk_state {
  std::uintptr_t copy_lo = 0;  // the stack address copy[0] came from
  std::vector<unsigned char> copy;
  unw_word_t regs[17] = {};
  std::vector<segment> segments;
};

int collect_segment(dl_phdr_info* info, std::size_t, void* out) {
  auto* segs = static_cast<std::vector<segment>*>(out);
  std::uintptr_t hdr = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i)
    if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME) hdr = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_R)) continue;
    std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    segs->push_back({lo, lo + ph.p_filesz, (ph.p_flags & PF_X) != 0, hdr});
  }
  return 0;
}

const segment* find_segment(const walk_state& w, std::uintptr_t addr, std::size_t len) {
  for (const segment& s : w.segments)
    if (addr >= s.lo && addr + len <= s.hi) return &s;
  return nullptr;
}

int access_mem(unw_addr_space_t, unw_word_t addr, unw_word_t* val, int write, void* arg) {
  auto* w = static_cast<walk_state*>(arg);
  if (write) return -UNW_EINVAL;
  if (addr >= w->copy_lo && addr + sizeof *val <= w->copy_lo + w->copy.size()) {
    std::memcpy(val, w->copy.data() + (addr - w->copy_lo), sizeof *val);
    return 0;
  }
  if (find_segment(*w, addr, sizeof *val)) {  // the binaries' own (file-backed) bytes
    std::memcpy(val, reinterpret_cast<const void*>(addr), sizeof *val);
    return 0;
  }
  return -UNW_EINVAL;  // anything else: stop rather than read unknown memory
}

int access_reg(unw_addr_space_t, unw_regnum_t reg, unw_word_t* val, int write, void* arg) {
  auto* w = static_cast<walk_state*>(arg);
  if (write || reg < 0 || reg > UNW_X86_64_RIP) return -UNW_EBADREG;
  *val = w->regs[reg];
  return 0;
}

int access_fpreg(unw_addr_space_t, unw_regnum_t, unw_fpreg_t*, int, void*) { return -UNW_EBADREG; }
int resume(unw_addr_space_t, unw_cursor_t*, void*) { return -UNW_EINVAL; }
int get_dyn_info_list_addr(unw_addr_space_t, unw_word_t*, void*) { return -UNW_ENOINFO; }
int get_proc_name(unw_addr_space_t, unw_word_t, char*, std::size_t, unw_word_t*, void*) { return -UNW_ENOINFO; }
void put_unwind_info(unw_addr_space_t, unw_proc_info_t* pi, void*) {
  std::free(pi->unwind_info);
  pi->unwind_info = nullptr;
}

// The module's .eh_frame_hdr search table, as libunwind wants it.
int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t* pi, int need_unwind_info, void* arg) {
  auto* w = static_cast<walk_state*>(arg);
  const segment* text = find_segment(*w, ip, 1);
  if (!text || !text->exec || !text->eh_frame_hdr) return -UNW_ENOINFO;
  const auto* hdr = reinterpret_cast<const unsigned char*>(text->eh_frame_hdr);
  // version 1; eh_frame_ptr pcrel|sdata4; fde_count udata4; table datarel|sdata4.
  if (hdr[0] != 1 || hdr[1] != 0x1b || hdr[2] != 0x03 || hdr[3] != 0x3b) return -UNW_ENOINFO;
  std::uint32_t fde_count;
  std::memcpy(&fde_count, hdr + 8, sizeof fde_count);
  unw_dyn_info_t di{};
  di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  di.start_ip = text->lo;
  di.end_ip = text->hi;
  di.u.rti.segbase = text->eh_frame_hdr;
  di.u.rti.table_data = text->eh_frame_hdr + 12;
  di.u.rti.table_len = fde_count * 8 / sizeof(unw_word_t);
  return api()->search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
}

unw_addr_space_t address_space() {
  static unw_addr_space_t as = [] {
    static unw_accessors_t acc{};
    acc.find_proc_info = &find_proc_info;
    acc.put_unwind_info = &put_unwind_info;
    acc.get_dyn_info_list_addr = &get_dyn_info_list_addr;
    acc.access_mem = &access_mem;
    acc.access_reg = &access_reg;
    acc.access_fpreg = &access_fpreg;
    acc.resume = &resume;
    acc.get_proc_name = &get_proc_name;
    unw_addr_space_t s = api()->create_addr_space(&acc, 0);
    if (s) api()->set_caching_policy(s, UNW_CACHE_NONE);  // no shared state between concurrent walks
    return s;
  }();
  return as;
}

// Reads the goroutine's saved context and stack while it may resume elsewhere: the
// result is checked against a second reading, so these racy reads are deliberate and
// hidden from the sanitizers.
struct raw_view {
  std::uint32_t park_seq;
  g_state state;
  std::uintptr_t ctx, lo, hi;
};
__attribute__((no_sanitize("thread", "address"))) raw_view read_view(const goroutine& g) {
  raw_view v;
  v.state = g.state.load(std::memory_order_acquire);
  v.park_seq = g.park_seq.load(std::memory_order_acquire);
  v.ctx = reinterpret_cast<std::uintptr_t>(*static_cast<void* const volatile*>(&g.ctx));
  v.lo = reinterpret_cast<std::uintptr_t>(*static_cast<char* const volatile*>(&g.stack.lo));
  v.hi = reinterpret_cast<std::uintptr_t>(*static_cast<char* const volatile*>(&g.stack.hi));
  return v;
}
__attribute__((no_sanitize("thread", "address"))) void copy_words(unsigned char* out, std::uintptr_t from,
                                                                   std::size_t n) {
  const volatile unsigned long* src = reinterpret_cast<const volatile unsigned long*>(from);
  for (std::size_t i = 0; i < n / sizeof(unsigned long); ++i) {
    unsigned long v = src[i];
    std::memcpy(out + i * sizeof v, &v, sizeof v);
  }
}

}  // namespace

bool stack_traces_supported() noexcept { return api() != nullptr; }

std::vector<stack_frame> parked_stack(const goroutine& g, int max_frames) {
  if (!api()) return {};
  raw_view before = read_view(g);
  if (before.state != g_state::waiting || !before.ctx || before.ctx < before.lo || before.ctx >= before.hi)
    return {};
  walk_state w;
  w.copy_lo = before.ctx;
  std::size_t n = std::min<std::size_t>(before.hi - before.ctx, kMaxCopy) & ~(sizeof(unsigned long) - 1);
  if (n < kFrameSize) return {};
  w.copy.resize(n);
  copy_words(w.copy.data(), before.ctx, n);
  raw_view after = read_view(g);
  if (after.state != g_state::waiting || after.park_seq != before.park_seq || after.ctx != before.ctx) return {};
  auto saved = [&](std::size_t off) {
    unw_word_t v;
    std::memcpy(&v, w.copy.data() + off, sizeof v);
    return v;
  };
  w.regs[UNW_X86_64_R12] = saved(kFrameR12);
  w.regs[UNW_X86_64_R13] = saved(kFrameR13);
  w.regs[UNW_X86_64_R14] = saved(kFrameR14);
  w.regs[UNW_X86_64_R15] = saved(kFrameR15);
  w.regs[UNW_X86_64_RBX] = saved(kFrameRbx);
  w.regs[UNW_X86_64_RBP] = saved(kFrameRbp);
  w.regs[UNW_X86_64_RIP] = saved(kFrameRip);
  w.regs[UNW_X86_64_RSP] = before.ctx + kFrameSize;
  dl_iterate_phdr(&collect_segment, &w.segments);

  std::vector<stack_frame> frames;
  unw_cursor_t cursor;
  unw_addr_space_t as = address_space();
  if (!as || api()->init_remote(&cursor, as, &w) < 0) return {};
  do {
    unw_word_t ip = 0;
    if (api()->get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0) break;
    stack_frame f;
    f.pc = ip;
    // A return address points after its call: look up the call itself.
    if (!symbolize(ip - 1, f.function, f.offset, f.module, f.module_offset)) f.function.assign(1, '?');
    else ++f.offset;
    frames.push_back(std::move(f));
  } while (static_cast<int>(frames.size()) < max_frames && api()->step(&cursor) > 0);
  return frames;
}

#else

bool stack_traces_supported() noexcept { return false; }
std::vector<stack_frame> parked_stack(const goroutine&, int) { return {}; }

#endif

}  // namespace goro::detail

// Goroutine stack memory: slabs, guard pages, pooling. See stack_allocator.hpp.
#include "platform/stack_allocator.hpp"
#include "platform/syscalls.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace goro::detail::platform {

namespace {
constexpr int kMadvGuardInstall = 102;  // MADV_GUARD_INSTALL, Linux 6.13+
constexpr std::size_t kStacksPerSlab = 256;
constexpr std::size_t kMinStack = 16 * 1024;

// vm.max_map_count, or Linux's default when it cannot be read (with plain calls: this
// runs when the first goroutine starts, possibly with no descriptor to spare, where an
// ifstream's failed open tripped UBSan inside libstdc++).
std::size_t read_max_map_count() {
  constexpr std::size_t kDefault = 65530;
  int fd = ::open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kDefault;
  char buf[32];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return kDefault;
  buf[n] = 0;
  char* end = nullptr;
  unsigned long v = std::strtoul(buf, &end, 10);
  return end == buf ? kDefault : static_cast<std::size_t>(v);
}
// Two map entries per mprotect'd guard; leave room for everything else.
std::size_t budget_for(std::size_t max_map_count) { return max_map_count > 8192 ? (max_map_count - 8192) / 2 : 0; }
}  // namespace

stack_allocator& stack_allocator::instance() {
  static stack_allocator* a = new stack_allocator();  // never destroyed: workers outlive exit
  return *a;
}

stack_allocator::stack_allocator()
    : page_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))),
      default_size_(256 * 1024),
      max_map_count_(read_max_map_count()),
      mprotect_budget_(budget_for(max_map_count_)) {}

void stack_allocator::set_default_size(std::size_t bytes) {
  std::lock_guard lk(mu_);
  default_size_ = std::max(kMinStack, (bytes + page_ - 1) / page_ * page_);
}

std::size_t stack_allocator::round_size(std::size_t bytes) const noexcept {
  if (bytes == 0) return default_size_;
  return std::max(kMinStack, (bytes + page_ - 1) / page_ * page_);
}

void stack_allocator::set_guard_policy(bool required, std::optional<std::size_t> mprotect_budget) {
  std::lock_guard lk(mu_);
  guard_required_ = required;
  if (mprotect_budget) {
    mode_ = guard_mode::mprotect;
    mprotect_budget_ = *mprotect_budget;
  }
}

// Under mu_. The budget runs out once: from then on stacks have no guard.
bool stack_allocator::install_guard(char* guard) {
  if (mode_ == guard_mode::madvise_guard) {
    if (sys::guard_madvise(guard, kGuardBytes, kMadvGuardInstall) == 0) return true;
    // Not for want of map entries (EINVAL): this stack only goes without.
    if (int err = sys::last_errno(); err != EINVAL) {
      guard_errno_ = err;
      return false;
    }
    mode_ = guard_mode::mprotect;  // this kernel has no guard-install madvise
  }
  if (mode_ == guard_mode::mprotect) {
    if (mprotect_guards_ < mprotect_budget_ && sys::mprotect(guard, kGuardBytes, PROT_NONE) == 0) {
      ++mprotect_guards_;
      return true;
    }
    mode_ = guard_mode::none;
    if (!guard_required_)
      std::fprintf(stderr,
                   "goro: %zu goroutine stacks have guard pages (vm.max_map_count=%zu); later stacks "
                   "have none: raise vm.max_map_count or set GORO_STACK_GUARD=required\n",
                   mprotect_guards_, max_map_count_);
  }
  return false;
}

bool stack_allocator::carve_from_slab(stack& out) {
  const std::size_t stride = kGuardBytes + default_size_;
  if (slab_next_ == slab_end_) {
    // Room in both pools for every stack of the new slab, so that freeing or pooling a
    // stack (noexcept, on the switch path) never allocates.
    try {
      const std::size_t need = carved_ + kStacksPerSlab;
      for (std::vector<stack>* v : {&warm_, &cold_})
        if (v->capacity() < need) v->reserve(std::max(need, 2 * v->capacity()));
    } catch (const std::bad_alloc&) {
      return false;
    }
    std::size_t bytes = stride * kStacksPerSlab;
    void* p = sys::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) return false;
    slab_next_ = static_cast<char*>(p);
    slab_end_ = slab_next_ + bytes;
    slab_bytes_ += bytes;
  }
  ++carved_;
  char* base = slab_next_;
  slab_next_ += stride;
  out.guarded = install_guard(base);
  out.lo = base + kGuardBytes;
  out.hi = base + stride;
  out.pooled = true;
  return true;
}

bool stack_allocator::map_single(stack& out, std::size_t size) {
  void* p = sys::mmap(nullptr, kGuardBytes + size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return false;
  char* base = static_cast<char*>(p);
  out.guarded = install_guard(base);
  out.lo = base + kGuardBytes;
  out.hi = out.lo + size;
  out.pooled = false;
  return true;
}

alloc_result stack_allocator::allocate(stack& out, std::size_t bytes) {
  std::lock_guard lk(mu_);
  std::size_t size = round_size(bytes);
  if (size == default_size_) {
    if (take_one(out)) return alloc_result::ok;  // pooled stacks were checked when carved
    if (!carve_from_slab(out)) return alloc_result::no_memory;
  } else if (!map_single(out, size)) {
    return alloc_result::no_memory;
  }
  if (out.guarded) return alloc_result::ok;
  if (guard_required_) {  // the stack is dropped: the caller stops the process
    if (mode_ == guard_mode::none)
      std::snprintf(guard_error_, sizeof guard_error_,
                    "out of guarded goroutine stacks (GORO_STACK_GUARD=required): %zu goroutine "
                    "stacks have guard pages (vm.max_map_count=%zu); raise vm.max_map_count",
                    mprotect_guards_, max_map_count_);
    else
      std::snprintf(guard_error_, sizeof guard_error_,
                    "cannot install a goroutine stack's guard pages (GORO_STACK_GUARD=required): %s",
                    std::strerror(guard_errno_));
    out = stack{};
    return alloc_result::no_guard;
  }
  *reinterpret_cast<std::uint64_t*>(out.lo) = kStackCanary;
  return alloc_result::ok;
}

bool stack_allocator::take_one(stack& out) noexcept {
  std::vector<stack>& from = !warm_.empty() ? warm_ : cold_;
  if (from.empty()) return false;
  out = from.back();
  from.pop_back();
  low_water_ = std::min(low_water_, warm_.size());
  return true;
}

void stack_allocator::release(stack& s) noexcept {
  std::lock_guard lk(mu_);
  if (s.pooled) {
    warm_.push_back(s);
  } else {
    munmap(s.lo - kGuardBytes, kGuardBytes + s.size());
    if (s.guarded && mode_ != guard_mode::madvise_guard) --mprotect_guards_;
  }
  s = stack{};
}

std::size_t stack_allocator::take_pooled(stack* out, std::size_t n) {
  std::lock_guard lk(mu_);
  std::size_t k = 0;
  while (k < n && take_one(out[k])) ++k;
  return k;
}

void stack_allocator::give_pooled(const stack* in, std::size_t n) noexcept {
  std::lock_guard lk(mu_);
  warm_.insert(warm_.end(), in, in + n);
}

// Outside the lock: one madvise per run of adjacent stacks (a stack's hi is the next
// one's guard region), then canaries rewritten on unguarded stacks.
void stack_allocator::release_memory(std::vector<stack>& v) noexcept {
  std::sort(v.begin(), v.end(), [](const stack& a, const stack& b) { return a.lo < b.lo; });
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i + 1;
    while (j < v.size() && v[j].lo == v[j - 1].hi + kGuardBytes) ++j;
    madvise(v[i].lo, static_cast<std::size_t>(v[j - 1].hi - v[i].lo), MADV_DONTNEED);
    i = j;
  }
  for (stack& s : v)
    if (!s.guarded) *reinterpret_cast<std::uint64_t*>(s.lo) = kStackCanary;
}

std::size_t stack_allocator::scavenge() noexcept {
  std::vector<stack> idle;
  {
    std::lock_guard lk(mu_);
    // The oldest warm stacks, below the low-water mark, were not touched all period.
    std::size_t idle_n = low_water_ > kKeepResident ? low_water_ - kKeepResident : 0;
    try {
      idle.assign(warm_.begin(), warm_.begin() + static_cast<std::ptrdiff_t>(idle_n));
    } catch (const std::bad_alloc&) {
      return 0;  // no memory for the list: the stacks stay warm until a later scavenge
    }
    warm_.erase(warm_.begin(), warm_.begin() + static_cast<std::ptrdiff_t>(idle_n));
    low_water_ = warm_.size();
  }
  if (idle.empty()) return 0;
  release_memory(idle);
  std::lock_guard lk(mu_);
  cold_.insert(cold_.end(), idle.begin(), idle.end());  // within the capacity reserved
  return idle.size();
}

bool stack_allocator::has_excess() const noexcept {
  std::lock_guard lk(mu_);
  return warm_.size() > kKeepResident;
}

std::size_t stack_allocator::pooled_count() const noexcept {
  std::lock_guard lk(mu_);
  return warm_.size() + cold_.size();
}

std::size_t stack_allocator::carved_count() const noexcept {
  std::lock_guard lk(mu_);
  return carved_;
}

std::size_t stack_allocator::reserved_bytes() const noexcept {
  std::lock_guard lk(mu_);
  return slab_bytes_;
}

std::size_t stack_allocator::warm_count() const noexcept {
  std::lock_guard lk(mu_);
  return warm_.size();
}

}  // namespace goro::detail::platform

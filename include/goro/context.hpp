// goro::context: Go's context package (cancellation, deadlines, request-scoped values).
//
//   goro::context bg = goro::background();          // never done; done() is a nil channel
//   auto [ctx, cancel] = goro::with_cancel(bg);      // cancel() cancels ctx and its subtree
//   auto [tctx, tcancel] = goro::with_timeout(ctx, 50ms);   // also done after 50 ms
//   auto [dctx, dcancel] = goro::with_deadline(ctx, t);     // ... or at steady_clock t
//   goro::context vctx = goro::with_value(ctx, key, value); // value<T>(key) -> const T*
//   goro::select(goro::recv_case(ctx.done(), [] { /* cancelled */ }), ...);
//   ctx.err()        // empty until done, then goro::errc::canceled or deadline_exceeded
//   ctx.deadline()   // the earliest deadline of ctx and its ancestors, if any
//
// Guarantees (as Go): cancelling a context closes its done() channel once, sets err()
// before the close is visible, and cancels every descendant, whose done() channels are
// closed before cancel() returns. A child of a context that is already done starts done.
// A cancelled context leaves its parent's list of children at once (no record left
// behind; context_child_count tells); a context whose cancel is never called stays
// registered until its parent is cancelled (Go's rule: always call cancel, as with
// `defer cancel()`). with_deadline/with_timeout stop their timer when cancelled early;
// a deadline in the past gives a context that is already done with deadline_exceeded.
// Values: keys are any equality-comparable type, compared by type and by value (a
// std::string key and a "literal" key are different keys; C-string keys compare by
// content); the nearest with_value for a key wins; value<T>(key) is null if no value has
// that key or if the nearest one is not a T. Contexts and cancel_funcs are cheap copyable
// handles, safe to use from any goroutine or thread.
// errc::deadline_exceeded compares equal to std::errc::timed_out, errc::canceled to
// std::errc::operation_canceled.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "goro/chan.hpp"
#include "goro/detail/duration.hpp"

namespace goro {

enum class errc { canceled = 1, deadline_exceeded = 2 };
const std::error_category& context_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), context_category()}; }

}  // namespace goro

template <>
struct std::is_error_code_enum<goro::errc> : std::true_type {};

namespace goro {

class context;
class cancel_func;

namespace detail {

struct context_node;  // src/context/context.cpp

// A with_value entry: its key and value, type-erased.
struct context_entry {
  virtual ~context_entry() = default;
  // Links the entries a release loop defers (src/context/context.cpp), so that freeing a
  // chain of contexts allocates nothing.
  context_entry* release_next = nullptr;
  virtual const std::type_info& key_type() const noexcept = 0;
  virtual const void* key() const noexcept = 0;
  virtual const std::type_info& value_type() const noexcept = 0;
  virtual const void* value() const noexcept = 0;
};

// The type a key is stored and looked up as: decayed, and C strings as const char*.
template <class K>
using context_key_t = std::conditional_t<std::is_same_v<std::decay_t<K>, char*>, const char*, std::decay_t<K>>;

template <class K>
bool context_key_equal(const void* stored, const void* probe) {
  const K& a = *static_cast<const K*>(stored);
  const K& b = *static_cast<const K*>(probe);
  if constexpr (std::is_same_v<K, const char*>) {
    return a == b || (a && b && std::strcmp(a, b) == 0);
  } else {
    return static_cast<bool>(a == b);
  }
}

template <class K, class V>
struct context_entry_of final : context_entry {
  template <class KK, class VV>
  context_entry_of(KK&& k, VV&& v) : key_(std::forward<KK>(k)), value_(std::forward<VV>(v)) {}
  const std::type_info& key_type() const noexcept override { return typeid(K); }
  const void* key() const noexcept override { return &key_; }
  const std::type_info& value_type() const noexcept override { return typeid(V); }
  const void* value() const noexcept override { return &value_; }
  K key_;
  V value_;
};

using context_ptr = std::shared_ptr<context_node>;

// The nearest with_value entry of n or its ancestors whose key equals probe, or null.
const context_entry* context_find(const context_node* n, const std::type_info& key_type,
                                  bool (*equal)(const void*, const void*), const void* probe);
context_ptr context_with_value(const context_ptr& parent, std::unique_ptr<context_entry> e);
std::pair<context, cancel_func> context_with_cancel(const context_ptr& parent, std::int64_t deadline_ns);
struct context_access;

}  // namespace detail

class context {
 public:
  context() noexcept = default;  // background()

  // Closed once this context is done; nil (never ready) for one that can never be.
  recv_chan<unit> done() const;
  std::error_code err() const;
  std::optional<std::chrono::steady_clock::time_point> deadline() const;

  template <class T, class K>
  const T* value(const K& key) const {
    using key_t = detail::context_key_t<const K>;
    const key_t probe = key;
    const detail::context_entry* e =
        detail::context_find(node_.get(), typeid(key_t), &detail::context_key_equal<key_t>, &probe);
    if (!e || e->value_type() != typeid(T)) return nullptr;
    return static_cast<const T*>(e->value());
  }

  friend bool operator==(const context& a, const context& b) noexcept { return a.node_ == b.node_; }

 private:
  friend struct detail::context_access;
  explicit context(detail::context_ptr n) noexcept : node_(std::move(n)) {}
  detail::context_ptr node_;  // null: background
};

// Cancels its context (with errc::canceled) and the context's subtree. Calling it again,
// or after the context is done for another reason, does nothing.
class cancel_func {
 public:
  cancel_func() noexcept = default;  // does nothing
  void operator()() const;

 private:
  friend struct detail::context_access;
  explicit cancel_func(detail::context_ptr n) noexcept : node_(std::move(n)) {}
  detail::context_ptr node_;
};

namespace detail {
struct context_access {
  static const context_ptr& node(const context& c) noexcept { return c.node_; }
  static context make(context_ptr n) noexcept { return context(std::move(n)); }
  static cancel_func make_cancel(context_ptr n) noexcept { return cancel_func(std::move(n)); }
};
// Contexts registered as children of ctx's nearest cancellable context (tests, diagnostics).
std::size_t context_child_count(const context& ctx);
}  // namespace detail

inline context background() noexcept { return context(); }
inline context todo() noexcept { return context(); }

inline std::pair<context, cancel_func> with_cancel(const context& parent) {
  return detail::context_with_cancel(detail::context_access::node(parent), detail::kFarNs);
}

template <class Duration>
std::pair<context, cancel_func> with_deadline(const context& parent,
                                              std::chrono::time_point<std::chrono::steady_clock, Duration> t) {
  return detail::context_with_cancel(detail::context_access::node(parent), detail::steady_ns(t));
}

template <class Rep, class Period>
std::pair<context, cancel_func> with_timeout(const context& parent, std::chrono::duration<Rep, Period> d) {
  return detail::context_with_cancel(detail::context_access::node(parent), detail::deadline_after(d));
}

template <class K, class V>
context with_value(const context& parent, K&& key, V&& value) {
  using entry_t = detail::context_entry_of<detail::context_key_t<K>, std::decay_t<V>>;
  return detail::context_access::make(detail::context_with_value(
      detail::context_access::node(parent), std::make_unique<entry_t>(std::forward<K>(key), std::forward<V>(value))));
}

}  // namespace goro

// goro::select: Go's select statement.
//
//   std::size_t i = goro::select(
//       goro::recv_case(c1, [](std::optional<int> v) { ... }),   // nullopt: c1 closed
//       goro::send_case(c2, value, [] { ... }),
//       goro::recv_case(goro::after(100ms), [] { /* timeout */ }),
//       goro::default_case([] { ... }));                          // optional, at most one
//
// Among ready cases one is chosen uniformly at random; nil channels are never ready;
// with nothing ready it blocks, or takes default_case if present; goro::select() with no
// cases blocks forever. It returns the 0-based position of the taken case in its
// argument list (default_case counted where it stands) and runs that case's handler
// (handlers are optional; a recv handler takes std::optional<T> or nothing). A send_case
// owns its value until taken; a chosen send case on a closed channel throws
// goro::closed_channel. goro::select_set is the same over a runtime-sized set of cases
// (Go's reflect.Select).
//
// A case made from a channel variable (an lvalue handle) refers to that channel without
// taking a reference count (two atomic operations on the channel's hot cache line per
// case per select, ~15% of a two-case select): some handle to the channel must outlive
// the case, as it does when the case is written inside the select() call. A case made
// from a temporary handle (goro::after(d), ctx.done(), t.c()) owns it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/chan.hpp"
#include "goro/detail/select_core.hpp"

namespace goro {

namespace detail {
struct no_handler {
  template <class... A>
  void operator()(A&&...) const noexcept {}
};

// A case's channel: borrowed from an lvalue handle, or owned (a temporary's handle).
template <class Handle>
struct case_chan {
  chan_core* core = nullptr;
  Handle owned;
  static case_chan borrow(const chan_handle<typename Handle::value_type>& h) noexcept { return {h.core(), {}}; }
  static case_chan own(Handle h) noexcept {
    chan_core* c = h.core();
    return {c, std::move(h)};
  }
};

template <class T, class F>
struct recv_case_t {
  case_chan<recv_chan<T>> c;
  F f;
  std::optional<T> result;
  select_case_desc desc() { return {c.core, false, &result}; }
  void fire() {
    if constexpr (std::is_invocable_v<F&, std::optional<T>>) f(std::move(result));
    else f();
  }
};

template <class T, class F>
struct send_case_t {
  case_chan<send_chan<T>> c;
  T value;
  F f;
  select_case_desc desc() { return {c.core, true, &value}; }
  void fire() { f(); }
};

template <class F>
struct default_case_t {
  F f;
};

template <class C>
inline constexpr bool is_default_case = false;
template <class F>
inline constexpr bool is_default_case<default_case_t<F>> = true;
}  // namespace detail

template <class T, class F = detail::no_handler>
detail::recv_case_t<T, std::decay_t<F>> recv_case(const recv_chan<T>& c, F&& f = {}) {
  return {detail::case_chan<recv_chan<T>>::borrow(c), std::forward<F>(f), std::nullopt};
}
template <class T, class F = detail::no_handler>
detail::recv_case_t<T, std::decay_t<F>> recv_case(recv_chan<T>&& c, F&& f = {}) {
  return {detail::case_chan<recv_chan<T>>::own(std::move(c)), std::forward<F>(f), std::nullopt};
}
template <class T, class F = detail::no_handler>
detail::recv_case_t<T, std::decay_t<F>> recv_case(const chan<T>& c, F&& f = {}) {
  return {detail::case_chan<recv_chan<T>>::borrow(c), std::forward<F>(f), std::nullopt};
}
template <class T, class F = detail::no_handler>
detail::recv_case_t<T, std::decay_t<F>> recv_case(chan<T>&& c, F&& f = {}) {
  return {detail::case_chan<recv_chan<T>>::own(recv_chan<T>(c)), std::forward<F>(f), std::nullopt};
}
template <class T, class V, class F = detail::no_handler>
detail::send_case_t<T, std::decay_t<F>> send_case(const send_chan<T>& c, V&& v, F&& f = {}) {
  return {detail::case_chan<send_chan<T>>::borrow(c), T(std::forward<V>(v)), std::forward<F>(f)};
}
template <class T, class V, class F = detail::no_handler>
detail::send_case_t<T, std::decay_t<F>> send_case(send_chan<T>&& c, V&& v, F&& f = {}) {
  return {detail::case_chan<send_chan<T>>::own(std::move(c)), T(std::forward<V>(v)), std::forward<F>(f)};
}
template <class T, class V, class F = detail::no_handler>
detail::send_case_t<T, std::decay_t<F>> send_case(const chan<T>& c, V&& v, F&& f = {}) {
  return {detail::case_chan<send_chan<T>>::borrow(c), T(std::forward<V>(v)), std::forward<F>(f)};
}
template <class T, class V, class F = detail::no_handler>
detail::send_case_t<T, std::decay_t<F>> send_case(chan<T>&& c, V&& v, F&& f = {}) {
  return {detail::case_chan<send_chan<T>>::own(send_chan<T>(c)), T(std::forward<V>(v)), std::forward<F>(f)};
}
template <class F = detail::no_handler>
detail::default_case_t<std::decay_t<F>> default_case(F&& f = {}) {
  return {std::forward<F>(f)};
}

namespace detail {
template <class Tuple, std::size_t... I>
std::size_t select_tuple(Tuple& cases, std::index_sequence<I...>) {
  constexpr std::size_t total = sizeof...(I);
  constexpr std::size_t defaults =
      (std::size_t{0} + ... + (is_default_case<std::remove_reference_t<std::tuple_element_t<I, Tuple>>> ? 1 : 0));
  static_assert(defaults <= 1, "goro::select: at most one default_case");
  constexpr std::size_t n = total - defaults;
  select_case_desc descs[n > 0 ? n : 1];
  std::size_t position[n > 0 ? n : 1];
  std::size_t default_position = total;
  std::size_t k = 0;
  auto collect = [&](auto& c, std::size_t pos) {
    if constexpr (is_default_case<std::remove_reference_t<decltype(c)>>) {
      default_position = pos;
    } else {
      descs[k] = c.desc();
      position[k++] = pos;
    }
  };
  (collect(std::get<I>(cases), I), ...);
  std::size_t chosen = select_impl(descs, n, defaults == 1);
  std::size_t pos = chosen == n ? default_position : position[chosen];
  auto fire = [&](auto& c, std::size_t i) {
    if (i != pos) return;
    if constexpr (is_default_case<std::remove_reference_t<decltype(c)>>) c.f();
    else c.fire();
  };
  (fire(std::get<I>(cases), I), ...);
  return pos;
}
}  // namespace detail

template <class... Cases>
std::size_t select(Cases&&... cases) {
  if constexpr (sizeof...(Cases) == 0) {
    detail::block_forever(detail::wait_reason::select_no_cases);
  } else {
    std::tuple<std::remove_reference_t<Cases>&...> refs(cases...);
    return detail::select_tuple(refs, std::index_sequence_for<Cases...>{});
  }
}

// select over a runtime-sized set of cases (Go's reflect.Select). Add cases, then call
// select() (repeatedly, if wanted); it returns the index of the case taken, in the order
// the cases were added, and runs its handler.
class select_set {
 public:
  template <class T, class F = detail::no_handler>
  std::size_t add_recv(const recv_chan<T>& c, F f = {}) {
    auto holder = std::make_shared<std::optional<T>>();
    return add({c.core(), false, holder.get()}, holder, [holder, f, c](detail::select_case_desc&) mutable {
      if constexpr (std::is_invocable_v<F&, std::optional<T>>) {
        f(std::exchange(*holder, std::nullopt));
      } else {
        holder->reset();
        f();
      }
    });
  }
  template <class T, class F = detail::no_handler>
  std::size_t add_recv(const chan<T>& c, F f = {}) { return add_recv(recv_chan<T>(c), std::move(f)); }

  // The value is sent at most once: after its case was taken, the case is nil.
  template <class T, class V, class F = detail::no_handler>
  std::size_t add_send(const send_chan<T>& c, V&& v, F f = {}) {
    auto holder = std::make_shared<T>(std::forward<V>(v));
    return add({c.core(), true, holder.get()}, holder, [f, c](detail::select_case_desc& d) mutable {
      d.core = nullptr;
      f();
    });
  }
  template <class T, class V, class F = detail::no_handler>
  std::size_t add_send(const chan<T>& c, V&& v, F f = {}) {
    return add_send(send_chan<T>(c), std::forward<V>(v), std::move(f));
  }

  template <class F = detail::no_handler>
  std::size_t add_default(F f = {}) {
    if (default_index_ != npos) throw std::invalid_argument("goro::select_set: more than one default case");
    default_index_ = cases_.size();
    cases_.push_back({{}, nullptr, [f](detail::select_case_desc&) mutable { f(); }});
    return default_index_;
  }

  std::size_t size() const noexcept { return cases_.size(); }

  std::size_t select() {
    std::vector<detail::select_case_desc> descs;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < cases_.size(); ++i) {
      if (i == default_index_) continue;
      descs.push_back(cases_[i].desc);
      index.push_back(i);
    }
    std::size_t chosen = detail::select_impl(descs.data(), descs.size(), default_index_ != npos);
    std::size_t i = chosen == descs.size() ? default_index_ : index[chosen];
    cases_[i].fire(cases_[i].desc);
    return i;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct entry {
    detail::select_case_desc desc;
    std::shared_ptr<void> storage;  // the case's value or result; keeps its channel alive too
    std::function<void(detail::select_case_desc&)> fire;
  };
  std::size_t add(detail::select_case_desc d, std::shared_ptr<void> storage,
                  std::function<void(detail::select_case_desc&)> fire) {
    cases_.push_back({d, std::move(storage), std::move(fire)});
    return cases_.size() - 1;
  }
  std::vector<entry> cases_;
  std::size_t default_index_ = npos;
};

}  // namespace goro

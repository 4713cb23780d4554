// goro::chan<T>: Go's channels. A chan is a cheap, copyable handle with reference
// semantics (copies share one channel; == compares identity); a default-constructed chan
// is nil. make_chan<T>() is unbuffered, make_chan<T>(n) buffered with capacity n.
//
//   c.send(v)        blocks until delivered; throws goro::closed_channel if c is closed;
//                    on a nil channel blocks forever. v is taken by value: a send that
//                    throws has consumed it.
//   c.recv()         blocks; std::nullopt once c is closed and drained; nil: forever.
//   c.try_send(v)    never blocks; false leaves v untouched (closed: throws).
//   c.try_recv()     never blocks; nullopt if empty or closed (select tells them apart).
//   c.close()        wakes every waiter; throws on a closed channel, goro::panic on nil.
//   for (T v : c)    receives until closed.
// send_chan<T> / recv_chan<T> are directional views (a chan converts to either). The
// signal-only channel is chan<goro::unit>, sent as c.send({}). From a goroutine every
// blocking call parks the goroutine; from a plain thread it blocks that thread only.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <optional>
#include <utility>

#include "goro/detail/chan_core.hpp"
#include "goro/panic.hpp"

namespace goro {

// The element of a signal-only channel (Go's struct{}).
struct unit {
  friend constexpr bool operator==(unit, unit) noexcept { return true; }
};

template <class T>
class chan;
template <class T>
class send_chan;
template <class T>
class recv_chan;

namespace detail {

// Makes a chan<T> from a core whose reference the caller hands over (the runtime's own
// channels, e.g. a timer's).
struct chan_access {
  template <class T>
  static chan<T> adopt(chan_core* c) noexcept {
    return chan<T>(c);
  }
};

// The shared handle: a counted reference to a chan_core, or nil.
template <class T>
class chan_handle {
 public:
  chan_handle() noexcept = default;
  chan_handle(const chan_handle& o) noexcept : core_(o.core_) {
    if (core_) core_->retain();
  }
  chan_handle(chan_handle&& o) noexcept : core_(std::exchange(o.core_, nullptr)) {}
  chan_handle& operator=(chan_handle o) noexcept {
    std::swap(core_, o.core_);
    return *this;
  }
  ~chan_handle() {
    if (core_) core_->release();
  }

  std::size_t size() const noexcept { return core_ ? core_->size() : 0; }
  std::size_t capacity() const noexcept { return core_ ? core_->capacity() : 0; }
  explicit operator bool() const noexcept { return core_ != nullptr; }  // false: nil
  chan_core* core() const noexcept { return core_; }

 protected:
  explicit chan_handle(chan_core* c) noexcept : core_(c) {}

  void do_send(T& v) const {
    if (!core_) block_forever(wait_reason::chan_send_nil);
    core_->send(&v);
  }
  bool do_try_send(T& v) const { return core_ ? core_->try_send(&v) : false; }
  std::optional<T> do_recv() const {
    std::optional<T> out;
    if (!core_) block_forever(wait_reason::chan_receive_nil);
    core_->recv(&out, true);
    return out;
  }
  std::optional<T> do_try_recv() const {
    std::optional<T> out;
    if (core_) core_->recv(&out, false);
    return out;
  }
  void do_close() const {
    if (!core_) throw panic("close of nil channel");
    core_->close();
  }

  chan_core* core_ = nullptr;
};

// Range-for over a channel: receives until it is closed and drained.
template <class T>
class chan_iterator {
 public:
  chan_iterator() = default;
  explicit chan_iterator(const chan_handle<T>* c, std::optional<T> (*recv)(const chan_handle<T>*))
      : c_(c), recv_(recv) {
    ++*this;
  }
  T& operator*() { return *cur_; }
  chan_iterator& operator++() {
    cur_ = recv_(c_);
    return *this;
  }
  friend bool operator==(const chan_iterator& it, std::default_sentinel_t) { return !it.cur_; }

 private:
  const chan_handle<T>* c_ = nullptr;
  std::optional<T> (*recv_)(const chan_handle<T>*) = nullptr;
  std::optional<T> cur_;
};

}  // namespace detail

template <class T>
class chan : public detail::chan_handle<T> {
  using base = detail::chan_handle<T>;

 public:
  using value_type = T;
  chan() noexcept = default;  // nil

  void send(T v) const { this->do_send(v); }
  bool try_send(T& v) const { return this->do_try_send(v); }
  bool try_send(T&& v) const { return this->do_try_send(v); }
  std::optional<T> recv() const { return this->do_recv(); }
  std::optional<T> try_recv() const { return this->do_try_recv(); }
  void close() const { this->do_close(); }

  detail::chan_iterator<T> begin() const {
    return detail::chan_iterator<T>(this, [](const base* c) { return static_cast<const chan*>(c)->recv(); });
  }
  std::default_sentinel_t end() const noexcept { return {}; }

  friend bool operator==(const chan& a, const chan& b) noexcept { return a.core() == b.core(); }

 private:
  template <class U>
  friend chan<U> make_chan(std::size_t);
  friend struct detail::chan_access;
  template <class U>
  friend class send_chan;
  template <class U>
  friend class recv_chan;
  explicit chan(detail::chan_core* c) noexcept : base(c) {}
};

// make_chan<T>(): unbuffered; make_chan<T>(n): buffered with capacity n.
template <class T>
chan<T> make_chan(std::size_t capacity = 0) {
  static_assert(std::is_move_constructible_v<T>, "a channel's element type must be movable");
  return chan<T>(detail::chan_core::make(capacity, &detail::elem_ops_for<T>));
}

template <class T>
class send_chan : public detail::chan_handle<T> {
 public:
  using value_type = T;
  send_chan() noexcept = default;  // nil
  send_chan(const chan<T>& c) noexcept : detail::chan_handle<T>(c) {}  // NOLINT: implicit, as Go
  void send(T v) const { this->do_send(v); }
  bool try_send(T& v) const { return this->do_try_send(v); }
  bool try_send(T&& v) const { return this->do_try_send(v); }
  void close() const { this->do_close(); }
  friend bool operator==(const send_chan& a, const send_chan& b) noexcept { return a.core() == b.core(); }
};

template <class T>
class recv_chan : public detail::chan_handle<T> {
  using base = detail::chan_handle<T>;

 public:
  using value_type = T;
  recv_chan() noexcept = default;  // nil
  recv_chan(const chan<T>& c) noexcept : detail::chan_handle<T>(c) {}  // NOLINT: implicit, as Go
  std::optional<T> recv() const { return this->do_recv(); }
  std::optional<T> try_recv() const { return this->do_try_recv(); }
  detail::chan_iterator<T> begin() const {
    return detail::chan_iterator<T>(this, [](const base* c) { return static_cast<const recv_chan*>(c)->recv(); });
  }
  std::default_sentinel_t end() const noexcept { return {}; }
  friend bool operator==(const recv_chan& a, const recv_chan& b) noexcept { return a.core() == b.core(); }
};

}  // namespace goro

template <class T>
struct std::hash<goro::chan<T>> {
  std::size_t operator()(const goro::chan<T>& c) const noexcept { return std::hash<const void*>()(c.core()); }
};
template <class T>
struct std::hash<goro::send_chan<T>> {
  std::size_t operator()(const goro::send_chan<T>& c) const noexcept { return std::hash<const void*>()(c.core()); }
};
template <class T>
struct std::hash<goro::recv_chan<T>> {
  std::size_t operator()(const goro::recv_chan<T>& c) const noexcept { return std::hash<const void*>()(c.core()); }
};

// chan_exec: one op on real goro objects (chan_exec.h). The variadic select is built
// at compile time for each shape the harness uses (1-3 channel cases, each a send or a
// receive, default first, last or absent); select_set takes any mix at run time.
#include "chan_exec.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>

namespace chan_exec {

namespace {

using chan_model::outcome;
using chan_model::result;
using chan_model::slot;
using std::chrono::microseconds;
using clock = std::chrono::steady_clock;

// What a receive case got, if it was taken.
struct got_t {
  bool fired = false;
  std::optional<value> v;
};

outcome from_received(const std::optional<value>& v, int index, std::string& failure) {
  if (!v) return {result::empty, 0, index};
  if (!*v) failure = "received a null value";
  return {result::value, *v ? **v : 0, index};
}

template <bool Send>
auto make_case(const channel& c, long v, got_t& got) {
  if constexpr (Send) {
    return goro::send_case(c, std::make_unique<long>(v));
  } else {
    return goro::recv_case(c, [&got](std::optional<value> r) {
      got.fired = true;
      got.v = std::move(r);
    });
  }
}

template <bool... Send, std::size_t... I>
std::size_t select_fixed(const channel* c, const long* v, got_t* got, int default_at, std::index_sequence<I...>) {
  constexpr int n = static_cast<int>(sizeof...(I));
  if (default_at == 0) return goro::select(goro::default_case(), make_case<Send>(c[I], v[I], got[I])...);
  if (default_at == n) return goro::select(make_case<Send>(c[I], v[I], got[I])..., goro::default_case());
  return goro::select(make_case<Send>(c[I], v[I], got[I])...);
}

// Picks the case directions bit by bit from mask, then the shape above.
template <std::size_t N, bool... Send>
std::size_t select_dirs(unsigned mask, const channel* c, const long* v, got_t* got, int default_at) {
  if constexpr (sizeof...(Send) == N) {
    (void)mask;
    return select_fixed<Send...>(c, v, got, default_at, std::make_index_sequence<N>{});
  } else if (mask & (1u << sizeof...(Send))) {
    return select_dirs<N, Send..., true>(mask, c, v, got, default_at);
  } else {
    return select_dirs<N, Send..., false>(mask, c, v, got, default_at);
  }
}

outcome variadic_select(world& w, const chan_model::op& o, std::string& failure) {
  channel c[3];
  long v[3] = {};
  got_t got[3];
  unsigned mask = 0;
  int n = 0, default_at = -1;
  for (std::size_t i = 0; i < o.slots.size(); ++i) {
    const slot& s = o.slots[i];
    if (s.kind == slot::default_case) {
      default_at = static_cast<int>(i);
      continue;
    }
    c[n] = w.chans[static_cast<std::size_t>(s.chan)];
    v[n] = s.value;
    if (s.kind == slot::send) mask |= 1u << n;
    ++n;
  }
  std::size_t pos = 0;
  switch (n) {
    case 1: pos = select_dirs<1>(mask, c, v, got, default_at); break;
    case 2: pos = select_dirs<2>(mask, c, v, got, default_at); break;
    default: pos = select_dirs<3>(mask, c, v, got, default_at); break;
  }
  const int index = static_cast<int>(pos);
  const slot& s = o.slots[pos];
  if (s.kind != slot::recv) return {result::done, 0, index};
  const int k = index - (default_at == 0 ? 1 : 0);
  if (!got[k].fired) failure = "the taken receive case's handler did not run";
  return from_received(got[k].v, index, failure);
}

outcome dynamic_select(world& w, const chan_model::op& o, std::string& failure) {
  goro::select_set set;
  got_t got[5];  // up to 3 channel cases, a default and a timer
  bool timer_fired = false;
  for (std::size_t i = 0; i < o.slots.size(); ++i) {
    const slot& s = o.slots[i];
    switch (s.kind) {
      case slot::recv:
        set.add_recv(w.chans[static_cast<std::size_t>(s.chan)], [&got, i](std::optional<value> r) {
          got[i].fired = true;
          got[i].v = std::move(r);
        });
        break;
      case slot::send:
        set.add_send(w.chans[static_cast<std::size_t>(s.chan)], std::make_unique<long>(s.value));
        break;
      case slot::default_case:
        set.add_default();
        break;
      case slot::timer:
        set.add_recv(goro::after(microseconds(s.duration)),
                     [&timer_fired](std::optional<clock::time_point> t) { timer_fired = t.has_value(); });
        break;
    }
  }
  const std::size_t pos = set.select();
  const int index = static_cast<int>(pos);
  const slot& s = o.slots[pos];
  if (s.kind == slot::timer && !timer_fired) failure = "a timer case was taken without a time";
  if (s.kind != slot::recv) return {result::done, 0, index};
  if (!got[pos].fired) failure = "the taken receive case's handler did not run";
  return from_received(got[pos].v, index, failure);
}

// Timer scripts: each checks Go 1.23's rules on its own timer.
void timer_script(int script, int duration_us, std::string& failure) {
  const microseconds d(duration_us);
  const auto start = clock::now();
  switch (script) {
    case 0: {  // after(d) delivers once d has passed
      std::optional<clock::time_point> t = goro::after(d).recv();
      if (!t) failure = "after(d) gave no time";
      else if (*t < start + d) failure = "after(d) fired early";
      break;
    }
    case 1: {  // never received: stop drains and reports active; nothing stale after it
      goro::timer t(d);
      if (!t.stop()) failure = "stop of an unreceived timer returned false";
      else if (t.c().try_recv()) failure = "a value received after stop";
      else if (t.stop()) failure = "a second stop returned true";
      else if (t.reset(d)) failure = "reset of a stopped timer returned true";
      else if (!t.c().recv()) failure = "a reset timer gave no time";
      else if (t.stop()) failure = "stop after receiving returned true";
      else if (t.c().try_recv()) failure = "a second value from a one-shot timer";
      break;
    }
    case 2:
      goro::sleep(d);
      if (clock::now() < start + d) failure = "sleep returned early";
      break;
    default: {  // after_func: stop() true means f never starts; false means it has
      auto ran = std::make_shared<std::atomic<bool>>(false);
      goro::timer t = goro::after_func(d, [ran] { ran->store(true); });
      if (t.stop()) {
        goro::sleep(d + microseconds(50));
        if (ran->load()) failure = "after_func ran although stop() returned true";
      } else {
        const auto limit = clock::now() + std::chrono::seconds(2);
        while (!ran->load() && clock::now() < limit) goro::sleep(microseconds(10));
        if (!ran->load()) failure = "after_func never ran although stop() returned false";
      }
    }
  }
}

outcome run(world& w, const chan_model::op& o, std::string& failure) {
  using chan_model::op_kind;
  // send, recv, try_send, try_recv and close come first in op_kind: the ops on o.chan.
  const channel* c = o.kind <= op_kind::close ? &w.chans[static_cast<std::size_t>(o.chan)] : nullptr;
  switch (o.kind) {
    case op_kind::send:
      c->send(std::make_unique<long>(o.value));
      return {result::done};
    case op_kind::recv:
      return from_received(c->recv(), -1, failure);
    case op_kind::try_send: {
      value v = std::make_unique<long>(o.value);
      if (c->try_send(v)) return {result::done};
      if (!v || *v != o.value) failure = "a refused try_send did not leave its value untouched";
      return {result::refused};
    }
    case op_kind::try_recv:
      return from_received(c->try_recv(), -1, failure);
    case op_kind::close:
      c->close();
      return {result::done};
    case op_kind::select:
      return o.dynamic ? dynamic_select(w, o, failure) : variadic_select(w, o, failure);
    case op_kind::lock:
      w.mutexes[static_cast<std::size_t>(o.mutex)]->lock();
      return {result::done};
    case op_kind::unlock:
      w.mutexes[static_cast<std::size_t>(o.mutex)]->unlock();
      return {result::done};
    case op_kind::try_lock:
      return {w.mutexes[static_cast<std::size_t>(o.mutex)]->try_lock() ? result::done : result::refused};
    case op_kind::timer:
      timer_script(o.timer_script, o.duration, failure);
      return {result::done};
    case op_kind::yield:
      goro::yield();
      return {result::done};
  }
  return {result::done};
}

bool is(const std::exception& e, const char* what) { return std::string_view(e.what()) == what; }

}  // namespace

outcome execute(world& w, const chan_model::op& o, std::string& failure) {
  using chan_model::op_kind;
  try {
    return run(w, o, failure);
  } catch (const goro::closed_channel& e) {
    // Which send case of a select panicked is not reported: index -1 stands for any.
    const bool closing = o.kind == op_kind::close;
    if (!is(e, closing ? "close of closed channel" : "send on closed channel"))
      failure = std::string("closed_channel with the message: ") + e.what();
    return {result::closed_panic, 0, -1};
  } catch (const goro::panic& e) {
    if (o.kind != op_kind::close || !is(e, "close of nil channel"))
      failure = std::string("goro::panic with the message: ") + e.what();
    return {result::nil_panic};
  } catch (const std::exception& e) {
    failure = std::string("unexpected exception: ") + e.what();
  } catch (...) {
    failure = "unexpected exception of unknown type";
  }
  return {result::done};
}

}  // namespace chan_exec

// chan_model: the sequential model of Go's channels, select and mutex (chan_model.h).
#include "chan_model.h"

#include <algorithm>
#include <utility>

namespace chan_model {

namespace {
const char* const kOpNames[] = {"send", "recv", "try_send", "try_recv", "close", "select",
                                "lock", "unlock", "try_lock", "timer", "yield"};
const char* const kResultNames[] = {"done", "value", "empty", "refused", "closed_panic", "nil_panic"};
}  // namespace

std::string op::describe() const {
  std::string s = kOpNames[static_cast<int>(kind)];
  switch (kind) {
    case op_kind::send:
    case op_kind::try_send:
      return s + " c" + std::to_string(chan) + " <- " + std::to_string(value);
    case op_kind::recv:
    case op_kind::try_recv:
    case op_kind::close:
      return s + " c" + std::to_string(chan);
    case op_kind::lock:
    case op_kind::unlock:
    case op_kind::try_lock:
      return s + " m" + std::to_string(mutex);
    case op_kind::timer:
      return s + " script " + std::to_string(timer_script) + " " + std::to_string(duration) + "us";
    case op_kind::select:
      s += dynamic ? " (select_set) {" : " {";
      for (const slot& c : slots) {
        switch (c.kind) {
          case slot::recv: s += " <-c" + std::to_string(c.chan) + ";"; break;
          case slot::send: s += " c" + std::to_string(c.chan) + "<-" + std::to_string(c.value) + ";"; break;
          case slot::default_case: s += " default;"; break;
          case slot::timer: s += " after(" + std::to_string(c.duration) + "us);"; break;
        }
      }
      return s + " }";
    default:
      return s;
  }
}

std::string outcome::describe() const {
  std::string s = kResultNames[static_cast<int>(what)];
  if (what == result::value) s += " " + std::to_string(value);
  if (index >= 0) s += " @" + std::to_string(index);
  return s;
}

model::model(const std::vector<int>& capacities, int mutexes, int goroutines)
    : mutexes_(static_cast<std::size_t>(mutexes)), goroutines_(static_cast<std::size_t>(goroutines)) {
  for (int cap : capacities) {
    channel c;
    c.nil = cap < 0;
    c.cap = cap < 0 ? 0 : cap;
    chans_.push_back(c);
  }
}

std::vector<model::waiter> model::front_group(const std::deque<waiter>& q) {
  std::vector<waiter> group;
  for (const waiter& w : q) {
    if (!group.empty() && w.g != group.front().g) break;
    group.push_back(w);
  }
  return group;
}

std::vector<outcome> model::recv_ready(int c, int index) const {
  const channel& ch = chans_[static_cast<std::size_t>(c)];
  if (ch.nil) return {};
  std::vector<waiter> from;  // the senders whose value it may get
  if (!ch.buf.empty()) {
    if (ch.buf.front().choices.empty()) return {{result::value, ch.buf.front().value, index}};
    from = ch.buf.front().choices;
  } else {
    from = front_group(ch.sendq);
  }
  std::vector<outcome> r;
  for (const waiter& s : from) r.push_back({result::value, s.value, index});
  if (r.empty() && ch.closed) r.push_back({result::empty, 0, index});
  return r;
}

std::vector<outcome> model::send_ready(int c, int index) const {
  const channel& ch = chans_[static_cast<std::size_t>(c)];
  if (ch.nil) return {};
  if (ch.closed) return {{result::closed_panic, 0, index}};
  if (!ch.recvq.empty() || static_cast<int>(ch.buf.size()) < ch.cap) return {{result::done, 0, index}};
  return {};
}

std::vector<outcome> model::immediate(const op& o) const {
  switch (o.kind) {
    case op_kind::send:
      return send_ready(o.chan, -1);
    case op_kind::recv:
      return recv_ready(o.chan, -1);
    case op_kind::try_send: {
      if (chans_[static_cast<std::size_t>(o.chan)].nil) return {{result::refused}};
      auto r = send_ready(o.chan, -1);
      return r.empty() ? std::vector<outcome>{{result::refused}} : r;
    }
    case op_kind::try_recv: {
      auto r = recv_ready(o.chan, -1);
      return r.empty() ? std::vector<outcome>{{result::empty}} : r;  // try_recv: closed is empty too
    }
    case op_kind::close: {
      const channel& ch = chans_[static_cast<std::size_t>(o.chan)];
      if (ch.nil) return {{result::nil_panic}};
      if (ch.closed) return {{result::closed_panic}};
      return {{result::done}};
    }
    case op_kind::select: {
      std::vector<outcome> ready;
      int default_at = -1, timer_at = -1;
      for (std::size_t i = 0; i < o.slots.size(); ++i) {
        const slot& s = o.slots[i];
        const int at = static_cast<int>(i);
        std::vector<outcome> r;
        if (s.kind == slot::recv) r = recv_ready(s.chan, at);
        else if (s.kind == slot::send) r = send_ready(s.chan, at);
        else if (s.kind == slot::default_case) default_at = at;
        else timer_at = at;
        ready.insert(ready.end(), r.begin(), r.end());
      }
      // Default only when no channel case is ready; a timer case whenever its timer has
      // fired, which may be at once (with nothing else ready, the select waits for it).
      if (ready.empty() && default_at >= 0) ready.push_back({result::done, 0, default_at});
      if (timer_at >= 0) ready.push_back({result::done, 0, timer_at});
      return ready;
    }
    case op_kind::lock:
      return mutexes_[static_cast<std::size_t>(o.mutex)].locked ? std::vector<outcome>{} : std::vector<outcome>{{result::done}};
    case op_kind::try_lock:
      return {{mutexes_[static_cast<std::size_t>(o.mutex)].locked ? result::refused : result::done}};
    case op_kind::unlock:
    case op_kind::timer:
    case op_kind::yield:
      return {{result::done}};
  }
  return {};
}

bool model::blocks_forever(const op& o) const {
  switch (o.kind) {
    case op_kind::send:
    case op_kind::recv:
      return is_nil(o.chan);
    case op_kind::select:
      return std::all_of(o.slots.begin(), o.slots.end(), [&](const slot& s) {
        return (s.kind == slot::recv || s.kind == slot::send) && is_nil(s.chan);
      });
    default:
      return false;
  }
}

void model::apply_recv(int c, long value) {
  channel& ch = chans_[static_cast<std::size_t>(c)];
  if (!ch.buf.empty()) {
    // A value still one of several: the select that moved it in sent `value`.
    for (const waiter& s : ch.buf.front().choices)
      if (s.value == value) goroutines_[static_cast<std::size_t>(s.g)].woken_with = {{result::done, 0, s.index}};
    ch.buf.pop_front();
    if (!ch.sendq.empty()) {  // a full buffer: one of the head sender's values takes the freed slot
      const std::vector<waiter> group = front_group(ch.sendq);
      entry e{group.front().value, {}};
      if (group.size() > 1) e.choices = group;
      std::vector<outcome> allowed;
      for (const waiter& s : group) allowed.push_back({result::done, 0, s.index});
      ch.buf.push_back(std::move(e));
      wake(group.front().g, std::move(allowed));
    }
  } else {
    // Handed over by the sender of `value` (no sender: closed and drained, no change).
    for (const waiter& s : front_group(ch.sendq))
      if (s.value == value) wake(s.g, {{result::done, 0, s.index}});
  }
}

void model::apply_send(int c, long value) {
  channel& ch = chans_[static_cast<std::size_t>(c)];
  if (ch.closed) return;  // the send panicked
  if (!ch.recvq.empty()) {  // any of the head receiver's cases here gets it
    const std::vector<waiter> group = front_group(ch.recvq);
    std::vector<outcome> allowed;
    for (const waiter& r : group) allowed.push_back({result::value, value, r.index});
    wake(group.front().g, std::move(allowed));
  } else {
    ch.buf.push_back({value, {}});
  }
}

void model::wake(int g, std::vector<outcome> allowed) {
  unqueue(g);
  goroutine& gr = goroutines_[static_cast<std::size_t>(g)];
  gr.blocked = false;
  gr.woken_with = std::move(allowed);
  woken_.push_back(g);
}

void model::checked(int g, const outcome& out) {
  goroutine& gr = goroutines_[static_cast<std::size_t>(g)];
  gr.woken_with.clear();
  if (gr.pending.kind != op_kind::select || out.what != result::done || out.index < 0) return;
  const slot& s = gr.pending.slots[static_cast<std::size_t>(out.index)];
  if (s.kind != slot::send) return;
  for (entry& e : chans_[static_cast<std::size_t>(s.chan)].buf) {
    if (e.choices.empty() || e.choices.front().g != g) continue;
    e.value = s.value;  // the value of the case it reports
    e.choices.clear();
  }
}

void model::unqueue(int g) {
  for (channel& ch : chans_) {
    for (auto* q : {&ch.recvq, &ch.sendq})
      q->erase(std::remove_if(q->begin(), q->end(), [g](const waiter& w) { return w.g == g; }), q->end());
  }
}

void model::complete(int g, const op& o, const outcome& out) {
  (void)g;
  switch (o.kind) {
    case op_kind::send:
    case op_kind::try_send:
      if (out.what == result::done) apply_send(o.chan, o.value);
      break;
    case op_kind::recv:
    case op_kind::try_recv:
      if (out.what == result::value) apply_recv(o.chan, out.value);
      break;
    case op_kind::close: {
      if (out.what != result::done) break;
      channel& ch = chans_[static_cast<std::size_t>(o.chan)];
      ch.closed = true;
      // Every waiter wakes: receivers with nullopt, senders with a panic. Which case of
      // a select with several on this channel wins is not specified: any of them.
      std::vector<waiter> all(ch.recvq.begin(), ch.recvq.end());
      all.insert(all.end(), ch.sendq.begin(), ch.sendq.end());
      for (const waiter& w : all) {
        goroutine& gr = goroutines_[static_cast<std::size_t>(w.g)];
        if (!gr.blocked) continue;  // a select already woken by an earlier case here
        std::vector<outcome> allowed;
        if (w.index < 0) {
          allowed.push_back({gr.pending.kind == op_kind::send ? result::closed_panic : result::empty});
        } else {
          for (std::size_t i = 0; i < gr.pending.slots.size(); ++i) {
            const slot& s = gr.pending.slots[i];
            if (s.chan != o.chan) continue;
            if (s.kind == slot::recv) allowed.push_back({result::empty, 0, static_cast<int>(i)});
            if (s.kind == slot::send) allowed.push_back({result::closed_panic, 0, static_cast<int>(i)});
          }
        }
        wake(w.g, std::move(allowed));
      }
      break;
    }
    case op_kind::select: {
      const slot& s = o.slots[static_cast<std::size_t>(out.index)];
      if (s.kind == slot::recv && out.what == result::value) apply_recv(s.chan, out.value);
      if (s.kind == slot::send && out.what == result::done) apply_send(s.chan, s.value);
      break;
    }
    case op_kind::lock:
    case op_kind::try_lock:
      if (out.what == result::done) mutexes_[static_cast<std::size_t>(o.mutex)].locked = true;
      break;
    case op_kind::unlock: {
      mutex_state& m = mutexes_[static_cast<std::size_t>(o.mutex)];
      if (m.waiters.empty()) {
        m.locked = false;
      } else {  // the longest waiter gets it (nobody else runs before it does)
        const int next = m.waiters.front();
        m.waiters.pop_front();
        wake(next, {{result::done}});
      }
      break;
    }
    case op_kind::timer:
    case op_kind::yield:
      break;
  }
}

void model::block(int g, const op& o) {
  goroutine& gr = goroutines_[static_cast<std::size_t>(g)];
  gr.blocked = true;
  gr.pending = o;
  switch (o.kind) {
    case op_kind::send:
      chans_[static_cast<std::size_t>(o.chan)].sendq.push_back({g, -1, o.value});
      break;
    case op_kind::recv:
      chans_[static_cast<std::size_t>(o.chan)].recvq.push_back({g, -1, 0});
      break;
    case op_kind::select:
      for (std::size_t i = 0; i < o.slots.size(); ++i) {
        const slot& s = o.slots[i];
        if (s.kind != slot::recv && s.kind != slot::send) continue;
        channel& ch = chans_[static_cast<std::size_t>(s.chan)];
        if (ch.nil) continue;
        (s.kind == slot::recv ? ch.recvq : ch.sendq).push_back({g, static_cast<int>(i), s.value});
      }
      break;
    case op_kind::lock:
      mutexes_[static_cast<std::size_t>(o.mutex)].waiters.push_back(g);
      break;
    default:
      gr.blocked = false;  // nothing else blocks
  }
}

std::vector<int> model::take_woken() { return std::exchange(woken_, {}); }

}  // namespace chan_model

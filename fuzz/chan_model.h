// chan_model: a sequential model of Go's channel, select and sync.Mutex semantics, for
// chan_schedule_fuzz. It knows nothing of goro: ops are applied one at a time, in the
// order the harness issues them, and it says what each may do at once (the outcomes
// Go allows, or none if the op must block), who an op wakes and with what outcome, and
// what every buffer holds. Queues of blocked goroutines are FIFO (Go's and goro's rule),
// so everything but the choice among several ready select cases is determined; that
// choice is reported back by the real run and must be one the model allowed. A parked
// select's waiters on one channel sit together in its queue in a random order (goro
// queues them in its random poll order), so a peer that comes later may take any of
// them: the model allows each, and the first outcome that shows which was taken fixes
// it (the value a receiver got, or the case the woken select reports). A value moved
// into a freed buffer slot from such a group is one of the group's values until then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace chan_model {

enum class op_kind : std::uint8_t { send, recv, try_send, try_recv, close, select, lock, unlock, try_lock, timer, yield };

// One argument of a select, in argument-list order.
struct slot {
  enum kind_t : std::uint8_t { recv, send, default_case, timer } kind = recv;
  int chan = 0;       // recv, send
  long value = 0;     // send
  int duration = 0;   // timer: microseconds (<= 0 fires at once)
};

struct op {
  op_kind kind = op_kind::yield;
  int chan = 0;              // send, recv, try_send, try_recv, close
  int mutex = 0;             // lock, unlock, try_lock
  long value = 0;            // send, try_send: a value never used before
  std::vector<slot> slots;   // select
  bool dynamic = false;      // select: through goro::select_set (else the variadic select)
  int timer_script = 0;      // timer: which script (chan_exec.cpp)
  int duration = 0;          // timer: microseconds
  std::string describe() const;
};

enum class result : std::uint8_t {
  done,          // send delivered or buffered, close, lock, a default or timer case, timer, yield
  value,         // a receive got `value`
  empty,         // a receive got nullopt (closed and drained), try_recv found nothing
  refused,       // try_send / try_lock did not succeed
  closed_panic,  // goro::closed_channel ("send on closed channel" / "close of closed channel")
  nil_panic,     // goro::panic "close of nil channel"
};

struct outcome {
  result what = result::done;
  long value = 0;  // result::value
  int index = -1;  // select: the position taken
  friend bool operator==(const outcome&, const outcome&) = default;
  std::string describe() const;
};

class model {
 public:
  // capacities[i] < 0: channel i is nil. Goroutine 0 is the harness's conductor.
  model(const std::vector<int>& capacities, int mutexes, int goroutines);

  // What op by g may do now, without waiting for another goroutine; empty if it must
  // block. A select with a timer case always completes (its timer fires meanwhile).
  std::vector<outcome> immediate(const op& o) const;
  // An op that, blocked, nothing could ever wake (a nil channel, a select of nil cases).
  bool blocks_forever(const op& o) const;
  // unlock of an unlocked mutex is a fatal error: the harness must not issue it.
  bool can_unlock(int mutex) const { return mutexes_[static_cast<std::size_t>(mutex)].locked; }

  // op by g completed with o (one of immediate()'s); applies it and wakes whom it wakes.
  void complete(int g, const op& o, const outcome& out);
  // op by g blocked (immediate() was empty): queues g on its channels or mutex.
  void block(int g, const op& o);
  // The goroutines the last complete() woke; each must later be checked: it reports
  // one of woken_outcomes(g), then checked(g, that outcome).
  std::vector<int> take_woken();
  // What woken goroutine g may report: what it was woken with, narrowed by what has
  // been seen since (a receive of the value it moved into a buffer).
  const std::vector<outcome>& woken_outcomes(int g) const { return goroutines_[static_cast<std::size_t>(g)].woken_with; }
  // Woken goroutine g reported out (one of woken_outcomes(g)): fixes the choice it made.
  void checked(int g, const outcome& out);

  bool blocked(int g) const { return goroutines_[static_cast<std::size_t>(g)].blocked; }
  bool is_nil(int c) const { return chans_[static_cast<std::size_t>(c)].nil; }
  bool is_closed(int c) const { return chans_[static_cast<std::size_t>(c)].closed; }
  int capacity(int c) const { return chans_[static_cast<std::size_t>(c)].cap; }
  std::size_t buffered(int c) const { return chans_[static_cast<std::size_t>(c)].buf.size(); }
  std::size_t channels() const { return chans_.size(); }
  std::size_t mutexes() const { return mutexes_.size(); }

 private:
  struct waiter {
    int g;
    int index;  // select: the slot; -1 for a plain send/recv
    long value;  // send
  };
  // A buffered value. A freed slot taken by a parked select with several send cases on
  // the channel holds one of their values: `choices` lists them until the select's
  // outcome or a receive of the value says which (then `value` is set).
  struct entry {
    long value = 0;
    std::vector<waiter> choices;
  };
  struct channel {
    bool nil = false;
    int cap = 0;
    bool closed = false;
    std::deque<entry> buf;
    std::deque<waiter> recvq, sendq;
  };
  struct mutex_state {
    bool locked = false;
    std::deque<int> waiters;
  };
  struct goroutine {
    bool blocked = false;
    op pending;
    std::vector<outcome> woken_with;  // woken, not yet checked: what it may report
  };

  // The head waiter of q and those of its goroutine right behind it: a select's cases
  // on one channel, queued together in a random order (any of them is next).
  static std::vector<waiter> front_group(const std::deque<waiter>& q);
  std::vector<outcome> recv_ready(int c, int index) const;  // empty if it would block
  std::vector<outcome> send_ready(int c, int index) const;
  void apply_recv(int c, long value);  // takes what a ready receive took (got value)
  void apply_send(int c, long value);  // delivers what a ready send delivers
  void wake(int g, std::vector<outcome> allowed);
  void unqueue(int g);  // drops every waiter of g (a woken select's other cases)

  std::vector<channel> chans_;
  std::vector<mutex_state> mutexes_;
  std::vector<goroutine> goroutines_;
  std::vector<int> woken_;
};

}  // namespace chan_model

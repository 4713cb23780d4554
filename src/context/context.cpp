// goro::context: a tree of nodes. See include/goro/context.hpp for the semantics.
//
// A node is a value node (one with_value entry) or a cancel node (with_cancel,
// with_deadline, with_timeout: a done channel, an error, its children, a deadline and
// the timer that enforces it). Every node keeps its parent alive and knows its nearest
// cancellable self-or-ancestor (`canceller`), which is what done(), err() and deadline()
// read. A cancel node registers in its parent's canceller's list of children, which holds
// it alive (`self`) until one of them unlinks it: its own cancel, or the parent's cancel,
// which takes the whole list and cancels each child. Both unlink under the parent's lock,
// so every child is cancelled exactly once and no record outlives a cancel.
// Lock order: a node's lock, then its done channel's lock (close). Children are cancelled
// after their parent's lock is released; a child's lock is never held with its parent's.
#include "goro/context.hpp"

#include <atomic>
#include <string>

#include "goro/detail/intrusive_queue.hpp"
#include "goro/detail/spinlock.hpp"
#include "goro/timer.hpp"

namespace goro {

namespace {

class context_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "goro.context"; }
  std::string message(int c) const override {
    switch (static_cast<errc>(c)) {
      case errc::canceled: return "context canceled";
      case errc::deadline_exceeded: return "context deadline exceeded";
    }
    return "unknown context error";
  }
  std::error_condition default_error_condition(int c) const noexcept override {
    switch (static_cast<errc>(c)) {
      case errc::canceled: return std::make_error_condition(std::errc::operation_canceled);
      case errc::deadline_exceeded: return std::make_error_condition(std::errc::timed_out);
    }
    return {c, *this};
  }
};

}  // namespace

const std::error_category& context_category() noexcept {
  static const context_error_category category;
  return category;
}

namespace detail {

struct cancel_node;

struct context_node;

// What destructors that run inside a release loop hand over, without allocating
// (destructors cannot report a std::bad_alloc): the one parent of the node just freed
// (freeing a node frees no other node itself, so the loop takes it before the next
// node can hand over its own), and the user values, chained through release_next.
struct release_list {
  context_ptr next;
  context_entry* entries = nullptr;
  context_entry** tail = &entries;
};
// Set only while a release loop runs on this thread and no user code can run (user
// values are destroyed after it is cleared: their destructors may park and resume on
// another thread).
thread_local release_list* tls_release = nullptr;

struct context_node {
  context_ptr parent;
  cancel_node* canceller = nullptr;        // nearest cancellable self-or-ancestor, or null
  std::unique_ptr<context_entry> entry;    // value nodes

  virtual ~context_node() {
    // A long chain of contexts is freed in a loop, not by recursion (a goroutine's stack
    // is small): a node destroyed inside the loop hands its parent (and its value) to
    // the loop instead of releasing it there. Every release is an ordinary shared_ptr
    // release, so it synchronizes as usual.
    if (release_list* list = tls_release) {
      list->next = std::move(parent);  // the slot is free: see release_list
      if (entry) {
        *list->tail = entry.release();
        list->tail = &(*list->tail)->release_next;
      }
      return;
    }
    if (!parent) return;
    release_list list;
    list.next = std::move(parent);
    tls_release = &list;
    while (list.next) {
      context_ptr p = std::move(list.next);
      p.reset();
    }
    tls_release = nullptr;
    // The user values, outside the loop, in the order they were handed over.
    while (context_entry* e = list.entries) {
      list.entries = e->release_next;
      delete e;
    }
  }
};

struct cancel_node final : context_node {
  spinlock lock;
  std::atomic<int> err{0};                 // errc, 0 until done
  chan<unit> done = make_chan<unit>();
  std::int64_t deadline = kFarNs;          // effective: min of own and the parent's
  timer deadline_timer;                    // guarded by lock; set if the own deadline is effective
  intrusive_list<cancel_node> children;    // guarded by lock
  // This node as a child in its parent's canceller's list (guarded by that node's lock);
  // also the link of the work list while a subtree is cancelled.
  cancel_node* next = nullptr;
  cancel_node* prev = nullptr;
  bool queued = false;
  std::shared_ptr<cancel_node> self;       // the list's reference, while queued

  ~cancel_node() override {
    if (deadline_timer) deadline_timer.stop();
  }

  std::size_t child_count() noexcept {
    lock.lock();
    std::size_t n = 0;
    for (cancel_node* c = children.front(); c; c = c->next) ++n;
    lock.unlock();
    return n;
  }

  // Under nothing: marks this node done with e (once), closing done. Returns its
  // children (unlinked, each still holding its list reference `self`) and its timer
  // through the out-parameters; false if it was done already.
  bool finish(errc e, cancel_node** kids, timer* t) {
    lock.lock();
    if (err.load(std::memory_order_relaxed) != 0) {
      lock.unlock();
      return false;
    }
    err.store(static_cast<int>(e), std::memory_order_release);
    done.close();
    *kids = children.take_all();
    *t = std::move(deadline_timer);
    deadline_timer = timer();
    lock.unlock();
    return true;
  }

  // Cancels this node and its subtree with e, without recursion (a tree may be deep).
  // It leaves its parent's list first, so whoever sees done() closed also sees the
  // record gone.
  void cancel(errc e) {
    unlink_from_parent();
    cancel_node* work = nullptr;
    timer t;
    if (!finish(e, &work, &t)) return;
    if (t) t.stop();
    while (work) {
      cancel_node* c = work;
      work = c->next;
      std::shared_ptr<cancel_node> keep = std::move(c->self);  // take_all unlinked it
      c->next = c->prev = nullptr;
      cancel_node* kids = nullptr;
      timer ct;
      if (keep->finish(e, &kids, &ct)) {
        while (kids) {  // push the grandchildren on the work list
          cancel_node* k = kids;
          kids = k->next;
          k->next = work;
          work = k;
        }
        if (ct) ct.stop();
      }
    }
  }

  void unlink_from_parent() {
    cancel_node* p = parent ? parent->canceller : nullptr;
    if (!p) return;
    std::shared_ptr<cancel_node> keep;
    p->lock.lock();
    if (queued) {
      p->children.remove(this);
      keep = std::move(self);
    }
    p->lock.unlock();
    // keep (the list's reference) goes here, outside the lock; the caller holds another.
  }
};

const context_entry* context_find(const context_node* n, const std::type_info& key_type,
                                  bool (*equal)(const void*, const void*), const void* probe) {
  for (; n; n = n->parent.get()) {
    if (n->entry && n->entry->key_type() == key_type && equal(n->entry->key(), probe)) return n->entry.get();
  }
  return nullptr;
}

context_ptr context_with_value(const context_ptr& parent, std::unique_ptr<context_entry> e) {
  auto n = std::make_shared<context_node>();
  n->parent = parent;
  n->canceller = parent ? parent->canceller : nullptr;
  n->entry = std::move(e);
  return n;
}

std::pair<context, cancel_func> context_with_cancel(const context_ptr& parent, std::int64_t deadline_ns) {
  auto n = std::make_shared<cancel_node>();
  n->parent = parent;
  n->canceller = n.get();
  cancel_node* p = parent ? parent->canceller : nullptr;
  std::int64_t inherited = p ? p->deadline : kFarNs;
  bool own_deadline = deadline_ns < inherited && deadline_ns < kFarNs;
  n->deadline = own_deadline ? deadline_ns : inherited;
  if (p) {
    p->lock.lock();
    int perr = p->err.load(std::memory_order_relaxed);
    if (perr == 0) {
      p->children.push_back(n.get());
      n->self = n;
    }
    p->lock.unlock();
    if (perr != 0) n->cancel(static_cast<errc>(perr));
  }
  if (own_deadline && n->err.load(std::memory_order_acquire) == 0) {
    std::int64_t left = deadline_ns - steady_now_ns();
    if (left <= 0) {
      n->cancel(errc::deadline_exceeded);
    } else {
      // The timer holds the node weakly: a node nobody can reach any more is freed, and
      // its destructor stops the timer. It is made outside the lock (it allocates); if
      // it cannot be, the node leaves its parent's list again and the caller gets the
      // std::bad_alloc with nothing changed. A cancel that came meanwhile found no timer
      // to stop: it is stopped here.
      std::weak_ptr<cancel_node> weak = n;
      timer t;
      try {
        t = after_func(std::chrono::nanoseconds(left), [weak] {
          if (auto s = weak.lock()) s->cancel(errc::deadline_exceeded);
        });
      } catch (...) {
        n->unlink_from_parent();
        throw;
      }
      n->lock.lock();
      const bool live = n->err.load(std::memory_order_relaxed) == 0;
      if (live) n->deadline_timer = std::move(t);
      n->lock.unlock();
      if (!live) t.stop();
    }
  }
  return {context_access::make(n), context_access::make_cancel(n)};
}

std::size_t context_child_count(const context& ctx) {
  const context_ptr& n = context_access::node(ctx);
  return n && n->canceller ? n->canceller->child_count() : 0;
}

}  // namespace detail

recv_chan<unit> context::done() const {
  if (!node_ || !node_->canceller) return {};
  return node_->canceller->done;
}

std::error_code context::err() const {
  if (!node_ || !node_->canceller) return {};
  int e = node_->canceller->err.load(std::memory_order_acquire);
  return e ? make_error_code(static_cast<errc>(e)) : std::error_code();
}

std::optional<std::chrono::steady_clock::time_point> context::deadline() const {
  if (!node_ || !node_->canceller || node_->canceller->deadline >= detail::kFarNs) return std::nullopt;
  return detail::steady_time(node_->canceller->deadline);
}

void cancel_func::operator()() const {
  if (!node_) return;
  static_cast<detail::cancel_node*>(node_.get())->cancel(errc::canceled);
}

}  // namespace goro

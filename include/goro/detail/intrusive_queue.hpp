// The queues of parked waiters inside goro's channels and sync types, linked through the
// waiter records themselves (which live on the waiting goroutine's or thread's stack).
// Not synchronized: the owner's spinlock guards them. Node may be incomplete where a
// queue is declared; the operations are instantiated where it is complete.
//   intrusive_fifo<Node>  singly linked FIFO (Node has `Node* next`)
//   intrusive_list<Node>  doubly linked, any node removable (Node has next, prev, queued)
//   wake_chain(n)         wakes a chain of taken-off nodes (Node has `waiter w`)
#pragma once

#include "goro/detail/park.hpp"

namespace goro::detail {

template <class Node>
class intrusive_fifo {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  Node* front() const noexcept { return head_; }

  void push_back(Node* n) noexcept {
    n->next = nullptr;
    if (tail_) tail_->next = n; else head_ = n;
    tail_ = n;
  }
  void push_front(Node* n) noexcept {
    n->next = head_;
    head_ = n;
    if (!tail_) tail_ = n;
  }
  // The first node, unlinked (its next is cleared), or null.
  Node* pop_front() noexcept {
    Node* n = head_;
    if (n) {
      head_ = n->next;
      if (!head_) tail_ = nullptr;
      n->next = nullptr;
    }
    return n;
  }
  // Every node, still linked through next; the queue is left empty.
  Node* take_all() noexcept {
    Node* n = head_;
    head_ = tail_ = nullptr;
    return n;
  }

 private:
  Node* head_ = nullptr;
  Node* tail_ = nullptr;
};

template <class Node>
class intrusive_list {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  Node* front() const noexcept { return head_; }

  void push_back(Node* n) noexcept {
    n->next = nullptr;
    n->prev = tail_;
    if (tail_) tail_->next = n; else head_ = n;
    tail_ = n;
    n->queued = true;
  }
  void push_front(Node* n) noexcept {
    n->prev = nullptr;
    n->next = head_;
    if (head_) head_->prev = n; else tail_ = n;
    head_ = n;
    n->queued = true;
  }
  // Unlinks n; a no-op if n is not queued.
  void remove(Node* n) noexcept {
    if (!n->queued) return;
    if (n->prev) n->prev->next = n->next; else head_ = n->next;
    if (n->next) n->next->prev = n->prev; else tail_ = n->prev;
    n->next = n->prev = nullptr;
    n->queued = false;
  }
  // Every node, marked not queued but still linked through next; the list is left empty.
  Node* take_all() noexcept {
    for (Node* n = head_; n; n = n->next) n->queued = false;
    Node* n = head_;
    head_ = tail_ = nullptr;
    return n;
  }

 private:
  Node* head_ = nullptr;
  Node* tail_ = nullptr;
};

// Wakes every node of a chain taken off a queue (after its lock is released). Reads next
// before each wake: a woken waiter's node dies with its frame.
template <class Node>
void wake_chain(Node* n) noexcept {
  while (n) {
    Node* next = n->next;
    wake_waiter(n->w);
    n = next;
  }
}

}  // namespace goro::detail

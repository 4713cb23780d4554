// intrusive_fifo<Node>: the FIFO of parked waiters inside goro's sync types (Node has a
// `Node* next`). Not synchronized: the owner's spinlock guards it. Node may be incomplete
// where the queue is declared; the operations are instantiated where it is complete.
#pragma once

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

}  // namespace goro::detail

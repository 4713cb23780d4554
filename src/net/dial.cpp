// goro::net::dial: resolve, then connect to each address in turn until one answers,
// within the timeout or the context's life (Go's Dialer). A context that can end is
// watched by a helper goroutine that, when it ends first, expires the connecting
// socket's write deadline (Go does the same); the call then reports ctx.err().
#include <sys/socket.h>

#include <atomic>
#include <memory>

#include "goro/chan.hpp"
#include "goro/runtime.hpp"
#include "goro/select.hpp"
#include "net/netfd.hpp"
#include "net/resolve.hpp"
#include "net/socket.hpp"

namespace goro::net {

namespace {
using goro::detail::platform::kNever;

deadline from_ns(std::int64_t ns) { return deadline(std::chrono::nanoseconds(ns)); }

// Ends the connect of s when ctx ends first; stop() waits until it can no longer fire.
class context_watch {
 public:
  context_watch(const context& ctx, std::shared_ptr<detail::netfd> s) {
    recv_chan<unit> done = ctx.done();
    if (!done) return;  // background() and its values can never end
    active_ = true;
    stop_ = make_chan<unit>();
    finished_ = make_chan<unit>();
    go([done, s, stop = stop_, finished = finished_, fired = fired_] {
      select(recv_case(done,
                       [&] {
                         fired->store(true, std::memory_order_release);
                         std::error_code ignored;
                         s->set_deadline(false, true, from_ns(1), ignored);  // long ago
                       }),
             recv_case(stop));
      finished.close();
    });
  }
  // True if the context ended before the connect did.
  bool stop() {
    if (!active_) return false;
    stop_.close();
    finished_.recv();
    return fired_->load(std::memory_order_acquire);
  }

 private:
  bool active_ = false;
  chan<unit> stop_, finished_;
  std::shared_ptr<std::atomic<bool>> fired_ = std::make_shared<std::atomic<bool>>(false);
};

conn connect_one(const detail::network_kind& kind, const address& to, std::int64_t deadline_ns, const context* ctx,
                 std::error_code& ec) {
  std::shared_ptr<detail::netfd> s = detail::make_socket(to.family(), kind.sotype, ec);
  if (!s) return {};
  if (deadline_ns != kNever) {
    s->set_deadline(false, true, from_ns(deadline_ns), ec);
    if (ec) {  // no timer for the timeout (out of memory): no connect without it
      std::error_code ignored;
      s->close(ignored);
      return {};
    }
  }
  bool ctx_ended = false;
  {
    context_watch watch(ctx ? *ctx : context(), s);
    s->connect(to, ec);
    ctx_ended = watch.stop();
  }
  std::error_code ignored;
  if (ctx_ended) {
    ec = ctx->err();
    s->close(ignored);
    return {};
  }
  if (ec) {
    s->close(ignored);
    return {};
  }
  if (deadline_ns != kNever) s->set_deadline(false, true, no_deadline, ignored);
  return detail::access::make_conn(std::move(s));
}

conn dial_impl(std::string_view network, std::string_view text, const address* given, std::int64_t deadline_ns,
               const context* ctx, std::error_code& ec) {
  detail::network_kind kind;
  if (!detail::parse_network(network, kind)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  bool ctx_deadline_first = false;  // then a write-deadline expiry is ctx's deadline
  if (ctx) {
    if ((ec = ctx->err())) return {};
    if (auto d = ctx->deadline()) {
      std::int64_t ns = goro::detail::steady_ns(*d);
      ctx_deadline_first = ns <= deadline_ns;
      deadline_ns = std::min(deadline_ns, ns);
    }
  }
  std::vector<address> targets;
  if (given) {
    bool ok = !given->empty() && (kind.family == AF_UNSPEC ? given->family() != AF_UNIX : given->family() == kind.family);
    if (!ok) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    targets.push_back(*given);
  } else {
    targets = detail::resolve_all(kind, text, detail::resolve_for::dial, ec);
    if (ec) return {};
  }
  for (const address& to : targets) {
    conn c = connect_one(kind, to, deadline_ns, ctx, ec);
    if (!ec) return c;
    // The socket's deadline and ctx's own timer expire together; report ctx's error
    // whichever fired first.
    if (ec == std::errc::timed_out && ctx_deadline_first) ec = goro::errc::deadline_exceeded;
    // The deadline or the context bounds the whole call; another address gets a try
    // only after a refusal or an unreachable network.
    if (ec == std::errc::timed_out || (ctx && ctx->err())) break;
  }
  return {};
}

// Zero means none (Go's Dialer); a negative timeout is a deadline already past, so the
// connect fails at once with timed_out.
std::int64_t deadline_after(std::chrono::nanoseconds timeout) {
  if (timeout == std::chrono::nanoseconds::zero()) return kNever;
  return goro::detail::deadline_after(timeout);
}

conn throwing(conn c, const std::error_code& ec, std::string_view network, std::string_view addr) {
  if (ec) detail::throw_if(ec, detail::describe("dial", network, addr));
  return c;
}
}  // namespace

conn dial(std::string_view network, std::string_view addr, std::error_code& ec) {
  return dial_impl(network, addr, nullptr, kNever, nullptr, ec);
}
conn dial(std::string_view network, std::string_view addr) {
  std::error_code ec;
  conn c = dial(network, addr, ec);
  return throwing(std::move(c), ec, network, addr);
}
conn dial(std::string_view network, std::string_view addr, std::chrono::nanoseconds timeout, std::error_code& ec) {
  return dial_impl(network, addr, nullptr, deadline_after(timeout), nullptr, ec);
}
conn dial(std::string_view network, std::string_view addr, std::chrono::nanoseconds timeout) {
  std::error_code ec;
  conn c = dial(network, addr, timeout, ec);
  return throwing(std::move(c), ec, network, addr);
}
conn dial(std::string_view network, const address& addr, std::error_code& ec) {
  return dial_impl(network, {}, &addr, kNever, nullptr, ec);
}
conn dial(std::string_view network, const address& addr) {
  std::error_code ec;
  conn c = dial(network, addr, ec);
  return throwing(std::move(c), ec, network, addr.to_string());
}
conn dial(const context& ctx, std::string_view network, std::string_view addr, std::error_code& ec) {
  return dial_impl(network, addr, nullptr, kNever, &ctx, ec);
}
conn dial(const context& ctx, std::string_view network, std::string_view addr) {
  std::error_code ec;
  conn c = dial(ctx, network, addr, ec);
  return throwing(std::move(c), ec, network, addr);
}

}  // namespace goro::net

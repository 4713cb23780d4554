// Tests for goro::net and the poller under it: loopback echo over tcp4, tcp6, unix and
// udp with many concurrent clients; deadlines (expiry, clearing, moving one while a call
// is blocked); close waking blocked calls; peer reset, half-close, refused, address in
// use, dial timeouts and contexts; bad addresses; accept under descriptor exhaustion;
// plain threads; a goroutine blocked on the network is not a deadlock. Loopback only,
// every wait bounded.
#include <goro/goro.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "net/poller.hpp"

using namespace std::chrono_literals;
namespace net = goro::net;
using clk = std::chrono::steady_clock;

namespace {

template <class F>
void run(F f) {
  goro::run([&] { f(); });
}

// Waits (parking, bounded) until pred() holds.
template <class Pred>
bool eventually(Pred pred, clk::duration bound = 10s) {
  auto give_up = clk::now() + bound;
  while (!pred()) {
    if (clk::now() > give_up) return false;
    goro::sleep(1ms);
  }
  return true;
}

int io_waiters() {
  auto* p = goro::detail::poller::if_started();
  return p ? p->waiters() : 0;
}

// Reads exactly n bytes (or fewer at the end of the stream).
std::string read_n(net::conn& c, std::size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    std::size_t got = c.read(std::span<char>(buf, std::min(sizeof buf, n - out.size())));
    if (got == 0) break;
    out.append(buf, got);
  }
  return out;
}

// An echo server: one goroutine per connection until the listener is closed.
// Returns a channel closed once the accept loop has ended.
goro::chan<goro::unit> serve_echo(net::listener ln) {
  auto ended = goro::make_chan<goro::unit>();
  goro::go([ln, ended]() mutable {
    for (;;) {
      std::error_code ec;
      net::conn c = ln.accept(ec);
      if (ec) break;
      goro::go([c]() mutable {
        char buf[4096];
        std::error_code e;
        while (std::size_t n = c.read(std::span<char>(buf), e)) c.write(std::string_view(buf, n), e);
      });
    }
    ended.close();
  });
  return ended;
}

// Many clients, each doing `trips` round trips of a 64-byte message it checks.
void echo_clients(const std::string& network, const net::address& at, int clients, int trips) {
  goro::wait_group wg;
  std::atomic<int> ok{0};
  for (int i = 0; i < clients; ++i) {
    wg.add(1);
    goro::go([&, i] {
      net::conn c = net::dial(network, at);
      bool good = true;
      for (int t = 0; t < trips && good; ++t) {
        std::string msg(64, static_cast<char>('a' + (i + t) % 26));
        msg.replace(0, std::to_string(i).size(), std::to_string(i));
        c.write(msg);
        good = read_n(c, msg.size()) == msg;
      }
      if (good) ok.fetch_add(1);
      c.close();
      wg.done();
    });
  }
  wg.wait();
  EXPECT_EQ(ok.load(), clients);
}

}  // namespace

TEST(NetEcho, ThousandConcurrentTcp4Clients) {
  run([] {
    net::listener ln = net::listen("tcp4", "127.0.0.1:0");
    EXPECT_EQ(ln.addr().host(), "127.0.0.1");
    EXPECT_NE(ln.addr().port(), 0);
    auto ended = serve_echo(ln);
    echo_clients("tcp", ln.addr(), 1000, 20);
    ln.close();
    ended.recv();
  });
}

TEST(NetEcho, Tcp6AndLocalhostAndWildcard) {
  run([] {
    net::listener ln6 = net::listen("tcp6", "[::1]:0");
    EXPECT_EQ(ln6.addr().host(), "::1");
    EXPECT_EQ(ln6.addr().to_string(), "[::1]:" + std::to_string(ln6.addr().port()));
    auto e6 = serve_echo(ln6);
    echo_clients("tcp6", ln6.addr(), 20, 5);

    // ":port" listens on every address, IPv4 and IPv6 alike; localhost resolves.
    net::listener any = net::listen("tcp", ":0");
    auto ea = serve_echo(any);
    std::string port = std::to_string(any.addr().port());
    for (std::string target : {"127.0.0.1:" + port, "[::1]:" + port, "localhost:" + port}) {
      net::conn c = net::dial("tcp", target);
      c.write("ping");
      EXPECT_EQ(read_n(c, 4), "ping") << target;
      EXPECT_EQ(c.remote_addr().port(), any.addr().port());
      EXPECT_EQ(c.local_addr().host(), c.remote_addr().host());
    }
    ln6.close();
    any.close();
    e6.recv();
    ea.recv();
  });
}

TEST(NetEcho, UnixSocketsAndTheirFiles) {
  run([] {
    std::string path = "/tmp/goro-net-test-" + std::to_string(getpid()) + ".sock";
    ::unlink(path.c_str());
    net::listener ln = net::listen("unix", path);
    EXPECT_EQ(ln.addr().to_string(), path);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    auto ended = serve_echo(ln);
    echo_clients("unix", ln.addr(), 50, 10);
    net::conn c = net::dial("unix", path);
    c.write("x");
    EXPECT_EQ(read_n(c, 1), "x");
    ln.close();
    ended.recv();
    EXPECT_NE(::access(path.c_str(), F_OK), 0) << "closing a unix listener removes its socket file";

    std::string abstract = "@goro-net-test-" + std::to_string(getpid());
    net::listener la = net::listen("unix", abstract);
    EXPECT_EQ(la.addr().to_string(), abstract);
    auto ea = serve_echo(la);
    echo_clients("unix", la.addr(), 5, 3);
    la.close();
    ea.recv();
  });
}

TEST(NetUdp, DatagramsCarryTheirSender) {
  run([] {
    net::packet_conn a = net::listen_packet("udp4", "127.0.0.1:0");
    net::packet_conn b = net::listen_packet("udp", "127.0.0.1:0");
    goro::go([b]() mutable {
      char buf[256];
      for (int i = 0; i < 10; ++i) {
        auto [n, from] = b.read_from(std::span<char>(buf));
        b.write_to(std::string_view(buf, n), from);  // echo each datagram to its sender
      }
    });
    {
      a.set_read_deadline(clk::now() + 30ms);
      char buf[8];
      std::error_code ec;
      a.read_from(std::span<char>(buf), ec);  // nothing was sent yet
      EXPECT_EQ(ec, std::errc::timed_out);
      a.set_read_deadline(net::no_deadline);
    }
    for (int i = 0; i < 10; ++i) {
      std::string msg = "datagram " + std::to_string(i);
      a.write_to(msg, b.local_addr());
      char buf[256];
      auto [got, sender] = a.read_from(std::span<char>(buf));
      EXPECT_EQ(std::string(buf, got), msg);
      EXPECT_EQ(sender, b.local_addr());
    }
    // A connected udp socket from dial: write and read without addresses.
    net::conn c = net::dial("udp", b.local_addr().to_string());
    goro::go([b]() mutable {
      char buf[64];
      auto [n, from] = b.read_from(std::span<char>(buf));
      b.write_to(std::string_view(buf, n), from);
    });
    c.write("hello");
    char buf[64];
    EXPECT_EQ(std::string(buf, c.read(std::span<char>(buf))), "hello");
    a.close();
    b.close();
  });
}

// Only TCP listeners get SO_REUSEADDR (as in Go): with it on a UDP socket, a second
// bind to the same address succeeded and the two sockets shared the port's datagrams.
TEST(NetUdp, ASecondBindToABoundAddressIsInUse) {
  run([] {
    net::packet_conn a = net::listen_packet("udp", "127.0.0.1:0");
    std::string taken = a.local_addr().to_string();
    std::error_code ec;
    net::listen_packet("udp", taken, ec);
    EXPECT_EQ(ec, std::errc::address_in_use);
    try {
      net::listen_packet("udp", taken);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_in_use);
    }
    a.close();
    net::listen_packet("udp", taken, ec);  // free again once closed
    EXPECT_FALSE(ec) << ec.message();

    // A TCP listener still rebinds a port at once while a connection it accepted there
    // is closing (TIME_WAIT on the side that closed first): SO_REUSEADDR.
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    taken = ln.addr().to_string();
    net::conn client = net::dial("tcp", taken);
    net::conn server = ln.accept();
    server.close();
    char buf[4];
    EXPECT_EQ(client.read(std::span<char>(buf)), 0u);
    client.close();
    ln.close();
    net::listen("tcp", taken, ec);
    EXPECT_FALSE(ec) << ec.message();
  });
}

TEST(NetDeadline, ReadDeadlineExpiresAndCanBeCleared) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    auto ended = serve_echo(ln);
    net::conn c = net::dial("tcp", ln.addr());
    auto start = clk::now();
    c.set_read_deadline(start + 50ms);
    char buf[16];
    std::error_code ec;
    EXPECT_EQ(c.read(std::span<char>(buf), ec), 0u);
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_GE(clk::now() - start, 50ms);
    // Every later read fails too, at once, until the deadline moves.
    EXPECT_EQ(c.read(std::span<char>(buf), ec), 0u);
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_THROW(c.read(std::span<char>(buf)), std::system_error);
    // Writes have their own deadline, not expired.
    c.write("abc");
    c.set_read_deadline(net::no_deadline);
    EXPECT_EQ(read_n(c, 3), "abc");
    // A deadline in the past fails at once.
    c.set_deadline(clk::now() - 1s);
    EXPECT_EQ(c.write("x", ec), 0u);
    EXPECT_EQ(ec, std::errc::timed_out);
    ln.close();
    ended.recv();
  });
}

TEST(NetDeadline, MovingADeadlineWhileACallIsBlockedTakesEffectAtOnce) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    auto ended = serve_echo(ln);
    net::conn c = net::dial("tcp", ln.addr());
    auto result = goro::make_chan<std::error_code>(1);
    goro::go([c, result]() mutable {
      char buf[8];
      std::error_code ec;
      c.read(std::span<char>(buf), ec);
      result.send(ec);
    });
    ASSERT_TRUE(eventually([] { return io_waiters() >= 1; }));
    // No deadline yet: the reader blocks; one in the past wakes it with timed_out.
    c.set_read_deadline(clk::now() - 1ms);
    EXPECT_EQ(*result.recv(), std::errc::timed_out);

    // A near deadline moved far away while blocked: the read does not time out.
    c.set_read_deadline(net::no_deadline);
    goro::go([c, result]() mutable {
      char buf[8];
      std::error_code ec;
      std::size_t n = c.read(std::span<char>(buf), ec);
      result.send(n == 2 ? ec : std::make_error_code(std::errc::io_error));
    });
    ASSERT_TRUE(eventually([] { return io_waiters() >= 1; }));
    c.set_read_deadline(clk::now() + 20ms);
    c.set_read_deadline(clk::now() + 1h);
    bool early = false;
    goro::select(goro::recv_case(result, [&] { early = true; }), goro::recv_case(goro::after(100ms)));
    EXPECT_FALSE(early) << "the moved deadline still fired";
    c.write("ok");
    EXPECT_EQ(*result.recv(), std::error_code());
    ln.close();
    ended.recv();
  });
}

TEST(NetClose, CloseWakesBlockedCallsWithClosed) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    auto accepted = goro::make_chan<std::error_code>(1);
    goro::go([ln, accepted]() mutable {
      std::error_code ec;
      ln.accept(ec);  // nobody dials: blocks until close
      accepted.send(ec);
    });
    ASSERT_TRUE(eventually([] { return io_waiters() >= 1; }));
    ln.close();
    std::error_code ec = *accepted.recv();
    EXPECT_EQ(ec, net::errc::closed);
    EXPECT_EQ(ec.message(), "use of closed network connection");

    net::listener ln2 = net::listen("tcp", "127.0.0.1:0");
    auto ended = serve_echo(ln2);
    net::conn c = net::dial("tcp", ln2.addr());
    auto read_result = goro::make_chan<std::error_code>(1);
    goro::go([c, read_result]() mutable {
      char buf[8];
      std::error_code e;
      c.read(std::span<char>(buf), e);
      read_result.send(e);
    });
    ASSERT_TRUE(eventually([] { return io_waiters() >= 2; }));  // the reader and the acceptor
    c.close();
    EXPECT_EQ(*read_result.recv(), net::errc::closed);
    // Everything after close reports closed, a second close too.
    std::error_code e;
    c.close(e);
    EXPECT_EQ(e, net::errc::closed);
    c.write("x", e);
    EXPECT_EQ(e, net::errc::closed);
    EXPECT_THROW(c.close(), std::system_error);
    net::conn none;
    none.write("x", e);
    EXPECT_EQ(e, net::errc::closed);
    ln2.close();
    ended.recv();
  });
}

TEST(NetClose, PeerResetMidReadIsConnectionReset) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    auto server_read = goro::make_chan<std::error_code>(1);
    goro::go([ln, server_read]() mutable {
      net::conn s = ln.accept();
      char buf[8];
      std::error_code ec;
      EXPECT_EQ(s.read(std::span<char>(buf), ec), 1u);
      s.read(std::span<char>(buf), ec);  // blocked when the reset arrives
      server_read.send(ec);
    });
    net::conn c = net::dial("tcp", ln.addr());
    c.write("a");
    ASSERT_TRUE(eventually([] { return io_waiters() >= 1; }));
    linger lg{1, 0};  // close with RST
    ASSERT_EQ(::setsockopt(c.native_handle(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    c.close();
    EXPECT_EQ(*server_read.recv(), std::errc::connection_reset);
    ln.close();
  });
}

TEST(NetClose, HalfCloseLetsThePeerFinishItsReply) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    goro::go([ln]() mutable {
      net::conn s = ln.accept();
      std::string all;
      char buf[64];
      while (std::size_t n = s.read(std::span<char>(buf))) all.append(buf, n);  // until EOF
      s.write("got " + std::to_string(all.size()));
      s.close();
    });
    net::conn c = net::dial("tcp", ln.addr());
    c.write(std::string(1000, 'z'));
    c.close_write();
    std::error_code ec;
    c.write("more", ec);
    EXPECT_EQ(ec, std::errc::broken_pipe);
    EXPECT_EQ(read_n(c, 100), "got 1000");
    char buf[8];
    EXPECT_EQ(c.read(std::span<char>(buf)), 0u);  // the end of the stream, not an error
    ln.close();
  });
}

TEST(NetDial, RefusedInUseAndBadAddresses) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    std::string taken = ln.addr().to_string();
    std::error_code ec;
    net::listen("tcp", taken, ec);
    EXPECT_EQ(ec, std::errc::address_in_use);
    try {
      net::listen("tcp", taken);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_in_use);
      EXPECT_NE(std::string(e.what()).find("listen tcp " + taken), std::string::npos) << e.what();
    }
    ln.close();
    net::dial("tcp", taken, ec);  // nobody listens there now
    EXPECT_EQ(ec, std::errc::connection_refused);
    EXPECT_THROW(net::dial("tcp", taken), std::system_error);

    for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "::1:80", "[::1]80", "[::1", "1.2.3:x y"}) {
      net::dial("tcp", bad, ec);
      EXPECT_EQ(ec, std::errc::invalid_argument) << bad;
      net::listen("tcp", bad, ec);
      EXPECT_EQ(ec, std::errc::invalid_argument) << bad;
    }
    net::dial("tcpx", "127.0.0.1:80", ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::listen("udp", "127.0.0.1:0", ec);  // a datagram network is for listen_packet
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::listen_packet("tcp", "127.0.0.1:0", ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::listen("tcp4", "[::1]:0", ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::listen("tcp6", "127.0.0.1:0", ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::listen("unix", std::string(200, 'p'), ec);  // longer than sun_path
    EXPECT_EQ(ec, std::errc::invalid_argument);
    net::dial("tcp", net::address(), ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);

    net::address a = net::resolve("tcp", "localhost:80");
    EXPECT_EQ(a.to_string(), "127.0.0.1:80");
    EXPECT_EQ(net::resolve("tcp", "[::1]:443").port(), 443);
    EXPECT_EQ(net::resolve("unix", "/tmp/x.sock").to_string(), "/tmp/x.sock");
    EXPECT_THROW(net::resolve("tcp", "nope"), std::system_error);
  });
}

// Found by fuzz/address_fuzz: a NUL cut the host, the service or a unix path short in the
// C calls ("127.0.0.1\0junk:80" resolved to 127.0.0.1:80, the path "a\0b" named the file
// "a", "\0x" an abstract socket), and stray brackets went to a name lookup (host_not_found)
// where Go's SplitHostPort finds the address malformed.
TEST(NetResolve, MalformedAddressesAreInvalidWithoutALookup) {
  using namespace std::string_literals;
  std::error_code ec;
  for (const std::string& bad : {"127.0.0.1\0junk:80"s, "localhost\0.example:80"s, "127.0.0.1:http\0x"s, "]:4"s,
                                 "a]:80"s, "a[b:80"s, "[a[b]:80"s, "[::1]:80]"s, "[::1]:80:90"s}) {
    net::resolve("tcp", bad, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << testing::PrintToString(bad);
  }
  for (const std::string& bad : {"a\0b"s, "\0x"s, "/tmp/x\0.sock"s}) {
    net::resolve("unix", bad, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << testing::PrintToString(bad);
  }
  // Still fine: an abstract name may hold NULs, and a bracketed host need not be IPv6.
  EXPECT_EQ(net::resolve("unix", "@a\0b"s).to_string(), "@a\0b"s);
  EXPECT_EQ(net::resolve("tcp", "[127.0.0.1]:80").to_string(), "127.0.0.1:80");
  EXPECT_EQ(net::resolve("tcp", "[]:80").to_string(), "127.0.0.1:80");
}

namespace {
// A listener whose accept queue is full (backlog 0, one connection queued and never
// accepted): a further connect's SYN is dropped, so the dial hangs until it gives up.
struct stuck_listener {
  int fd = -1;
  std::string addr;
  net::conn queued;
  stuck_listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in);
    ::listen(fd, 0);
    socklen_t len = sizeof in;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&in), &len);
    addr = "127.0.0.1:" + std::to_string(ntohs(in.sin_port));
    queued = net::dial("tcp", addr);
  }
  ~stuck_listener() { ::close(fd); }
};
}  // namespace

TEST(NetDial, TimeoutAndContextEndADialThatHangs) {
  run([] {
    stuck_listener stuck;
    std::error_code ec;
    auto start = clk::now();
    net::dial("tcp", stuck.addr, 100ms, ec);
    EXPECT_EQ(ec, std::errc::timed_out);
    EXPECT_GE(clk::now() - start, 100ms);

    auto [tctx, tcancel] = goro::with_timeout(goro::background(), 100ms);
    net::dial(tctx, "tcp", stuck.addr, ec);
    EXPECT_EQ(ec, goro::errc::deadline_exceeded);
    tcancel();

    auto [ctx, cancel] = goro::with_cancel(goro::background());
    auto result = goro::make_chan<std::error_code>(1);
    goro::go([ctx = ctx, result, addr = stuck.addr]() mutable {
      std::error_code e;
      net::dial(ctx, "tcp", addr, e);
      result.send(e);
    });
    ASSERT_TRUE(eventually([] { return io_waiters() >= 1; }));
    cancel();
    EXPECT_EQ(*result.recv(), goro::errc::canceled);
    net::dial(ctx, "tcp", stuck.addr, ec);  // already done: fails at once
    EXPECT_EQ(ec, goro::errc::canceled);
  });
}

// Go's TestDialTimeoutNegative and a context already past its deadline: the dial fails at
// once with the timeout's error (a loopback connect completes without waiting, so it
// used to succeed); a zero timeout is none.
TEST(NetDial, NegativeTimeoutOrExpiredContextFailsAtOnce) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    std::string addr = ln.addr().to_string();
    std::error_code ec;
    for (std::chrono::nanoseconds t : {-1ns, std::chrono::nanoseconds(-1s), std::chrono::nanoseconds::min()}) {
      net::dial("tcp", addr, t, ec);
      EXPECT_EQ(ec, std::errc::timed_out) << t.count();
    }
    try {
      net::dial("tcp", addr, -1s);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::timed_out);
    }
    net::dial("tcp", addr, 0ns, ec);
    EXPECT_FALSE(ec) << ec.message();

    auto [ctx, cancel] = goro::with_deadline(goro::background(), clk::now() - 1s);
    net::dial(ctx, "tcp", addr, ec);
    EXPECT_EQ(ec, goro::errc::deadline_exceeded);
    try {
      net::dial(ctx, "tcp", addr);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), goro::errc::deadline_exceeded);
    }
    cancel();
    ln.close();
  });
}

TEST(NetConn, ConcurrentWritersNeverInterleaveAWrite) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    constexpr int kWriters = 4, kMessages = 500, kSize = 1000;
    auto verdict = goro::make_chan<bool>(1);
    goro::go([ln, verdict]() mutable {
      net::conn s = ln.accept();
      bool intact = true;
      for (int i = 0; i < kWriters * kMessages && intact; ++i) {
        std::string m = read_n(s, kSize);
        intact = m.size() == kSize && m.find_first_not_of(m[0]) == std::string::npos;
      }
      verdict.send(intact);
    });
    net::conn c = net::dial("tcp", ln.addr());
    goro::wait_group wg;
    for (int w = 0; w < kWriters; ++w) {
      wg.add(1);
      goro::go([&, w] {
        std::string m(kSize, static_cast<char>('A' + w));
        for (int i = 0; i < kMessages; ++i) c.write(m);
        wg.done();
      });
    }
    wg.wait();
    EXPECT_TRUE(*verdict.recv());
    ln.close();
  });
}

TEST(NetConn, PlainThreadsUseTheSameCalls) {
  net::listener ln = net::listen("tcp", "127.0.0.1:0");
  goro::go([ln]() mutable {
    net::conn s = ln.accept();
    char buf[64];
    while (std::size_t n = s.read(std::span<char>(buf))) s.write(std::string_view(buf, n));
  });
  std::thread t([addr = ln.addr()] {
    net::conn c = net::dial("tcp", addr);
    for (int i = 0; i < 100; ++i) {
      std::string m = "line " + std::to_string(i);
      c.write(m);
      EXPECT_EQ(read_n(c, m.size()), m);
    }
    c.set_read_deadline(clk::now() + 20ms);
    char buf[4];
    std::error_code ec;
    c.read(std::span<char>(buf), ec);
    EXPECT_EQ(ec, std::errc::timed_out);
  });
  t.join();
  ln.close();
}

TEST(NetAccept, DescriptorExhaustionBacksOffAndRecovers) {
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    int top = ::dup(0);
    ::close(top);
    low.rlim_cur = static_cast<rlim_t>(top + 64);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    // A client connects (its handshake completes in the kernel), then the process runs
    // out of descriptors before the server accepts it.
    net::conn client = net::dial("tcp", ln.addr());
    std::vector<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
    ASSERT_EQ(errno, EMFILE);
    auto accepted = goro::make_chan<bool>(1);
    std::atomic<std::uint64_t> acceptor{0};
    goro::go([&, ln]() mutable {
      acceptor = goro::this_goroutine::id();
      net::conn s = ln.accept();
      char buf[8];
      std::size_t n = s.read(std::span<char>(buf));
      s.write(std::string_view(buf, n));
      accepted.send(true);
    });
    // It backs off: the acceptor sleeps between tries rather than spinning.
    EXPECT_TRUE(eventually([&] {
      for (const goro::goroutine_info& g : goro::goroutines())
        if (g.id == acceptor.load() && g.wait_reason == "sleep") return true;
      return false;
    }));
    for (int fd : fillers) ::close(fd);
    client.write("hi");
    EXPECT_EQ(read_n(client, 2), "hi");
    EXPECT_TRUE(*accepted.recv());
    setrlimit(RLIMIT_NOFILE, &saved);
    ln.close();
  });
}

TEST(NetDeadlock, AGoroutineWaitingForTheNetworkIsNotADeadlock) {
  // The only goroutine blocks in accept, then in read; the peer is a raw thread that
  // never calls goro (so it does not count as a possible waker): without the poller's
  // waiters in the deadlock check, the runtime would report a deadlock and exit.
  run([] {
    net::listener ln = net::listen("tcp", "127.0.0.1:0");
    std::uint16_t port = ln.addr().port();
    std::thread raw([&] {
      std::this_thread::sleep_for(50ms);  // let the goroutine block first (not needed for correctness)
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_port = htons(port);
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0) {
        std::this_thread::sleep_for(50ms);
        (void)!::write(fd, "raw", 3);
      }
      ::close(fd);
    });
    net::conn c = ln.accept();
    EXPECT_EQ(read_n(c, 3), "raw");
    raw.join();
    ln.close();
  });
}

// thread_echo_server: the classic alternative to a goroutine per connection, a TCP echo
// server with an OS thread (std::thread, default 8 MiB stack) per connection on blocking
// sockets. c10k runs it next to the goroutine server to compare their memory and latency.
//
//   example::thread_echo_server server;          // listens on 127.0.0.1, a free port
//   server.port();
//   ...clients connect, talk and hang up...
//   std::size_t n = server.stop();               // after the clients have hung up
//
// One acceptor thread accepts and starts a thread per connection, which echoes what it
// reads until the client closes. stop() wakes the acceptor (shutdown() of the listening
// socket makes a blocked accept fail), joins it, then joins every connection thread:
// those end when their client hangs up, so stop waits for that. Both block the calling
// thread: from a goroutine call stop() inside goro::blocking. A connection whose thread
// cannot be created (the system's thread limit) is closed and counted in refused().
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace example {

class thread_echo_server {
 public:
  thread_echo_server() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, SOMAXCONN) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::system_error(errno, std::generic_category(), "thread_echo_server: listen");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  thread_echo_server(const thread_echo_server&) = delete;
  thread_echo_server& operator=(const thread_echo_server&) = delete;
  ~thread_echo_server() { stop(); }

  std::uint16_t port() const { return port_; }

  // Stops accepting, waits for every connection thread; returns how many were served.
  std::size_t stop() {
    if (acceptor_.joinable()) {
      ::shutdown(listen_fd_, SHUT_RDWR);  // the blocked accept() returns EINVAL
      acceptor_.join();
      ::close(listen_fd_);
      for (std::thread& t : connections_) t.join();  // the acceptor is gone: no lock needed
    }
    return connections_.size();
  }
  std::size_t refused() const { return refused_; }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // shut down (or out of descriptors: the clients will see it)
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as goro's sockets
      try {
        connections_.emplace_back([fd] { echo(fd); });
      } catch (const std::system_error&) {  // no more threads
        ::close(fd);
        ++refused_;
      }
    }
  }

  static void echo(int fd) {
    char buf[1024];  // the same buffer as the goroutine server's
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && send_all(fd, buf, n)) {
    }
    ::close(fd);  // end of stream, or an error: the client has gone
  }
  static bool send_all(int fd, const char* p, ssize_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd, p, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      if (w < 0) return false;
      p += w, n -= w;
    }
    return true;
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // only the acceptor adds, stop() reads after joining it
  std::size_t refused_ = 0;
};

}  // namespace example

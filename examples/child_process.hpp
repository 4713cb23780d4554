// child_process: starts a program with pipes on its stdin and stdout, so the parent can
// read the lines it prints and tell it, by a line or by closing its stdin, when to go on.
// c10k runs its load client this way (a process of its own: its connections count
// against its own descriptor limit and its memory is not the server's), and goro_tour
// runs c10k this way.
//
//   example::child_process client({"/proc/self/exe", "--client", addr});
//   std::string line;
//   while (client.read_line(line)) ...       // false at end of file
//   client.write_line("go on");
//   int status = client.wait();              // closes its stdin, waits for its exit
//
// read_line() and wait() block the calling thread: from a goroutine, call them inside
// goro::blocking. The child's stderr is the parent's. posix_spawn starts the child
// without running code in a copy of this (multithreaded) process, and exec is the only
// thing goro supports in a forked child anyway.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern char** environ;

namespace example {

class child_process {
 public:
  explicit child_process(const std::vector<std::string>& args) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);  // dup2 clears O_CLOEXEC
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int err = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (err != 0) {
      ::close(to_child[1]);
      ::close(from_child[0]);
      throw std::system_error(err, std::generic_category(), "posix_spawn " + args[0]);
    }
    stdin_ = to_child[1];
    stdout_ = ::fdopen(from_child[0], "r");
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process() { wait(); }

  // The next line the child printed, without its newline; false once it closed its
  // stdout (or exited) with nothing more to read.
  bool read_line(std::string& line) {
    line.clear();
    int c;
    while ((c = std::fgetc(stdout_)) != EOF && c != '\n') line += static_cast<char>(c);
    return c == '\n' || !line.empty();
  }

  void write_line(std::string_view line) {
    std::string l = std::string(line) + "\n";
    for (std::size_t done = 0; done < l.size();) {
      ssize_t n = ::write(stdin_, l.data() + done, l.size() - done);
      if (n <= 0) return;  // the child has gone: wait() will tell
      done += static_cast<std::size_t>(n);
    }
  }

  // Closes the child's stdin, waits for it to exit; its exit status (128 + signal if a
  // signal ended it). Later calls return the same status.
  int wait() {
    if (pid_ > 0) {
      ::close(stdin_);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      std::fclose(stdout_);  // after the exit: a child that still prints must not get SIGPIPE
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = 0;
    }
    return status_;
  }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  std::FILE* stdout_ = nullptr;
  int status_ = 0;
};

}  // namespace example

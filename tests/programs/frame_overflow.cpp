// Program: a goroutine whose recursion has a 16 KiB local buffer per frame overflows
// its default stack. The program must stop with Go's message ("fatal error: goroutine N
// stack overflow", exit 2), never a bare SIGSEGV and never a silent write into another
// goroutine's stack (settled detail 27). It checks that by running itself as a child
// (argument "child") and reading the child's exit status and stderr.
#include <goro/goro.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

extern char** environ;

namespace {

// A 16 KiB frame per call, used so that the compiler keeps it whole.
__attribute__((noinline)) long descend(long depth) {
  if (depth > 1'000'000) return 0;  // far beyond any stack: 16 GiB of frames
  char buffer[16 * 1024];
  std::snprintf(buffer, sizeof buffer, "level %ld", depth);
  return descend(depth + 1) + buffer[depth % 8];
}

int child() {
  return goro::run([] {
    goro::wait_group wg;
    wg.add(1);
    goro::go([&] {
      std::printf("%ld\n", descend(0));  // never returns
      wg.done();
    });
    wg.wait();
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "child") == 0) return child();

  int err[2];
  if (pipe(err) != 0) return 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  char child_arg[] = "child";
  char* child_argv[] = {argv[0], child_arg, nullptr};
  pid_t pid;
  const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, child_argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return 1;
  close(err[1]);
  std::string out;
  char chunk[4096];
  for (ssize_t n; (n = read(err[0], chunk, sizeof chunk)) > 0;) out.append(chunk, static_cast<std::size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);

  const bool exited_2 = WIFEXITED(status) && WEXITSTATUS(status) == 2;
  const bool message = out.find("fatal error: goroutine ") != std::string::npos &&
                       out.find(" stack overflow") != std::string::npos;
  if (!exited_2 || !message) {
    std::printf("frame_overflow: child %s %d, stderr:\n%s\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), out.c_str());
    return 1;
  }
  std::printf("ok frame_overflow\n");
  return 0;
}

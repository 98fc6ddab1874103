#include "plugins/exec/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "daemon/base/errno_text.h"

extern char** environ;

namespace brandmon::plugin {

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

ReadResult ReadAvailable(int fd, std::string& out, uint64_t cap) {
  char buf[65536];
  while (out.size() < cap) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof buf, cap - out.size()));
    ssize_t n = read(fd, buf, want);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::kDrained;
    return ReadResult::kEof;
  }
  return ReadResult::kFull;
}

namespace {

// ---- The supervisor --------------------------------------------------------
//
// Why a supervisor process: a program's descendants that call setsid() (or
// setpgid()) leave its process group, so killing the group misses them, and
// once their parent exits they are reparented to init, out of our sight. The
// ways to keep them in sight, and why this one:
// - a cgroup per run needs a delegated cgroup tree (the unit has
//   ProtectControlGroups= and no Delegate=), and tests have none;
// - a PID namespace (CLONE_NEWPID) needs CAP_SYS_ADMIN or a user namespace,
//   both ruled out by the unit (CapabilityBoundingSet=, RestrictNamespaces=);
// - PR_SET_CHILD_SUBREAPER on the daemon itself would bring every orphan to
//   the daemon, where it must be reaped without stealing the exit status of
//   any other child the daemon waits for, and where the orphans of two exec
//   sources, or of a long-running child still at work, cannot be told apart.
// So each run gets its own subreaper: a fork of the daemon that sets
// PR_SET_CHILD_SUBREAPER (unprivileged, allowed by @system-service), starts
// the program, and owns exactly the processes of that run. Ending a run is
// killing its supervisor's children until it has none; no other process is
// touched and no other pid is reaped. The supervisor never execs and runs in
// a forked copy of a multi-threaded process, so it only makes system calls
// and uses memory prepared before the fork.

// Messages on the report pipe, supervisor to daemon (atomic: < PIPE_BUF).
struct Report {
  int32_t kind;
  int32_t value;
};
constexpr int32_t kStarted = 1;      // value: the program's pid
constexpr int32_t kSpawnFailed = 2;  // value: errno
constexpr int32_t kExited = 3;       // value: the program's wait status

// The supervisor's descriptors, moved to fixed numbers after the fork.
constexpr int kOutFd = 3, kErrFd = 4, kControlFd = 5, kReportFd = 6;
constexpr auto kKillAllLimit = std::chrono::seconds(5);

struct SupervisorPlan {
  char* const* argv;
  char** envp;
  const posix_spawn_file_actions_t* actions;
  const posix_spawnattr_t* attr;
  int fds[4];  // out write end, err write end, control read end, report write end
};

void WriteReport(int32_t kind, int32_t value) {
  Report r{kind, value};
  while (write(kReportFd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

int64_t MonotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The parent pid in /proc/<name>/stat, or -1.
pid_t ParentOf(const char* name) {
  char path[64] = "/proc/";
  size_t len = 6;
  for (const char* c = name; *c != '\0' && len < 40; ++c) path[len++] = *c;
  memcpy(path + len, "/stat", 6);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses.
  char* p = strrchr(buf, ')');
  if (p == nullptr || p[1] != ' ' || p[2] == '\0' || p[3] != ' ') return -1;
  pid_t ppid = 0;
  for (p += 4; *p >= '0' && *p <= '9'; ++p) ppid = ppid * 10 + (*p - '0');
  return ppid;
}

// SIGKILL to every child of this process (found in /proc).
void KillChildren(pid_t self) {
  int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char buf[8192];
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      memcpy(&reclen, buf + off + 16, sizeof reclen);
      const char* name = buf + off + 19;
      off += reclen;
      if (name[0] < '1' || name[0] > '9') continue;
      if (ParentOf(name) != self) continue;
      pid_t pid = 0;
      for (const char* c = name; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
      kill(pid, SIGKILL);
    }
  }
  close(dir);
}

// Reaps every child that has ended, reporting the program's status.
// Returns waitpid's last result (0: children remain; -1 with ECHILD: none).
pid_t ReapEnded(pid_t program, bool& program_done) {
  while (true) {
    int status = 0;
    pid_t r = waitpid(-1, &status, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r;
    if (r == program && !program_done) {
      program_done = true;
      WriteReport(kExited, status);
    }
  }
}

// Kills the program's group and then, round after round, every child this
// subreaper has (each killed process's children become its children), until
// none is left or kKillAllLimit has passed.
void KillEverything(pid_t program, bool& program_done, int sigfd) {
  if (!program_done) kill(-program, SIGKILL);
  pid_t self = getpid();
  int64_t give_up = MonotonicMs() + std::chrono::milliseconds(kKillAllLimit).count();
  while (true) {
    KillChildren(self);
    pid_t r = ReapEnded(program, program_done);
    if (r < 0 || MonotonicMs() > give_up) return;
    pollfd p{sigfd, POLLIN, 0};
    poll(&p, 1, 10);
    signalfd_siginfo info;
    while (read(sigfd, &info, sizeof info) > 0) {
    }
  }
}

// Runs in the forked child; never returns.
[[noreturn]] void RunSupervisor(const SupervisorPlan& plan) {
  // Keep our four descriptors at fixed numbers and close every other one the
  // daemon had open (sockets, the database, other runs' pipes): exec would
  // have closed them, but the supervisor does not exec.
  int moved[4];
  for (int i = 0; i < 4; ++i) {
    moved[i] = fcntl(plan.fds[i], F_DUPFD_CLOEXEC, 10);
    if (moved[i] < 0) _exit(127);
  }
  for (int i = 0; i < 4; ++i) {
    if (dup3(moved[i], kOutFd + i, O_CLOEXEC) < 0) _exit(127);
  }
  if (close_range(kReportFd + 1, ~0U, 0) != 0) {
    rlimit lim{};
    int max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 1048576 ? static_cast<int>(lim.rlim_cur) : 65536;
    for (int fd = kReportFd + 1; fd < max; ++fd) close(fd);
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    WriteReport(kSpawnFailed, errno);
    _exit(127);
  }
  prctl(PR_SET_NAME, "brandmon-exec", 0, 0, 0);
  // Every signal is blocked (see Spawn); these two are read from a signalfd.
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGCHLD);
  sigaddset(&wanted, SIGTERM);
  int sigfd = signalfd(-1, &wanted, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) {
    WriteReport(kSpawnFailed, errno);
    _exit(127);
  }
  // posix_spawnp searches the PATH of the environment it runs in.
  environ = plan.envp;
  pid_t program = -1;
  int rc = posix_spawnp(&program, plan.argv[0], plan.actions, plan.attr, plan.argv, plan.envp);
  if (rc != 0) {
    WriteReport(kSpawnFailed, rc);
    _exit(127);
  }
  close(kOutFd);
  close(kErrFd);
  WriteReport(kStarted, program);
  bool program_done = false;
  while (true) {
    pollfd p[2] = {{kControlFd, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool term = false;
    signalfd_siginfo info;
    while (read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGTERM) term = true;
    }
    ReapEnded(program, program_done);
    // The control pipe is readable only once the daemon closed its end.
    if (term || p[0].revents != 0) break;
  }
  KillEverything(program, program_done, sigfd);
  _exit(0);
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.release();
  }
  return *this;
}

namespace {

Status PipeError() { return Status::Unavailable(std::string("pipe: ") + ErrnoText(errno)); }

// Reads one report, blocking; false at end of file.
bool ReadReportBlocking(int fd, Report& r) {
  size_t got = 0;
  while (got < sizeof r) {
    ssize_t n = read(fd, reinterpret_cast<char*>(&r) + got, sizeof r - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return PipeError();
  UniqueFd out_r(fds[0]), out_w(fds[1]);
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return PipeError();
  UniqueFd err_r(fds[0]), err_w(fds[1]);
  if (pipe2(fds, O_CLOEXEC) != 0) return PipeError();
  UniqueFd control_r(fds[0]), control_w(fds[1]);
  if (pipe2(fds, O_CLOEXEC) != 0) return PipeError();
  UniqueFd report_r(fds[0]), report_w(fds[1]);
  // The program's end must block like any ordinary stdout.
  fcntl(out_w.get(), F_SETFL, 0);
  fcntl(err_w.get(), F_SETFL, 0);

  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, kOutFd, 1);
  posix_spawn_file_actions_adddup2(&actions, kErrFd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that one kill reaches all it started that
  // stayed in it; default signal dispositions and an empty mask, whatever
  // the daemon blocks.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  SupervisorPlan plan{
      args.data(), envp.data(), &actions, &attr, {out_w.get(), err_w.get(), control_r.get(), report_w.get()}};

  // The supervisor starts with every signal blocked, so that none reaches a
  // handler of the daemon's in the copy before it has set up its own.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t supervisor = fork();
  if (supervisor == 0) RunSupervisor(plan);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (supervisor < 0) return Status::Unavailable(std::string("fork: ") + ErrnoText(fork_errno));
  out_w = UniqueFd();
  err_w = UniqueFd();
  control_r = UniqueFd();
  report_w = UniqueFd();

  Report first{};
  if (!ReadReportBlocking(report_r.get(), first) || first.kind != kStarted) {
    int status = WaitFor(supervisor);
    if (first.kind == kSpawnFailed) {
      return Status::Unavailable("cannot run \"" + argv[0] + "\": " + ErrnoText(first.value));
    }
    return Status::Unavailable("cannot run \"" + argv[0] + "\": its supervisor " + DescribeExit(status));
  }
  fcntl(report_r.get(), F_SETFL, O_NONBLOCK);
  ChildProcess child;
  child.pid_ = first.value;
  child.supervisor_ = supervisor;
  child.out_ = std::move(out_r);
  child.err_ = std::move(err_r);
  child.control_ = std::move(control_w);
  child.report_ = std::move(report_r);
  return child;
}

ChildProcess::~ChildProcess() {
  if (supervisor_ > 0) KillAndReap();
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      supervisor_(std::exchange(o.supervisor_, -1)),
      status_(std::exchange(o.status_, std::nullopt)),
      out_(std::move(o.out_)),
      err_(std::move(o.err_)),
      control_(std::move(o.control_)),
      report_(std::move(o.report_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (supervisor_ > 0) KillAndReap();
    pid_ = std::exchange(o.pid_, -1);
    supervisor_ = std::exchange(o.supervisor_, -1);
    status_ = std::exchange(o.status_, std::nullopt);
    out_ = std::move(o.out_);
    err_ = std::move(o.err_);
    control_ = std::move(o.control_);
    report_ = std::move(o.report_);
  }
  return *this;
}

void ChildProcess::Kill() { control_ = UniqueFd(); }

void ChildProcess::ReadReports() {
  while (report_.get() >= 0) {
    Report r{};
    ssize_t n = read(report_.get(), &r, sizeof r);
    if (n == static_cast<ssize_t>(sizeof r)) {
      if (r.kind == kExited) status_ = r.value;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      // The supervisor is gone without being told to (killed from outside):
      // its own status stands in for the program's.
      report_ = UniqueFd();
      if (supervisor_ > 0) {
        int status = WaitFor(std::exchange(supervisor_, -1));
        if (!status_) status_ = status;
      }
    }
    return;
  }
}

std::optional<int> ChildProcess::TryWait() {
  if (!status_) ReadReports();
  return status_;
}

int ChildProcess::KillAndReap() {
  if (supervisor_ > 0) {
    Kill();
    int status = WaitFor(std::exchange(supervisor_, -1));
    ReadReports();
    if (!status_) status_ = status;
  }
  control_ = UniqueFd();
  report_ = UniqueFd();
  return status_.value_or(0);
}

}  // namespace brandmon::plugin

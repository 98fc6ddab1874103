#include "plugins/exec/exec_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "daemon/base/units.h"
#include "daemon/plugin/registry.h"

extern char** environ;

namespace brandmon::plugin {

namespace {

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

enum class ReadResult { kDrained, kFull, kEof };

// Reads what is available from a non-blocking fd into `out` until it holds
// `cap` bytes; what does not fit stays in the pipe.
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

Status PipeError() { return Status::Unavailable(std::string("pipe: ") + strerror(errno)); }

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
  if (supervisor < 0) return Status::Unavailable(std::string("fork: ") + strerror(fork_errno));
  out_w = UniqueFd();
  err_w = UniqueFd();
  control_r = UniqueFd();
  report_w = UniqueFd();

  Report first{};
  if (!ReadReportBlocking(report_r.get(), first) || first.kind != kStarted) {
    int status = WaitFor(supervisor);
    if (first.kind == kSpawnFailed) {
      return Status::Unavailable("cannot run \"" + argv[0] + "\": " + strerror(first.value));
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

namespace {

// The argv list; a program named by a relative path with a '/' is taken
// relative to the config's folder, like every other path in the config.
config::OptionSpec<ExecOptions> CommandOption() {
  config::OptionSpec<ExecOptions> spec = config::StrList<ExecOptions>(
      "command", &ExecOptions::command,
      "Program and arguments, e.g. [\"/usr/local/bin/my-source\", \"--since\", \"1h\"]; run without a shell, a "
      "bare name searched in the program's PATH (see env), a relative path with '/' taken from the config's folder "
      "(arguments are passed as written). Required.");
  auto apply_list = spec.apply;
  spec.apply = [apply_list](ExecOptions& out, const config::ConfigValue* v, const std::string& path,
                            config::ApplyContext& ctx) {
    apply_list(out, v, path, ctx);
    if (out.command.empty() || out.command[0].find('/') == std::string::npos) return;
    if (v != nullptr && v->is_array() && !v->items().empty()) {
      out.command[0] = config::ResolvePath(v->items()[0], out.command[0]);
    }
  };
  return spec;
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Variables the program gets besides the minimal set; values go through the
// config's substitution like any string, so "${credential:x-token}" works.
config::OptionSpec<ExecOptions> EnvOption() {
  config::OptionSpec<ExecOptions> spec = config::StrMap<ExecOptions>(
      "env", &ExecOptions::env,
      "Environment variables for the program, e.g. {\"API_TOKEN\": \"${credential:forum-token}\"}; it gets only "
      "these and PATH, HOME, LANG, LC_ALL and TZ (those the daemon has), never the rest of the daemon's environment. "
      "Values may carry secrets; names are letters, digits and '_'.");
  auto apply_map = spec.apply;
  spec.apply = [apply_map](ExecOptions& out, const config::ConfigValue* v, const std::string& path,
                           config::ApplyContext& ctx) {
    apply_map(out, v, path, ctx);
    if (v == nullptr || !v->is_object()) return;
    for (const auto& m : v->members()) {
      std::string at = config::JoinPath(path, m.key);
      if (!IsEnvName(m.key)) {
        ctx.diag.Error(m.key_pos, at,
                       "not a valid environment variable name (letters, digits and '_', not starting with a digit)");
        out.env.erase(m.key);
      } else if (m.value.is_string() && m.value.as_string().find('\0') != std::string::npos) {
        // The value itself is never shown: it may be a substituted secret.
        ctx.diag.Error(m.value.pos(), at, "must not contain a NUL character");
        out.env.erase(m.key);
      }
    }
  };
  return spec;
}

// PATH, HOME, LANG, LC_ALL and TZ from the daemon's environment (PATH
// defaulting to the usual directories), then the source's own `env`, as
// "NAME=value". The daemon's other variables (credentials, proxies,
// NOTIFY_SOCKET, ...) are not the program's business.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& configured) {
  std::map<std::string, std::string> env;
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TZ"}) {
    if (const char* value = getenv(name)) env[name] = value;
  }
  if (env.find("PATH") == env.end()) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& [name, value] : configured) env[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

}  // namespace

const config::OptionTable<ExecOptions>& ExecOptionTable() {
  using E = ExecOptions;
  static const config::OptionTable<E> table = {
      CommandOption(),
      EnvOption(),
      config::Enum<E>("mode", "scheduled", {"scheduled", "long_running"}, &E::mode,
                      "scheduled: run to completion each interval; long_running: keep one child writing lines, "
                      "read on each interval, restarted when it dies."),
      config::Dur<E>("timeout", "30s", {"1s", "1h"}, &E::timeout,
                     "scheduled: longest run; the program and every process it started are killed after it."),
      config::Dur<E>("restart_delay", "10s", {"0s", "1h"}, &E::restart_delay,
                     "long_running: wait after the child dies before starting it again."),
      config::Size<E>(
          "max_output", "16MiB", {"1KiB", "1GiB"}, &E::max_output,
          "Most stdout bytes read per poll. scheduled: more kills the program and its processes (the lines before "
          "the cap are kept); long_running: the rest waits in the pipe, the program blocked, until the "
          "next poll (with a warning)."),
      config::Int<E>("max_lines_per_poll", 10000, {1, 1000000}, &E::max_lines_per_poll,
                     "long_running: most lines read per poll; the rest waits in the pipe (the program blocked) until "
                     "the next poll, with a warning. Bounds the mentions one poll holds in memory."),
      config::Size<E>("max_line", "1MiB", {"1KiB", "64MiB"}, &E::max_line,
                      "Longest line accepted; longer lines are skipped with a warning."),
      config::Int<E>("max_stderr_lines", 20, {0, 10000}, &E::max_stderr_lines,
                     "stderr lines logged per poll; the rest are counted."),
  };
  return table;
}

ExecPlugin::ExecPlugin(ExecOptions options) : options_(std::move(options)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ExecPlugin::~ExecPlugin() {
  Watch(nullptr);
  child_.reset();
  if (stop_fd_ >= 0) close(stop_fd_);
}

Status ExecPlugin::Start(PluginContext& ctx) {
  source_name_ = ctx.source_name;
  clock_ = ctx.clock;
  logger_ = ctx.logger ? ctx.logger : spdlog::default_logger();
  if (options_.command.empty()) return Status::InvalidArgument("exec source needs a command");
  child_env_ = ChildEnvironment(options_.env);
  return Status::Ok();
}

void ExecPlugin::Watch(const ChildProcess* child) {
  MutexLock lock(watch_mu_);
  watched_supervisor_ = child != nullptr ? child->supervisor_pid() : -1;
}

void ExecPlugin::Stop() {
  stopped_ = true;
  {
    // The supervisor kills the program and all it started, then exits; it
    // stays a zombie until the poll thread reaps it, so the pid is ours.
    MutexLock lock(watch_mu_);
    if (watched_supervisor_ > 0) kill(watched_supervisor_, SIGTERM);
  }
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
}

void ExecPlugin::LogStderrLine(std::string_view line) {
  if (line.empty()) return;
  if (stderr_lines_this_poll_++ < options_.max_stderr_lines) {
    logger_->warn("source '{}': stderr: {}", source_name_, line);
  } else {
    ++stderr_suppressed_;
  }
}

void ExecPlugin::DrainStderr(int fd, std::string& buffer, bool final) {
  bool full = fd >= 0 && ReadAvailable(fd, buffer, options_.max_line * 4) == ReadResult::kFull;
  size_t start = 0, nl;
  while ((nl = buffer.find('\n', start)) != std::string::npos) {
    LogStderrLine(std::string_view(buffer).substr(start, nl - start));
    start = nl + 1;
  }
  buffer.erase(0, start);
  if (final || full || buffer.size() > options_.max_line) {
    LogStderrLine(buffer.substr(0, std::min<size_t>(buffer.size(), 1024)));
    buffer.clear();
  }
}

// Emits each complete line of `buffer` and keeps the partial tail; at the
// end of the output (`final`) the tail counts as a line too.
struct ExecPlugin::Reader {
  // Emits at most `budget` complete lines of `buffer` and keeps the rest;
  // at the end of the output (`final`) a partial tail counts as a line too.
  // Returns the lines taken.
  static int64_t Lines(ExecPlugin& p, std::string& buffer, Sink& sink, bool final, int64_t budget = INT64_MAX) {
    int64_t taken = 0;
    size_t start = 0, nl;
    while (taken < budget && (nl = buffer.find('\n', start)) != std::string::npos) {
      One(p, std::string_view(buffer).substr(start, nl - start), sink);
      ++taken;
      start = nl + 1;
    }
    buffer.erase(0, start);
    if (taken >= budget) return taken;
    if (buffer.size() > p.options_.max_line) {
      sink.Warn("line " + std::to_string(p.line_number_ + 1) + " is longer than " + FormatSize(p.options_.max_line) +
                ", skipped");
      buffer.clear();
      p.skipping_long_line_ = true;
    }
    if (final && !buffer.empty()) {
      One(p, buffer, sink);
      ++taken;
      buffer.clear();
    }
    return taken;
  }
  static void One(ExecPlugin& p, std::string_view line, Sink& sink) {
    ++p.line_number_;
    if (p.skipping_long_line_) {  // the rest of an over-long line
      p.skipping_long_line_ = false;
      return;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return;
    auto m = MentionFromJson(line);
    if (!m.ok()) {
      sink.Warn("line " + std::to_string(p.line_number_) + ": " + m.status().message());
      return;
    }
    if (m->source.empty()) m->source = p.source_name_;
    sink.Emit(std::move(m).value());
  }
};

Status ExecPlugin::Poll(Sink& sink, SourceState& /*state*/) {
  if (stopped_) return Status::Unavailable("stopped");
  stderr_lines_this_poll_ = 0;
  stderr_suppressed_ = 0;
  Status s = options_.mode == "long_running" ? PollLongRunning(sink) : PollScheduled(sink);
  if (stderr_suppressed_ > 0) {
    logger_->warn("source '{}': {} more stderr lines not logged", source_name_, stderr_suppressed_);
  }
  return s;
}

Status ExecPlugin::PollScheduled(Sink& sink) {
  line_number_ = 0;
  skipping_long_line_ = false;
  auto spawned = ChildProcess::Spawn(options_.command, child_env_);
  if (!spawned.ok()) return spawned.status();
  ChildProcess child = std::move(spawned).value();
  Watch(&child);
  std::string err;
  Status result = RunScheduled(child, sink, err);
  DrainStderr(-1, err, true);
  Watch(nullptr);
  // Whatever it left behind (a setsid() daemon, a background job) ends here.
  int status = child.KillAndReap();
  if (result.ok() && status != 0)
    result = Status::Unavailable("\"" + options_.command[0] + "\" " + DescribeExit(status));
  return result;
}

Status ExecPlugin::RunScheduled(ChildProcess& child, Sink& sink, std::string& err) {
  const std::string& program = options_.command[0];
  std::string out;
  uint64_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  // The run ends when the program has exited and its output is read, or
  // when it exits while something it started still holds the output open.
  while (child.out_fd() >= 0 || child.err_fd() >= 0 || !child.TryWait()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable("\"" + program + "\" timed out after " + FormatDuration(options_.timeout) +
                                 "; it and every process it started were killed");
    }
    bool exited = child.TryWait().has_value();
    pollfd fds[4] = {{child.out_fd(), POLLIN, 0},
                     {child.err_fd(), POLLIN, 0},
                     {exited ? -1 : child.status_fd(), POLLIN, 0},
                     {stop_fd_, POLLIN, 0}};
    // Exited already: what is left is what the pipes hold now, so do not
    // wait for a process it started that keeps them open and writes nothing.
    int n = poll(fds, 4, exited ? 0 : static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return Status::Internal(std::string("poll: ") + strerror(errno));
    if (fds[3].revents != 0 || stopped_)
      return Status::Unavailable("stopped; the program and its processes were killed");
    // Once it has exited, read only what is already in the pipes.
    exited = exited || (fds[2].revents != 0 && child.TryWait().has_value());
    if (child.out_fd() >= 0 && (fds[0].revents != 0 || exited)) {
      // One byte over the cap tells "more than max_output" from "exactly".
      size_t before = out.size();
      ReadResult r = ReadAvailable(child.out_fd(), out, out.size() + (options_.max_output - total) + 1);
      total += out.size() - before;
      if (total > options_.max_output) {
        out.resize(out.size() - static_cast<size_t>(total - options_.max_output));
        Reader::Lines(*this, out, sink, false);  // the lines before the cap are kept
        return Status::Corrupt("\"" + program + "\" wrote more than " + FormatSize(options_.max_output) +
                               "; it and every process it started were killed");
      }
      Reader::Lines(*this, out, sink, false);
      if (r == ReadResult::kEof || exited) child.CloseOut();
    }
    if (child.err_fd() >= 0 && (fds[1].revents != 0 || exited)) {
      ReadResult r = ReadAvailable(child.err_fd(), err, options_.max_line * 4);
      DrainStderr(-1, err, r == ReadResult::kFull);
      if (r == ReadResult::kEof || exited) child.CloseErr();
    }
  }
  Reader::Lines(*this, out, sink, true);
  return Status::Ok();
}

Status ExecPlugin::PollLongRunning(Sink& sink) {
  if (!child_) {
    MonoTime now = clock_ ? clock_->Mono() : std::chrono::steady_clock::now();
    if (died_at_ && now < *died_at_ + options_.restart_delay) return Status::Ok();
    auto spawned = ChildProcess::Spawn(options_.command, child_env_);
    if (!spawned.ok()) {
      died_at_ = now;
      return spawned.status();
    }
    child_ = std::move(spawned).value();
    Watch(&*child_);
    out_buffer_.clear();
    err_buffer_.clear();
    line_number_ = 0;
    skipping_long_line_ = false;
    if (died_at_) logger_->info("source '{}': restarted \"{}\"", source_name_, options_.command[0]);
  }
  // Exited before the reads: then the reads below see all it wrote, and
  // what it left running is killed so that the pipes come to an end.
  std::optional<int> status = child_->TryWait();
  if (status) child_->Kill();
  bool backlog = ReadLongRunningOutput(sink);
  if (backlog) {
    sink.Warn("\"" + options_.command[0] + "\" wrote more than " + std::to_string(options_.max_lines_per_poll) +
              " lines or " + FormatSize(options_.max_output) +
              " since the last poll; the rest is read at the next one");
  }
  if (child_->err_fd() >= 0) {
    ReadResult r = ReadAvailable(child_->err_fd(), err_buffer_, options_.max_line * 4);
    DrainStderr(-1, err_buffer_, r != ReadResult::kDrained);
    if (r == ReadResult::kEof) child_->CloseErr();
  }
  if (!status || backlog) return Status::Ok();
  // It died and its last lines are read.
  Reader::Lines(*this, out_buffer_, sink, true);
  DrainStderr(-1, err_buffer_, true);
  Watch(nullptr);
  child_.reset();
  died_at_ = clock_ ? clock_->Mono() : std::chrono::steady_clock::now();
  return Status::Unavailable("\"" + options_.command[0] + "\" " + DescribeExit(*status) + "; restarting in " +
                             FormatDuration(options_.restart_delay));
}

bool ExecPlugin::ReadLongRunningOutput(Sink& sink) {
  // Read in small chunks and only as much as the poll may take, so that
  // memory holds one chunk and one poll's mentions however fast the program
  // writes; what is not read waits in the pipe and the program blocks.
  constexpr uint64_t kChunk = 64 * 1024;
  uint64_t bytes_left = options_.max_output;
  int64_t lines_left = options_.max_lines_per_poll;
  bool drained = false, eof = child_->out_fd() < 0;
  while (true) {
    lines_left -= Reader::Lines(*this, out_buffer_, sink, eof, lines_left);
    bool line_waiting = out_buffer_.find('\n') != std::string::npos;
    if (drained || eof) return line_waiting;
    if (lines_left <= 0 || bytes_left == 0) {
      pollfd p{child_->out_fd(), POLLIN, 0};
      return line_waiting || poll(&p, 1, 0) > 0;
    }
    size_t before = out_buffer_.size();
    ReadResult r = ReadAvailable(child_->out_fd(), out_buffer_, before + std::min(kChunk, bytes_left));
    bytes_left -= out_buffer_.size() - before;
    if (r == ReadResult::kEof) {
      child_->CloseOut();
      eof = true;
    } else if (r == ReadResult::kDrained) {
      drained = true;
    }
  }
}

void RegisterPlugin_exec(Registry& registry) {
  PluginInfo info = MakePluginInfo<ExecOptions, ExecPlugin>(
      "exec", "runs a program (argv, no shell) that prints one mention JSON per line, on schedule or long-running",
      PluginInfo::Kind::kPoll, &ExecOptionTable);
  // `command` is a list, which the table cannot mark required: checked here.
  info.configure = [configure = info.configure](const config::ConfigValue& source, const std::string& path,
                                                config::ApplyContext& ctx) {
    ConfiguredPlugin out = configure(source, path, ctx);
    const config::ConfigValue* command = source.is_object() ? source.Find("command") : nullptr;
    if (command == nullptr) {
      ctx.diag.Error(source.pos(), path, "missing required option 'command'");
    } else if (command->is_array() && command->items().empty()) {
      ctx.diag.Error(command->pos(), config::JoinPath(path, "command"), "must name a program, got []");
    }
    return out;
  };
  registry.Register(std::move(info));
}

}  // namespace brandmon::plugin

#include "plugins/exec/exec_plugin.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

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

// Reads what is available from a non-blocking fd into `out` (at most `cap`
// bytes in all). Returns false at end of file or on error.
bool ReadAvailable(int fd, std::string& out, uint64_t cap, bool& over_cap) {
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      if (out.size() + static_cast<size_t>(n) > cap) {
        // Keep what fits under the cap: complete lines before it still count.
        if (cap > out.size()) out.append(buf, static_cast<size_t>(cap - out.size()));
        over_cap = true;
        return true;
      }
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
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

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return Status::Unavailable(std::string("pipe: ") + strerror(errno));
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return Status::Unavailable(std::string("pipe: ") + strerror(errno));
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  // The child's end must block like any ordinary stdout.
  fcntl(out_w.get(), F_SETFL, 0);
  fcntl(err_w.get(), F_SETFL, 0);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a timeout kills everything it started;
  // default signal dispositions and an empty mask, whatever the daemon blocks.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::Unavailable("cannot run \"" + argv[0] + "\": " + strerror(rc));
  ChildProcess child;
  child.pid_ = pid;
  child.out_ = std::move(out_r);
  child.err_ = std::move(err_r);
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) KillAndReap();
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), out_(std::move(o.out_)), err_(std::move(o.err_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) KillAndReap();
    pid_ = std::exchange(o.pid_, -1);
    out_ = std::move(o.out_);
    err_ = std::move(o.err_);
  }
  return *this;
}

void ChildProcess::KillGroup() {
  if (pid_ > 0) kill(-pid_, SIGKILL);
}

std::optional<int> ChildProcess::TryReap() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return status;
  }
  return std::nullopt;
}

int ChildProcess::KillAndReap() {
  if (pid_ <= 0) return 0;
  KillGroup();
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

namespace {

// The argv list; a program named by a relative path with a '/' is taken
// relative to the config's folder, like every other path in the config.
config::OptionSpec<ExecOptions> CommandOption() {
  config::OptionSpec<ExecOptions> spec = config::StrList<ExecOptions>(
      "command", &ExecOptions::command,
      "Program and arguments, e.g. [\"/usr/local/bin/my-source\", \"--since\", \"1h\"]; run without a shell, PATH "
      "searched for a bare name, a relative path with '/' taken from the config's folder (arguments are passed as "
      "written). Required.");
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

}  // namespace

const config::OptionTable<ExecOptions>& ExecOptionTable() {
  using E = ExecOptions;
  static const config::OptionTable<E> table = {
      CommandOption(),
      config::Enum<E>("mode", "scheduled", {"scheduled", "long_running"}, &E::mode,
                      "scheduled: run to completion each interval; long_running: keep one child writing lines, "
                      "read on each interval, restarted when it dies."),
      config::Dur<E>("timeout", "30s", {"1s", "1h"}, &E::timeout,
                     "scheduled: longest run; the process group is killed after it."),
      config::Dur<E>("restart_delay", "10s", {"0s", "1h"}, &E::restart_delay,
                     "long_running: wait after the child dies before starting it again."),
      config::Size<E>("max_output", "16MiB", {"1KiB", "1GiB"}, &E::max_output,
                      "scheduled: most stdout bytes per run; more kills the process group."),
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
  child_.reset();
  if (stop_fd_ >= 0) close(stop_fd_);
}

Status ExecPlugin::Start(PluginContext& ctx) {
  source_name_ = ctx.source_name;
  clock_ = ctx.clock;
  logger_ = ctx.logger ? ctx.logger : spdlog::default_logger();
  if (options_.command.empty()) return Status::InvalidArgument("exec source needs a command");
  return Status::Ok();
}

void ExecPlugin::Stop() {
  stopped_ = true;
  pid_t pid = running_pid_.load();
  if (pid > 0) kill(-pid, SIGKILL);
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
  bool over = false;
  if (fd >= 0) ReadAvailable(fd, buffer, options_.max_line * 4, over);
  size_t start = 0, nl;
  while ((nl = buffer.find('\n', start)) != std::string::npos) {
    LogStderrLine(std::string_view(buffer).substr(start, nl - start));
    start = nl + 1;
  }
  buffer.erase(0, start);
  if (final || over || buffer.size() > options_.max_line) {
    LogStderrLine(buffer.substr(0, std::min<size_t>(buffer.size(), 1024)));
    buffer.clear();
  }
}

// Emits each complete line of `buffer` and keeps the partial tail; at the
// end of the output (`final`) the tail counts as a line too.
struct ExecPlugin::Reader {
  static void Lines(ExecPlugin& p, std::string& buffer, Sink& sink, bool final) {
    size_t start = 0, nl;
    while ((nl = buffer.find('\n', start)) != std::string::npos) {
      One(p, std::string_view(buffer).substr(start, nl - start), sink);
      start = nl + 1;
    }
    buffer.erase(0, start);
    if (buffer.size() > p.options_.max_line) {
      sink.Warn("line " + std::to_string(p.line_number_ + 1) + " is longer than " + FormatSize(p.options_.max_line) +
                ", skipped");
      buffer.clear();
      p.skipping_long_line_ = true;
    }
    if (final && !buffer.empty()) {
      One(p, buffer, sink);
      buffer.clear();
    }
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
  auto spawned = ChildProcess::Spawn(options_.command);
  if (!spawned.ok()) return spawned.status();
  ChildProcess child = std::move(spawned).value();
  running_pid_ = child.pid();
  if (stopped_) child.KillGroup();  // Stop() raced with the start
  std::string out, err;
  uint64_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  Status result;
  while (child.out_fd() >= 0 || child.err_fd() >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result = Status::Unavailable("\"" + options_.command[0] + "\" timed out after " +
                                   FormatDuration(options_.timeout) + "; its process group was killed");
      break;
    }
    pollfd fds[3] = {{child.out_fd(), POLLIN, 0}, {child.err_fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return Status::Internal(std::string("poll: ") + strerror(errno));
    if (fds[2].revents != 0 || stopped_) {
      result = Status::Unavailable("stopped; the process group was killed");
      break;
    }
    if (fds[0].revents != 0) {
      bool over = false;
      size_t before = out.size();
      bool open = ReadAvailable(child.out_fd(), out, options_.max_output - total + out.size(), over);
      total += out.size() - before;
      Reader::Lines(*this, out, sink, false);  // what came before the cap is kept
      if (over) {
        result = Status::Corrupt("\"" + options_.command[0] + "\" wrote more than " + FormatSize(options_.max_output) +
                                 "; its process group was killed");
        break;
      }
      if (!open) child.CloseOut();
    }
    if (fds[1].revents != 0) {
      bool over = false;
      bool open = ReadAvailable(child.err_fd(), err, options_.max_line * 4, over);
      DrainStderr(-1, err, over);
      if (!open) child.CloseErr();
    }
  }
  DrainStderr(-1, err, true);
  if (!result.ok()) {
    child.KillAndReap();
    running_pid_ = -1;
    return result;
  }
  Reader::Lines(*this, out, sink, true);
  // Output is closed; the program should be exiting. Give it what is left of
  // the timeout, then kill it.
  std::optional<int> status;
  while (!(status = child.TryReap()) && std::chrono::steady_clock::now() < deadline && !stopped_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!status) {
    child.KillAndReap();
    running_pid_ = -1;
    return Status::Unavailable("\"" + options_.command[0] + "\" closed its output but did not exit within " +
                               FormatDuration(options_.timeout) + "; its process group was killed");
  }
  running_pid_ = -1;
  if (*status != 0) return Status::Unavailable("\"" + options_.command[0] + "\" " + DescribeExit(*status));
  return Status::Ok();
}

Status ExecPlugin::PollLongRunning(Sink& sink) {
  if (!child_) {
    MonoTime now = clock_ ? clock_->Mono() : std::chrono::steady_clock::now();
    if (died_at_ && now < *died_at_ + options_.restart_delay) return Status::Ok();
    auto spawned = ChildProcess::Spawn(options_.command);
    if (!spawned.ok()) {
      died_at_ = now;
      return spawned.status();
    }
    child_ = std::move(spawned).value();
    running_pid_ = child_->pid();
    out_buffer_.clear();
    err_buffer_.clear();
    line_number_ = 0;
    skipping_long_line_ = false;
    if (died_at_) logger_->info("source '{}': restarted \"{}\"", source_name_, options_.command[0]);
  }
  if (child_->out_fd() >= 0) {
    bool over = false;
    bool open = ReadAvailable(child_->out_fd(), out_buffer_, UINT64_MAX, over);
    Reader::Lines(*this, out_buffer_, sink, !open);
    if (!open) child_->CloseOut();
  }
  if (child_->err_fd() >= 0) {
    bool over = false;
    bool open = ReadAvailable(child_->err_fd(), err_buffer_, options_.max_line * 4, over);
    DrainStderr(-1, err_buffer_, !open || over);
    if (!open) child_->CloseErr();
  }
  std::optional<int> status = child_->TryReap();
  if (!status) return Status::Ok();
  // It died: read what it wrote last, then schedule the restart.
  if (child_->out_fd() >= 0) {
    bool over = false;
    ReadAvailable(child_->out_fd(), out_buffer_, UINT64_MAX, over);
  }
  Reader::Lines(*this, out_buffer_, sink, true);
  DrainStderr(child_->err_fd(), err_buffer_, true);
  child_.reset();
  running_pid_ = -1;
  died_at_ = clock_ ? clock_->Mono() : std::chrono::steady_clock::now();
  return Status::Unavailable("\"" + options_.command[0] + "\" " + DescribeExit(*status) + "; restarting in " +
                             FormatDuration(options_.restart_delay));
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

#include "plugins/exec/exec_plugin.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "daemon/base/errno_text.h"
#include "daemon/base/units.h"
#include "daemon/plugin/registry.h"

namespace brandmon::plugin {

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
    if (n < 0 && errno != EINTR) return Status::Internal(std::string("poll: ") + ErrnoText(errno));
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

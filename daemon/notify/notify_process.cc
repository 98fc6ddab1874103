#include "daemon/notify/notify_process.h"

#include <pthread.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "daemon/base/errno_text.h"
#include "daemon/base/logging.h"
#include "daemon/base/signal_fd.h"
#include "daemon/publish/curve_keys.h"

namespace brandmon::notify {
namespace {

std::string ErrorReply(const std::string& message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("ok");
  w.Bool(false);
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return buf.GetString();
}

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create directory " + dir + ": " + ec.message());
  return Status::Ok();
}

Result<publish::ClientKeys> ClientKeys(const SubscribeOptions& o) {
  publish::ClientKeys keys;
  if (o.server_key.empty()) return keys;
  auto pub = publish::CurvePublicKey(o.secret_key);
  if (!pub.ok()) return Status::InvalidArgument("subscribe.secret_key: " + pub.status().message());
  keys.server_public_key = o.server_key;
  keys.public_key = *pub;
  keys.secret_key = o.secret_key;
  return keys;
}

}  // namespace

Delivery SampleDelivery(const std::string& receiver, WallTime now) {
  AlertMessage m;
  Alert& a = m.alert;
  a.seq = 0;
  a.ts = now;
  a.brand = "brandmon";
  a.rule = "test";
  a.severity = Severity::kInfo;
  a.summary = "brandmon-notify test alert: " + receiver + " receives alerts";
  a.dedupe_key = "test:" + std::to_string(ToUnixMillis(now));
  ScoredMention sm;
  sm.brand = "brandmon";
  sm.mention.source = "brandmon-notify";
  sm.mention.channel = "test";
  sm.mention.id = a.dedupe_key;
  sm.mention.text = "A sample mention sent by brandmon-notify --test. <b>Markup</b> and <!channel> stay text.";
  sm.mention.author = "brandmon";
  sm.mention.published = now;
  a.mentions.push_back(std::move(sm));
  m.json = AlertToJson(a);
  Delivery d;
  d.receiver = receiver;
  d.key = receiver + ":test-" + std::to_string(ToUnixMillis(now));
  d.alerts.push_back(std::move(m));
  return d;
}

NotifyProcess::NotifyProcess(std::string config_path, NotifyConfig config, const std::vector<ReceiverKind>& kinds,
                             config::EnvLookup env)
    : config_path_(std::move(config_path)), kinds_(kinds), env_(std::move(env)), initial_(std::move(config)) {}

NotifyProcess::~NotifyProcess() {
  if (engine_) engine_->Stop(threads_);
  if (signal_fd_ >= 0) close(signal_fd_);
}

Status NotifyProcess::BlockSignals() {
  // The main loop reads the signals from a signalfd: no handler runs
  // asynchronously, and the threads started later inherit the mask.
  auto fd = OpenControlSignalFd();
  if (!fd.ok()) return fd.status();
  signal_fd_ = *fd;
  return Status::Ok();
}

Status NotifyProcess::StartEngine(NotifyConfig config) {
  auto keys = ClientKeys(config.subscribe);
  if (!keys.ok()) return keys.status();
  Endpoints endpoints = ResolveEndpoints(config.subscribe, env_);
  auto engine = std::make_unique<Engine>(std::move(config), paths_, endpoints, *keys);
  if (auto s = engine->Start(threads_); !s.ok()) {
    engine->Stop(threads_);
    return s;
  }
  engine_ = std::move(engine);
  return Status::Ok();
}

Status NotifyProcess::Startup() {
  paths_ = ResolveNotifyPaths(initial_, env_);
  mode_t old = umask(077);
  Status s = MakeDir(paths_.state_dir);
  if (s.ok()) s = MakeDir(paths_.runtime_dir);
  umask(old);
  if (!s.ok()) return s;
  // The control socket doubles as the instance lock: a second
  // brandmon-notify on the same runtime directory cannot bind it.
  auto control = control::ControlServer::Bind(paths_.control_endpoint(), 0600);
  if (!control.ok()) return control.status();
  control_ = std::move(*control);
  return StartEngine(initial_);
}

int NotifyProcess::Run() {
  if (auto s = BlockSignals(); !s.ok()) {
    spdlog::error("{}", s.message());
    return kExitFailure;
  }
  if (auto s = Startup(); !s.ok()) {
    spdlog::error("cannot start: {}", s.message());
    return s.code() == Status::Code::kInvalidArgument ? kExitConfigInvalid : kExitFailure;
  }
  spdlog::info("started: {} receivers, {} routes, state in {}", engine_->config().receivers.size(),
               engine_->config().routes.size(), paths_.state_dir);
  MainLoop();
  return kExitOk;
}

void NotifyProcess::MainLoop() {
  notifier_.Ready(StatusLine());
  Duration tick = std::chrono::seconds(1);
  if (auto watchdog = notifier_.watchdog_interval()) tick = std::min(tick, *watchdog / 2);
  bool stop = false;
  while (!stop) {
    bool signalled = control_->Poll(tick, signal_fd_, [this](std::string_view req) { return HandleControl(req); });
    if (signalled) {
      signalfd_siginfo info{};
      while (read(signal_fd_, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
          Reload();
        } else {
          spdlog::info("{}: stopping", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
          stop = true;
        }
      }
    }
    notifier_.WatchdogPing();
    notifier_.Status(StatusLine());
  }
  notifier_.Stopping();
  engine_->Stop(threads_);
  engine_.reset();
  spdlog::info("stopped");
}

void NotifyProcess::Reload() {
  spdlog::info("SIGHUP: reloading {}", config_path_);
  notifier_.Reloading();
  auto config = LoadNotifyConfig(config_path_, env_, kinds_);
  if (!config.ok()) {
    LogLines(spdlog::level::err, "reload refused, the running config stays: ", config.status().message());
    notifier_.Ready(StatusLine());
    return;
  }
  NotifyPaths paths = ResolveNotifyPaths(*config, env_);
  if (paths.state_dir != paths_.state_dir || paths.runtime_dir != paths_.runtime_dir) {
    spdlog::warn("state_dir and runtime_dir changes apply at the next start");
  }
  // Cursors are saved: a new engine goes on where the old one stopped.
  engine_->Stop(threads_);
  engine_.reset();
  if (auto s = StartEngine(*config); !s.ok()) {
    spdlog::error("reload: {}; going on with the config it replaced", s.message());
    if (auto again = StartEngine(initial_); !again.ok()) spdlog::error("cannot restart: {}", again.message());
  } else {
    initial_ = std::move(*config);
    spdlog::info("reloaded: {} receivers, {} routes", initial_.receivers.size(), initial_.routes.size());
  }
  notifier_.Ready(StatusLine());
}

std::string NotifyProcess::StatusLine() const {
  if (!engine_) return "starting";
  uint64_t delivered = 0, failed = 0, waiting = 0;
  for (const auto& r : engine_->Receivers()) {
    delivered += r.delivered;
    failed += r.failed;
    if (r.next_attempt) ++waiting;
  }
  return std::to_string(engine_->config().receivers.size()) + " receivers; " + std::to_string(delivered) +
         " delivered, " + std::to_string(failed) + " failed; " + std::to_string(waiting) + " waiting to retry";
}

std::string NotifyProcess::HandleControl(std::string_view request) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(request.data(), request.size());
  if (doc.HasParseError() || !doc.IsObject()) return ErrorReply("malformed request: expected a JSON object");
  auto cmd = doc.FindMember("cmd");
  if (cmd == doc.MemberEnd() || !cmd->value.IsString()) return ErrorReply("malformed request: missing \"cmd\"");
  std::string name = cmd->value.GetString();
  if (!engine_) return ErrorReply("not running");
  if (name == "status") return engine_->StatusJson();
  if (name == "retry") {
    auto r = doc.FindMember("receiver");
    if (r == doc.MemberEnd() || !r->value.IsString()) return ErrorReply("malformed request: missing \"receiver\"");
    if (auto s = engine_->Retry(r->value.GetString()); !s.ok()) return ErrorReply(s.message());
    return R"({"ok":true})";
  }
  return ErrorReply("unknown command \"" + name + "\"");
}

}  // namespace brandmon::notify

// `brandmonctl tail`: follows the daemon's alerts, filling gaps from the
// catch-up service so that every journaled alert is shown once, in order.

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <ostream>

#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/config/loader.h"
#include "daemon/publish/curve_keys.h"
#include "daemon/publish/messages.h"
#include "daemon/publish/publish_options.h"
#include "daemon/publish/subscriber.h"
#include "daemon/settings/paths.h"
#include "daemon/settings/settings.h"

namespace brandmon::cli {
namespace {

constexpr Duration kCatchupTimeout = std::chrono::seconds(10);

struct TailArgs {
  std::string topic;
  std::optional<uint64_t> since;
  bool json = false;
  std::string endpoint;
  std::string catchup_endpoint;
  std::string curve_key_file;
  std::string server_key;
  std::string config_path;
  std::optional<uint64_t> count;
  std::optional<Duration> timeout;
};

bool ParseUint(const std::string& s, uint64_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) return false;
  out = std::stoull(s);
  return true;
}

// Returns 0 on success or the exit code of a usage error.
int ParseTailArgs(Invocation& inv, TailArgs& a) {
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& k = inv.args[i];
    if (k == "--json") {
      a.json = true;
      continue;
    }
    if (i + 1 >= inv.args.size()) {
      inv.err << "brandmonctl tail: " << (k.starts_with("-") ? "missing value for " : "unexpected argument ") << "'"
              << k << "'\n";
      return 2;
    }
    const std::string& v = inv.args[++i];
    uint64_t n = 0;
    if (k == "--topic") {
      a.topic = v;
    } else if (k == "--since" && ParseUint(v, n)) {
      a.since = n;
    } else if (k == "--count" && ParseUint(v, n) && n > 0) {
      a.count = n;
    } else if (k == "--timeout" && ParseDuration(v)) {
      a.timeout = ParseDuration(v);
    } else if (k == "--endpoint") {
      a.endpoint = v;
    } else if (k == "--catchup-endpoint") {
      a.catchup_endpoint = v;
    } else if (k == "--curve-key") {
      a.curve_key_file = v;
    } else if (k == "--server-key") {
      a.server_key = v;
    } else if (k == "--config" || k == "-c") {
      a.config_path = v;
    } else {
      inv.err << "brandmonctl tail: invalid option '" << k << " " << v << "'\n";
      return 2;
    }
  }
  return 0;
}

// The first ipc endpoint whose socket this user can open (local, no keys
// needed, and it serves only the service's user and group), else the first
// tcp one, else the first one.
std::string Pick(const std::vector<std::string>& endpoints, const std::string& runtime_dir) {
  std::string ipc, tcp;
  for (const auto& e : endpoints) {
    std::string resolved = publish::ResolveEndpoint(e, runtime_dir);
    if (resolved.starts_with("ipc://")) {
      std::string path = resolved.substr(6);
      if (path.starts_with("@") || access(path.c_str(), R_OK | W_OK) == 0) return resolved;
      if (ipc.empty()) ipc = resolved;
    } else if (tcp.empty()) {
      tcp = resolved;
    }
  }
  return !tcp.empty() ? tcp : ipc;
}

// Fills the endpoints not given on the command line from the config (or the
// defaults), as brandmond resolves them.
Status ResolveEndpoints(TailArgs& a) {
  if (!a.endpoint.empty() && !a.catchup_endpoint.empty()) return Status::Ok();
  settings::DaemonOptions daemon;
  config::ApplyDefaults(settings::DaemonOptionTable(), daemon);
  publish::PublishOptions publish = publish::DefaultPublishOptions();
  if (!a.config_path.empty()) {
    config::Diagnostics ignored;
    auto tree = config::LoadConfigTree(a.config_path, config::ProcessEnv(), ignored);
    if (!tree.ok()) return tree.status();
    const config::ConfigValue* d = tree->root.Find("daemon");
    const config::ConfigValue* dir = d != nullptr && d->is_object() ? d->Find("runtime_dir") : nullptr;
    if (dir != nullptr && dir->is_string()) daemon.runtime_dir = dir->as_string();
    if (const config::ConfigValue* p = tree->root.Find("publish"); p != nullptr && p->is_object()) {
      config::Diagnostics diag;
      config::ApplyContext ctx{diag};
      config::ApplyOptions(publish::PublishOptionTable(), *p, "publish", ctx, publish);
    }
  }
  std::string runtime_dir = settings::ResolvePaths(daemon, config::ProcessEnv()).runtime_dir;
  if (a.endpoint.empty()) a.endpoint = Pick(publish.endpoints, runtime_dir);
  if (a.catchup_endpoint.empty()) a.catchup_endpoint = Pick(publish.catchup_endpoints, runtime_dir);
  return Status::Ok();
}

Result<publish::ClientKeys> LoadKeys(const TailArgs& a) {
  publish::ClientKeys keys;
  if (a.curve_key_file.empty() && a.server_key.empty()) return keys;
  if (a.curve_key_file.empty() || a.server_key.empty()) {
    return Status::InvalidArgument("--curve-key and --server-key go together");
  }
  auto secret = publish::ReadKeyFile(a.curve_key_file);
  if (!secret.ok()) return secret.status();
  auto pub = publish::CurvePublicKey(*secret);
  if (!pub.ok()) return Status::InvalidArgument(a.curve_key_file + ": " + pub.status().message());
  keys.secret_key = *secret;
  keys.public_key = *pub;
  keys.server_public_key = a.server_key;
  if (a.server_key.size() != 40) {
    auto from_file = publish::ReadKeyFile(a.server_key);
    if (!from_file.ok()) return Status::InvalidArgument("--server-key: expected a Z85 public key or a .pub file");
    keys.server_public_key = *from_file;
  }
  return keys;
}

std::string OneLine(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    out = out.substr(0, cut) + "…";
  }
  return out;
}

std::string Get(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// Follows the stream; one per invocation.
class Tail {
 public:
  Tail(Invocation& inv, const TailArgs& args, publish::Subscriber& sub)
      : inv_(inv), args_(args), sub_(sub), cursor_(args.since) {
    color_ = &inv.out == &std::cout && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  }

  int Run();

 private:
  bool Done() const { return args_.count && shown_ >= *args_.count; }
  void OnHeartbeat(const std::string& payload);
  void OnAlert(const publish::Message& m);
  void CatchUp();
  void Show(const publish::Message& m);
  void ShowAlert(const rapidjson::Document& doc);
  void ShowMention(const rapidjson::Document& doc);

  Invocation& inv_;
  const TailArgs& args_;
  publish::Subscriber& sub_;
  std::optional<uint64_t> cursor_;  // every alert up to this seq has been shown (or filtered out)
  uint64_t shown_ = 0;
  bool color_ = false;
  int64_t heartbeat_ms_ = 0;
  bool warned_silence_ = false;
};

void Tail::CatchUp() {
  if (args_.catchup_endpoint.empty()) return;
  for (int rounds = 0; rounds < 100000 && !Done(); ++rounds) {
    auto end = sub_.CatchUp(
        {*cursor_, args_.topic, 0},
        [&](publish::Message&& m) {
          auto seq = publish::ParseAlertSeq(m.payload);
          if (!seq.ok() || *seq <= *cursor_ || Done()) return;
          Show(m);
          cursor_ = *seq;
        },
        kCatchupTimeout);
    if (!end.ok()) {
      inv_.err << "brandmonctl tail: catch-up failed: " << end.status().message() << "\n";
      return;
    }
    if (Done()) return;
    cursor_ = std::max(*cursor_, end->upto);
    if (end->complete) return;
  }
}

void Tail::OnHeartbeat(const std::string& payload) {
  auto hb = publish::ParseHeartbeat(payload);
  if (!hb.ok()) return;
  heartbeat_ms_ = hb->interval_ms;
  if (!cursor_) {
    cursor_ = hb->last_seq;
  } else if (hb->last_seq > *cursor_) {
    CatchUp();
  } else if (hb->last_seq < *cursor_) {
    inv_.err << "brandmonctl tail: the daemon's journal restarted at seq " << hb->last_seq << "\n";
    cursor_ = hb->last_seq;
  }
}

void Tail::OnAlert(const publish::Message& m) {
  auto seq = publish::ParseAlertSeq(m.payload);
  if (!seq.ok()) return;
  if (cursor_ && *seq <= *cursor_) return;  // already shown through catch-up
  if (cursor_ && *seq > *cursor_ + 1) {
    CatchUp();
    if (*seq <= *cursor_ || Done()) return;
  }
  if (m.topic.starts_with(args_.topic)) Show(m);
  cursor_ = *seq;
}

void Tail::Show(const publish::Message& m) {
  ++shown_;
  if (args_.json) {
    inv_.out << m.payload << "\n" << std::flush;
    return;
  }
  rapidjson::Document doc;
  doc.Parse(m.payload.c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    inv_.out << m.topic << " " << OneLine(m.payload, 200) << "\n";
  } else if (m.topic.starts_with(publish::kMentionTopicPrefix)) {
    ShowMention(doc);
  } else {
    ShowAlert(doc);
  }
  inv_.out << std::flush;
}

void Tail::ShowAlert(const rapidjson::Document& doc) {
  std::string severity = Get(doc, "severity");
  const char* color = severity == "critical" ? "\033[1;31m" : severity == "warning" ? "\033[33m" : "\033[36m";
  std::string label = severity;
  for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  label.resize(std::max<size_t>(label.size(), 8), ' ');
  uint64_t seq = doc.HasMember("seq") && doc["seq"].IsUint64() ? doc["seq"].GetUint64() : 0;
  inv_.out << Get(doc, "ts") << " " << (color_ ? color : "") << label << (color_ ? "\033[0m" : "") << " "
           << Get(doc, "brand") << "/" << Get(doc, "rule") << " #" << seq << "  " << OneLine(Get(doc, "summary"), 300)
           << "\n";
  auto mentions = doc.FindMember("mentions");
  if (mentions == doc.MemberEnd() || !mentions->value.IsArray()) return;
  for (const auto& m : mentions->value.GetArray()) {
    std::string author = Get(m, "author");
    inv_.out << "    " << (author.empty() ? "" : author + ": ") << OneLine(Get(m, "text"), 200);
    std::string url = Get(m, "url");
    if (!url.empty()) inv_.out << "  " << url;
    inv_.out << "\n";
  }
}

void Tail::ShowMention(const rapidjson::Document& doc) {
  auto m = doc.FindMember("mention");
  const rapidjson::Value& mention = m != doc.MemberEnd() ? m->value : doc;
  std::string author = Get(mention, "author");
  inv_.out << Get(doc, "ts") << " MENTION  " << Get(doc, "brand") << "  " << (author.empty() ? "" : author + ": ")
           << OneLine(Get(mention, "text"), 200) << "\n";
}

int Tail::Run() {
  if (cursor_) CatchUp();
  MonoTime start = std::chrono::steady_clock::now();
  MonoTime last_message = start;
  while (!Done()) {
    MonoTime now = std::chrono::steady_clock::now();
    Duration wait(1000);
    if (args_.timeout) {
      Duration left = std::chrono::duration_cast<Duration>(start + *args_.timeout - now);
      if (left <= Duration(0)) break;
      wait = std::min(wait, left);
    }
    auto m = sub_.Receive(wait);
    if (!m.ok()) {
      inv_.err << "brandmonctl tail: " << m.status().message() << "\n";
      return 1;
    }
    if (!*m) {
      Duration silent = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - last_message);
      if (heartbeat_ms_ > 0 && silent > Duration(3 * heartbeat_ms_) && !warned_silence_) {
        inv_.err << "brandmonctl tail: no heartbeat for " << silent.count() / 1000
                 << "s; waiting for the daemon to come back\n";
        warned_silence_ = true;
      }
      continue;
    }
    last_message = std::chrono::steady_clock::now();
    warned_silence_ = false;
    const publish::Message& msg = **m;
    if (msg.topic == publish::kHeartbeatTopic) {
      OnHeartbeat(msg.payload);
    } else if (msg.topic.starts_with(publish::kAlertTopicPrefix)) {
      OnAlert(msg);
    } else if (msg.topic.starts_with(args_.topic)) {
      Show(msg);
    }
  }
  if (args_.count && !Done()) {
    inv_.err << "brandmonctl tail: timed out with " << shown_ << " of " << *args_.count << " messages\n";
    return 1;
  }
  return 0;
}

}  // namespace

int RunTail(Invocation& inv) {
  TailArgs args;
  if (int rc = ParseTailArgs(inv, args); rc != 0) return rc;
  if (auto s = ResolveEndpoints(args); !s.ok()) {
    inv.err << "brandmonctl tail: " << s.message() << "\n";
    return 1;
  }
  auto keys = LoadKeys(args);
  if (!keys.ok()) {
    inv.err << "brandmonctl tail: " << keys.status().message() << "\n";
    return 2;
  }
  // Every alert is received so that seq gaps are exact; --topic filters here.
  std::vector<std::string> topics = {std::string(publish::kAlertTopicPrefix), std::string(publish::kHeartbeatTopic)};
  if (args.topic.empty() || args.topic.starts_with(publish::kMentionTopicPrefix)) {
    topics.push_back(std::string(publish::kMentionTopicPrefix));
  }
  auto sub = publish::Subscriber::Connect(args.endpoint, args.catchup_endpoint, topics, *keys);
  if (!sub.ok()) {
    inv.err << "brandmonctl tail: " << sub.status().message() << "\n";
    return 1;
  }
  Tail tail(inv, args, **sub);
  return tail.Run();
}

}  // namespace brandmon::cli

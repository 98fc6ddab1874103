#include "tests/daemon/notify/receiver_fixture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/config/diagnostics.h"
#include "daemon/config/json_reader.h"
#include "daemon/config/options.h"

namespace brandmon::notify::testing {

namespace {

std::unique_ptr<Receiver> Configure(std::string_view receiver_json, std::string* errors) {
  auto parsed = config::ParseConfigText(receiver_json, "receiver.json");
  if (!parsed.ok()) {
    *errors = parsed.status().message();
    return nullptr;
  }
  const config::ConfigValue& value = parsed.value();
  const config::ConfigValue* type = value.Find("type");
  const ReceiverKind* kind = type != nullptr && type->is_string() ? FindReceiverKind(type->as_string()) : nullptr;
  if (kind == nullptr) {
    *errors = "unknown receiver type";
    return nullptr;
  }
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  std::vector<config::OptionInfo> known = kind->options;
  for (const char* key : {"name", "type"}) {
    config::OptionInfo info;
    info.key = key;
    known.push_back(std::move(info));
  }
  config::CheckKeys(value, "receivers[0]", known, ctx);
  ConfiguredReceiver configured = kind->configure(value, "receivers[0]", ctx);
  *errors = diag.Joined();
  if (!diag.ok()) return nullptr;
  return configured.make();
}

}  // namespace

std::unique_ptr<Receiver> MakeReceiver(std::string_view receiver_json, std::string* errors) {
  std::string local;
  auto receiver = Configure(receiver_json, errors != nullptr ? errors : &local);
  if (errors == nullptr) {
    EXPECT_TRUE(receiver != nullptr) << local;
  }
  return receiver;
}

std::string ConfigErrors(std::string_view receiver_json) {
  std::string errors;
  (void)Configure(receiver_json, &errors);
  return errors;
}

Alert SampleAlert(uint64_t seq, std::string text) {
  Alert a;
  a.seq = seq;
  a.ts = FromUnixMillis(1767261600000 + static_cast<int64_t>(seq) * 1000);  // 2026-01-01T10:00:00Z + seq s
  a.brand = "acme";
  a.rule = "negative_mention";
  a.channel = "reddit";
  a.severity = Severity::kWarning;
  a.summary = "acme: negative mention by @sam (reach 1200)";
  a.dedupe_key = "negative_mention:rss1:item-" + std::to_string(seq);
  ScoredMention m;
  m.mention.source = "rss1";
  m.mention.channel = "reddit";
  m.mention.id = "item-" + std::to_string(seq);
  m.mention.url = "https://forum.example/t/" + std::to_string(seq);
  m.mention.title = "Acme app";
  m.mention.text = std::move(text);
  m.mention.author = "sam";
  m.mention.SetMetric("followers", 1200);
  m.brand = "acme";
  m.lang = "en";
  m.matched_terms = {"acme"};
  m.sentiment.compound = -0.71;
  m.sentiment.neg = 0.48;
  m.sentiment.neu = 0.52;
  m.sentiment.label = "negative";
  a.mentions.push_back(std::move(m));
  a.figures = {{"reach", 1200}, {"compound", -0.71}};
  return a;
}

AlertMessage Published(const Alert& alert) { return {alert, AlertToJson(alert)}; }

Delivery MakeDelivery(const std::string& name, std::vector<Alert> alerts, Duration window) {
  Delivery d;
  d.receiver = name;
  d.key = name + ":" + std::to_string(alerts.front().seq) + "-" + std::to_string(alerts.back().seq);
  for (const auto& a : alerts) d.alerts.push_back(Published(a));
  d.window = window;
  return d;
}

Delivery MakeReminder(const std::string& name, uint32_t repeat, uint32_t repeat_max) {
  Alert spike = SampleAlert(7);
  spike.rule = "volume_spike";
  spike.summary = "acme: 240 mentions in the last hour, 6x the usual";
  Delivery d = MakeDelivery(name, {spike});
  d.key += "/repeat-" + std::to_string(repeat);
  d.repeat = repeat;
  d.repeat_max = repeat_max;
  return d;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

rapidjson::Document ParseJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json.substr(0, 500);
  return doc;
}

}  // namespace brandmon::notify::testing

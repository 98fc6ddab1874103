#include "daemon/notify/receiver_kinds.h"

#include <gtest/gtest.h>

#include "daemon/config/diagnostics.h"
#include "daemon/config/json_reader.h"

#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using namespace testing;
using namespace std::chrono_literals;

// The smallest valid config of each kind, pointed at a closed port.
std::string Minimal(const std::string& kind, int port) {
  std::string http = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  std::string out = R"({"name": "r", "type": ")" + kind + "\"";
  if (kind == "email") {
    out += R"(, "smtp_url": "smtp://127.0.0.1:)" + std::to_string(port) +
           R"(", "from": "a@example.com", "to": ["b@example.com"])";
  } else {
    out += R"(, "url": ")" + http + "\"";
  }
  return out + "}";
}

TEST(ReceiverKindsTest, EveryKindIsListedDescribedAndValidates) {
  std::vector<std::string> names;
  for (const auto& kind : ReceiverKinds()) names.push_back(kind.name);
  EXPECT_EQ(names, (std::vector<std::string>{"webhook", "slack", "teams", "email", "alertmanager"}));
  for (const auto& kind : ReceiverKinds()) {
    EXPECT_EQ(FindReceiverKind(kind.name), &kind);
    EXPECT_GT(kind.description.size(), 80u) << kind.name;
    for (const auto& option : kind.options) {
      EXPECT_FALSE(option.doc.empty()) << kind.name << "." << option.key;
      EXPECT_NE(option.key, "name");
      EXPECT_NE(option.key, "type");
    }
    EXPECT_EQ(ConfigErrors(Minimal(kind.name, 9)), "") << kind.name;
    std::string unknown = Minimal(kind.name, 9);
    unknown.insert(unknown.size() - 1, R"(, "urll": "x")");
    EXPECT_NE(ConfigErrors(unknown).find("urll"), std::string::npos) << kind.name;
  }
  EXPECT_EQ(FindReceiverKind("pager"), nullptr);
}

TEST(ReceiverKindsTest, SecretsAreRedactedInTheEffectiveConfig) {
  for (const auto& kind : ReceiverKinds()) {
    bool has_secret = false;
    for (const auto& option : kind.options) has_secret = has_secret || option.type == config::OptionType::kSecret;
    EXPECT_TRUE(has_secret || kind.name == "alertmanager") << kind.name;
  }
  auto parsed = config::ParseConfigText(
      R"({"name": "s", "type": "slack", "url": "https://hooks.slack.com/services/T0/B0/TOKEN"})", "r.json");
  ASSERT_TRUE(parsed.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  ConfiguredReceiver configured = FindReceiverKind("slack")->configure(parsed.value(), "receivers[0]", ctx);
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.StartObject();
  configured.dump_members(w, nullptr);
  w.EndObject();
  std::string dump = buf.GetString();
  EXPECT_EQ(dump.find("TOKEN"), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"timeout\""), std::string::npos) << dump;
}

TEST(ReceiverKindsTest, CredentialHeadersAreRedactedInTheEffectiveConfig) {
  auto parsed = config::ParseConfigText(R"({"name": "h", "type": "webhook", "url": "https://e.example/h",
      "headers": {"Authorization": "Bearer abc123", "X-Team": "care"}})",
                                        "r.json");
  ASSERT_TRUE(parsed.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  ConfiguredReceiver configured = FindReceiverKind("webhook")->configure(parsed.value(), "receivers[0]", ctx);
  ASSERT_TRUE(diag.ok()) << diag.Joined();
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.StartObject();
  configured.dump_members(w, nullptr);
  w.EndObject();
  std::string dump = buf.GetString();
  EXPECT_EQ(dump.find("abc123"), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"Authorization\": \"<redacted>\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"X-Team\": \"care\""), std::string::npos) << dump;
}

TEST(ReceiverKindsTest, EveryKindRetriesWhenItsTargetIsDownAndAfterStop) {
  int port = FreePort();
  for (const auto& kind : ReceiverKinds()) {
    auto receiver = MakeReceiver(Minimal(kind.name, port));
    ASSERT_TRUE(receiver) << kind.name;
    Outcome o = receiver->Deliver(MakeDelivery("r", {SampleAlert(1)}));
    EXPECT_EQ(o.kind, Outcome::Kind::kRetry) << kind.name << ": " << o.detail;
    EXPECT_EQ(o.detail.find("/hook"), std::string::npos) << kind.name << ": " << o.detail;
    receiver->Stop();
    o = receiver->Deliver(MakeDelivery("r", {SampleAlert(1)}));
    EXPECT_EQ(o.kind, Outcome::Kind::kRetry) << kind.name;
    EXPECT_EQ(o.detail, "stopped") << kind.name;
  }
}

}  // namespace
}  // namespace brandmon::notify

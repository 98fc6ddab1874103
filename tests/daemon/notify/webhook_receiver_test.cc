#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mutex>
#include <vector>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using brandmon::testing::HttpTestServer;
using namespace testing;

struct Received {
  std::string body;
  std::string type;
  std::string key;
  std::string signature;
  std::string custom;
};

// A webhook endpoint that records each request and answers with `status`.
class Hook {
 public:
  explicit Hook(int status = 200) : status_(status) {
    server_.server().Post("/hook/T0KEN", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back({req.body, req.get_header_value("Content-Type"), req.get_header_value("Idempotency-Key"),
                           req.get_header_value("X-Brandmon-Signature"), req.get_header_value("X-Team")});
      res.status = status_;
      res.set_content(status_ == 400 ? "bad alert\nline two" : "ok", "text/plain");
    });
  }
  std::string Url() const { return server_.Url("/hook/T0KEN"); }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  int status_;
  std::mutex mu_;
  std::vector<Received> received_;
  HttpTestServer server_;
};

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < len; ++i) {
    snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

TEST(WebhookReceiverTest, PostsTheAlertsAsPublishedInTheEnvelope) {
  Hook hook;
  auto receiver = MakeReceiver(R"({"name": "hooks", "type": "webhook", "url": ")" + hook.Url() +
                               R"(", "headers": {"X-Team": "care"}})");
  ASSERT_TRUE(receiver);
  Delivery d = MakeDelivery("hooks", {SampleAlert(41), SampleAlert(42)}, std::chrono::minutes(10));
  Outcome o = receiver->Deliver(d);
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  auto got = hook.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "application/json");
  EXPECT_EQ(got[0].key, "hooks:41-42");
  EXPECT_EQ(got[0].signature, "");
  EXPECT_EQ(got[0].custom, "care");
  EXPECT_EQ(got[0].body,
            "{\"v\":1,\"receiver\":\"hooks\",\"alerts\":[" + d.alerts[0].json + "," + d.alerts[1].json + "]}");
  rapidjson::Document doc = ParseJson(got[0].body);
  ASSERT_TRUE(doc["alerts"].IsArray());
  EXPECT_EQ(doc["alerts"][1]["seq"].GetUint64(), 42u);
  EXPECT_STREQ(doc["alerts"][0]["mentions"][0]["author"].GetString(), "sam");
}

TEST(WebhookReceiverTest, SignsTheBodyWithTheSecret) {
  Hook hook;
  auto receiver =
      MakeReceiver(R"({"name": "hooks", "type": "webhook", "url": ")" + hook.Url() + R"(", "secret": "s3cr3t"})");
  ASSERT_TRUE(receiver);
  ASSERT_EQ(receiver->Deliver(MakeDelivery("hooks", {SampleAlert(7)})).kind, Outcome::Kind::kDelivered);
  auto got = hook.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].signature, "sha256=" + Hmac("s3cr3t", got[0].body));
  EXPECT_EQ(got[0].key, "hooks:7-7");
}

TEST(WebhookReceiverTest, AReminderSaysWhichRepeatItIs) {
  Hook hook;
  auto receiver = MakeReceiver(R"({"name": "hooks", "type": "webhook", "url": ")" + hook.Url() + "\"}");
  ASSERT_TRUE(receiver);
  Delivery d = MakeReminder("hooks", 3, 12);
  ASSERT_EQ(receiver->Deliver(d).kind, Outcome::Kind::kDelivered);
  auto got = hook.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "hooks:7-7/repeat-3");
  EXPECT_EQ(got[0].body,
            "{\"v\":1,\"receiver\":\"hooks\",\"repeat\":3,\"repeat_max\":12,\"alerts\":[" + d.alerts[0].json + "]}");
}

TEST(WebhookReceiverTest, SameKeyOnEveryRetryOfADelivery) {
  Hook hook(503);
  auto receiver = MakeReceiver(R"({"name": "hooks", "type": "webhook", "url": ")" + hook.Url() + "\"}");
  ASSERT_TRUE(receiver);
  Delivery d = MakeDelivery("hooks", {SampleAlert(9)});
  for (int i = 0; i < 2; ++i) EXPECT_EQ(receiver->Deliver(d).kind, Outcome::Kind::kRetry);
  auto got = hook.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, got[1].key);
  EXPECT_EQ(got[0].body, got[1].body);
}

TEST(WebhookReceiverTest, RefusalIsPermanentAndNeverShowsTheToken) {
  Hook hook(400);
  auto receiver = MakeReceiver(R"({"name": "hooks", "type": "webhook", "url": ")" + hook.Url() + "\"}");
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("hooks", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "HTTP 400: bad alert");
  EXPECT_EQ(o.detail.find("T0KEN"), std::string::npos);
}

TEST(WebhookReceiverTest, ConfigErrors) {
  EXPECT_EQ(ConfigErrors(R"({"name": "h", "type": "webhook", "url": "https://example.com/x"})"), "");
  EXPECT_NE(ConfigErrors(R"({"name": "h", "type": "webhook"})").find("missing required option 'url'"),
            std::string::npos);
  std::string bad_scheme = ConfigErrors(R"({"name": "h", "type": "webhook", "url": "ftp://example.com/T0KEN"})");
  EXPECT_NE(bad_scheme.find("must be a http or https url"), std::string::npos) << bad_scheme;
  EXPECT_EQ(bad_scheme.find("T0KEN"), std::string::npos) << bad_scheme;
  EXPECT_NE(
      ConfigErrors(R"({"name": "h", "type": "webhook", "url": "https://e.com", "headers": {"Content-Type": "x"}})")
          .find("not a header name that can be set here"),
      std::string::npos);
  EXPECT_NE(ConfigErrors(R"({"name": "h", "type": "webhook", "url": "https://e.com", "headers": {"X-A": "a\r\nB: c"}})")
                .find("line break"),
            std::string::npos);
  EXPECT_NE(
      ConfigErrors(R"({"name": "h", "type": "webhook", "url": "https://e.com", "timeout": "1h"})").find("timeout"),
      std::string::npos);
  EXPECT_NE(ConfigErrors(R"({"name": "h", "type": "webhook", "url": "https://e.com", "colour": 1})").find("colour"),
            std::string::npos);
}

}  // namespace
}  // namespace brandmon::notify

#include "daemon/publish/publish_options.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"
#include "daemon/publish/curve_keys.h"

namespace brandmon::publish {
namespace {

struct Parent {
  PublishOptions publish;
};

const config::OptionTable<Parent>& ParentTable() {
  static const config::OptionTable<Parent> t = {
      PublishSection<Parent>("publish", &Parent::publish, "Alert publishing."),
  };
  return t;
}

// Applies `json` as the "publish" object and returns the joined errors.
std::string Apply(const std::string& json, Parent& out) {
  auto v = config::ParseConfigText(R"({"publish": )" + json + "}", "conf/x.json");
  EXPECT_TRUE(v.ok()) << json;
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  config::ApplyTable(ParentTable(), *v, "", ctx, out);
  return diag.Joined();
}

TEST(PublishOptionsTest, DefaultsAreValidLoopbackAndDocumented) {
  PublishOptions o = DefaultPublishOptions();
  EXPECT_EQ(o.endpoints, (std::vector<std::string>{"ipc://alerts.sock", "tcp://127.0.0.1:5556"}));
  EXPECT_EQ(o.catchup_endpoints, (std::vector<std::string>{"ipc://catchup.sock", "tcp://127.0.0.1:5557"}));
  EXPECT_EQ(o.heartbeat_interval, std::chrono::seconds(5));
  EXPECT_EQ(o.zap_domain, "brandmon");
  EXPECT_FALSE(o.allow_plaintext_tcp);
  EXPECT_TRUE(CheckPublishOptions(o).empty());
  for (const auto& spec : PublishOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
  Parent p;
  EXPECT_EQ(Apply("{}", p), "");
  EXPECT_EQ(p.publish.endpoints, o.endpoints);
}

TEST(PublishOptionsTest, AnExplicitEmptyCatchupListDisablesCatchup) {
  Parent p;
  EXPECT_EQ(Apply(R"({"catchup_endpoints": []})", p), "");
  EXPECT_TRUE(p.publish.catchup_endpoints.empty());
}

struct BadCase {
  std::string json;
  std::string expected;  // a fragment of the error, which names the option
};

class PublishOptionsRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PublishOptionsRejectTest, NamesTheOptionAndTheValue) {
  Parent p;
  std::string errors = Apply(GetParam().json, p);
  EXPECT_NE(errors.find(GetParam().expected), std::string::npos) << errors;
  EXPECT_NE(errors.find("conf/x.json:"), std::string::npos) << errors;
}

const std::string kKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";  // a valid Z85 key

INSTANTIATE_TEST_SUITE_P(
    Cases, PublishOptionsRejectTest,
    ::testing::Values(
        BadCase{R"({"endpoints": ["tcp://0.0.0.0:5556"]})",
                "publish.endpoints: endpoint \"tcp://0.0.0.0:5556\" is not loopback"},
        BadCase{R"({"endpoints": ["tcp://*:5556"]})", "is not loopback"},
        BadCase{R"({"catchup_endpoints": ["tcp://192.168.1.4:5557"]})", "publish.catchup_endpoints"},
        BadCase{R"({"endpoints": ["inproc://x"]})", "must start with ipc:// or tcp://"},
        BadCase{R"({"endpoints": []})", "at least one endpoint"},
        BadCase{R"({"curve_secret_key": "short"})", "publish.curve_secret_key: must be a 40-character Z85 key"},
        BadCase{R"({"curve_secret_key": ")" + kKey + R"("})", "no client key is allowed"},
        BadCase{R"({"curve_secret_key": ")" + kKey + R"(", "allowed_client_keys": ["nope"]})", "\"nope\" is not"},
        BadCase{
            R"({"curve_secret_key": ")" + kKey + R"(", "allowed_client_keys": [")" + kKey + R"("], "zap_domain": ""})",
            "publish.zap_domain: must not be empty"},
        BadCase{R"({"sndhwm": 0})", "publish.sndhwm: must be between"},
        BadCase{R"({"heartbeat_interval": "1ms"})", "publish.heartbeat_interval"},
        BadCase{R"({"endpoint": ["ipc://a"]})", "endpoint"},
        // Ports libzmq would read as something else, and hosts it cannot bind.
        BadCase{R"({"endpoints": ["tcp://127.0.0.1:99999"]})",
                "publish.endpoints: endpoint \"tcp://127.0.0.1:99999\": port \"99999\" must be between 1 and 65535 "
                "(or * for any free port)"},
        BadCase{R"({"endpoints": ["tcp://127.0.0.1:-1"]})", "port \"-1\" must be between 1 and 65535"},
        BadCase{R"({"catchup_endpoints": ["tcp://127.0.0.1:0"]})",
                "publish.catchup_endpoints: endpoint \"tcp://127.0.0.1:0\": port \"0\" must be between"},
        BadCase{R"({"endpoints": ["tcp://127.0.0.1:65536"]})", "port \"65536\" must be between"},
        BadCase{R"({"endpoints": ["tcp://127.0.0.1:"]})", "port \"\" must be between"},
        BadCase{R"({"endpoints": ["tcp://127.0.0.1"]})", "endpoint \"tcp://127.0.0.1\": has no port"},
        BadCase{R"({"endpoints": ["tcp://[::1]"]})", "has no port"},
        BadCase{R"({"endpoints": ["tcp://localhost:5556"]})",
                "endpoint \"tcp://localhost:5556\": host \"localhost\" is not *, an IP address or a network "
                "interface of this machine"},
        BadCase{R"({"catchup_endpoints": ["tcp://alerts.example.com:5557"]})", "host \"alerts.example.com\""},
        BadCase{R"({"endpoints": ["tcp://::1:5556"]})", "an IPv6 address goes in brackets"},
        BadCase{R"({"endpoints": ["tcp://[nope]:5556"]})", "host [nope] is not an IPv6 address"},
        BadCase{R"({"endpoints": ["ipc:///)" + std::string(120, 'x') + R"("]})", "longer than 107 bytes"},
        BadCase{R"({"endpoints": ["tcp://127.0.0.1:5556"], "catchup_endpoints": ["tcp://127.0.0.1:5556"]})",
                "publish.catchup_endpoints: endpoint \"tcp://127.0.0.1:5556\" is listed twice"},
        BadCase{R"({"catchup_max_sessions": 0})", "publish.catchup_max_sessions: must be between"},
        BadCase{R"({"catchup_max_queued": "1KiB"})", "publish.catchup_max_queued: must be between"},
        BadCase{R"({"catchup_stall_timeout": "0s"})", "publish.catchup_stall_timeout"}));

TEST(PublishOptionsTest, BindableEndpointsPass) {
  for (const char* e : {"tcp://127.0.0.1:1", "tcp://127.0.0.1:65535", "tcp://127.0.0.1:*", "tcp://[::1]:5556",
                        "tcp://*:5556", "tcp://lo:5556", "tcp://0.0.0.0:5556", "ipc://alerts.sock",
                        "ipc:///run/brandmon/alerts.sock", "ipc://@brandmon"}) {
    EXPECT_EQ(CheckEndpoint(e), "") << e;
  }
  Parent p;
  EXPECT_EQ(Apply(R"({"endpoints": ["tcp://[::1]:5556", "tcp://127.0.0.1:*"], "catchup_endpoints": ["tcp://lo:5557",
                      "tcp://127.0.0.1:*"]})",
                  p),
            "");
}

TEST(PublishOptionsTest, SecretKeyIsNeverEchoed) {
  std::string secret(39, 'x');
  Parent p;
  std::string errors = Apply(R"({"curve_secret_key": ")" + secret + R"("})", p);
  EXPECT_NE(errors.find("curve_secret_key"), std::string::npos);
  EXPECT_EQ(errors.find(secret), std::string::npos) << errors;
}

TEST(PublishOptionsTest, NonLoopbackTcpIsAllowedWithCurveOrExplicitPlaintext) {
  Parent p;
  EXPECT_EQ(Apply(R"({"endpoints": ["tcp://0.0.0.0:5556"], "allow_plaintext_tcp": true})", p), "");
  auto pair = GenerateCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(Apply(R"({"endpoints": ["tcp://0.0.0.0:5556"], "curve_secret_key": ")" + pair->secret_key +
                      R"(", "allowed_client_keys": [")" + pair->public_key + R"("]})",
                  p),
            "");
}

TEST(PublishOptionsTest, RelativeIpcEndpointsLiveInTheRuntimeDir) {
  EXPECT_EQ(ResolveEndpoint("ipc://alerts.sock", "/run/brandmon"), "ipc:///run/brandmon/alerts.sock");
  EXPECT_EQ(ResolveEndpoint("ipc://alerts.sock", "/run/brandmon/"), "ipc:///run/brandmon/alerts.sock");
  EXPECT_EQ(ResolveEndpoint("ipc:///tmp/a.sock", "/run/brandmon"), "ipc:///tmp/a.sock");
  EXPECT_EQ(ResolveEndpoint("ipc://@abstract", "/run/brandmon"), "ipc://@abstract");
  EXPECT_EQ(ResolveEndpoint("tcp://127.0.0.1:5556", "/run/brandmon"), "tcp://127.0.0.1:5556");
}

TEST(PublishOptionsTest, LoopbackDetection) {
  struct Case {
    const char* endpoint;
    bool loopback;
  };
  const Case cases[] = {
      {"tcp://127.0.0.1:5556", true}, {"tcp://127.1.2.3:1", true},    {"tcp://localhost:5556", true},
      {"tcp://[::1]:5556", true},     {"tcp://lo:5556", true},        {"tcp://0.0.0.0:5556", false},
      {"tcp://*:5556", false},        {"tcp://10.0.0.1:5556", false}, {"tcp://128.0.0.1:5556", false},
      {"tcp://eth0:5556", false},     {"tcp://127.0.0.1", false},     {"ipc://x", false},
  };
  for (const auto& c : cases) EXPECT_EQ(IsLoopbackTcp(c.endpoint), c.loopback) << c.endpoint;
}

}  // namespace
}  // namespace brandmon::publish

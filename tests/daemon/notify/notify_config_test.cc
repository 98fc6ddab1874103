#include "daemon/notify/notify_config.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/daemon/notify/fake_receiver.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using ::brandmon::testing::TempDir;

config::EnvLookup Env(std::map<std::string, std::string> env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

class NotifyConfigTest : public ::testing::Test {
 protected:
  Result<NotifyConfig> Load(const std::string& json, std::map<std::string, std::string> env = {}) {
    return LoadNotifyConfig(dir_.Write("notify.json", json), Env(std::move(env)), testing::FakeKinds());
  }
  // The errors of a config that must not load.
  std::string Errors(const std::string& json) {
    auto c = Load(json);
    EXPECT_FALSE(c.ok());
    return c.ok() ? "" : c.status().message();
  }
  TempDir dir_;
};

TEST_F(NotifyConfigTest, ReadsReceiversAndRoutes) {
  auto c = Load(R"({
    // comments are fine
    "subscribe": {"endpoint": "tcp://127.0.0.1:7000"},
    "receivers": [{"name": "hooks", "type": "fake", "target": "a"},
                  {"name": "care-team", "type": "fake", "target": "b"}],
    "routes": [
      {"match": {"brand": "acme", "rule": ["needs_reply", "negative_*"]}, "receivers": ["care-team"],
       "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h", "repeat_max": 3},
      {"receivers": ["hooks"], "continue": true},
    ]
  })");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->subscribe.endpoint, "tcp://127.0.0.1:7000");
  ASSERT_EQ(c->receivers.size(), 2u);
  EXPECT_EQ(c->receivers[1].name, "care-team");
  ASSERT_TRUE(c->receivers[1].configured.make);
  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[0].match.brand, std::vector<std::string>{"acme"});
  EXPECT_EQ(c->routes[0].match.rule, (std::vector<std::string>{"needs_reply", "negative_*"}));
  EXPECT_EQ(c->routes[0].group_wait, std::chrono::seconds(30));
  EXPECT_EQ(c->routes[0].repeat_max, 3);
  EXPECT_EQ(c->routes[1].repeat_max, 12);
  EXPECT_TRUE(c->routes[1].match.brand.empty());
  EXPECT_TRUE(c->routes[1].continue_matching);
  EXPECT_EQ(c->routes[1].group_wait, Duration(0));
  EXPECT_EQ(c->delivery.max_group, 100);
}

TEST_F(NotifyConfigTest, ErrorsNameFileLineAndColumn) {
  std::string errors = Errors(R"({
  "receivers": [{"name": "a", "type": "fake", "target": "x"},
                {"name": "a", "type": "fake", "target": "y"},
                {"name": "b", "type": "fakes", "target": "z"},
                {"name": "c", "type": "fake"},
                {"name": "d:e", "type": "fake", "target": "w", "colour": 1}],
  "routes": [{"receivers": ["a", "nobody"]},
             {"receivers": []},
             {"match": {"severity": ["fatal"], "brand": 3}, "receivers": ["a"]},
             {"receivers": ["a"], "repeat_max": 0},
             {"receivers": ["a"], "repeat_max": "forever"}]
})");
  std::string file = dir_.path().string() + "/notify.json";
  EXPECT_NE(errors.find(file + ":3:17: receivers[1]: duplicate receiver name \"a\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("receivers[2].type: unknown receiver type \"fakes\" (did you mean 'fake'?)"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("receivers[3]: missing required option 'target'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("receivers[4].name: must be 1-64 letters"), std::string::npos) << errors;
  EXPECT_NE(errors.find("receivers[4].colour: unknown option 'colour'"), std::string::npos) << errors;
  EXPECT_NE(errors.find(file + ":7:34: routes[0].receivers[1]: unknown receiver \"nobody\""), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("routes[1].receivers: a route needs at least one receiver"), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes[2].match.severity: unknown severity \"fatal\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes[2].match.brand: expected a string or an array of strings"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("routes[3].repeat_max: must be between 1 and 1000"), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes[4].repeat_max: "), std::string::npos) << errors;
}

TEST_F(NotifyConfigTest, SecretsAreSubstitutedAndNeverPrinted) {
  auto c = Load(R"({"receivers": [{"name": "a", "type": "fake", "target": "x", "token": "${env:HOOK_TOKEN}"}],
                    "subscribe": {"server_key": "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "secret_key": "${env:KEY}"},
                    "routes": [{"receivers": ["a"]}]})",
                {{"HOOK_TOKEN", "very-secret-token"}, {"KEY", "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->subscribe.secret_key, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6");
  std::string dump = DumpNotifyConfig(*c, testing::FakeKinds());
  EXPECT_EQ(dump.find("very-secret-token"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("JTKVSB"), std::string::npos) << dump;
  EXPECT_NE(dump.find("${env:HOOK_TOKEN}"), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"group_wait\": \"0s\""), std::string::npos) << dump;
}

TEST_F(NotifyConfigTest, CurveKeysGoTogether) {
  EXPECT_NE(Errors(R"({"subscribe": {"server_key": "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"}})")
                .find("subscribe: server_key and secret_key go together"),
            std::string::npos);
}

TEST_F(NotifyConfigTest, AMissingFileIsNotFound) {
  auto c = LoadNotifyConfig(dir_.path().string() + "/nope.json", Env({}), testing::FakeKinds());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

TEST(NotifyPathsTest, StateAndRuntimeDirectories) {
  NotifyConfig c = DefaultNotifyConfig(testing::FakeKinds());
  NotifyPaths systemd = ResolveNotifyPaths(
      c, Env({{"STATE_DIRECTORY", "/var/lib/brandmon-notify"}, {"RUNTIME_DIRECTORY", "/run/brandmon-notify:/x"}}));
  EXPECT_EQ(systemd.state_dir, "/var/lib/brandmon-notify");
  EXPECT_EQ(systemd.runtime_dir, "/run/brandmon-notify");
  NotifyPaths xdg = ResolveNotifyPaths(c, Env({{"XDG_STATE_HOME", "/h/.state"}, {"XDG_RUNTIME_DIR", "/run/user/7"}}));
  EXPECT_EQ(xdg.state_dir, "/h/.state/brandmon-notify");
  EXPECT_EQ(xdg.runtime_dir, "/run/user/7/brandmon-notify");
  EXPECT_EQ(xdg.state_file(), "/h/.state/brandmon-notify/notify.db");
  c.state_dir = "/srv/n";
  EXPECT_EQ(ResolveNotifyPaths(c, Env({{"STATE_DIRECTORY", "/var/lib/x"}})).state_dir, "/srv/n");
}

TEST(NotifyEndpointsTest, PrefersADefaultDaemonsIpcSockets) {
  TempDir dir;
  SubscribeOptions none;
  Endpoints tcp = ResolveEndpoints(none, Env({{"XDG_RUNTIME_DIR", dir.path().string()}}));
  EXPECT_EQ(tcp.stream, "tcp://127.0.0.1:5556");
  EXPECT_EQ(tcp.catchup, "tcp://127.0.0.1:5557");
  SubscribeOptions set;
  set.endpoint = "tcp://10.0.0.1:1";
  EXPECT_EQ(ResolveEndpoints(set, Env({})).stream, "tcp://10.0.0.1:1");
}

TEST(NotifyConfigDocsTest, ListsEveryOptionAndKind) {
  std::string docs = NotifyConfigDocs(testing::FakeKinds());
  for (const char* want :
       {"`subscribe`", "`receivers`", "`routes`", "`group_wait`", "`catchup_endpoint`", "### type `fake`", "`target`",
        "`quiet_hours`", "`break_through`", "`time_zone`", "`repeat_interval`", "`repeat_max`"}) {
    EXPECT_NE(docs.find(want), std::string::npos) << want;
  }
}

TEST(NotifyConfigDocsTest, TheManPageHoldsTheSameReference) {
  std::string man = NotifyConfigMan(testing::FakeKinds());
  EXPECT_EQ(man.find(".TH BRANDMON-NOTIFY.JSON 5 \"\" \"brandmon "), man.find(".TH ")) << man.substr(0, 300);
  for (const char* want :
       {".SH NAME\nbrandmon\\-notify.json \\- ", ".SH OPTIONS\n", ".SS \"routes[].quiet_hours\"\n",
        ".SS \"type \\fBfake\\fR\"\n", "\\fBrepeat_max\\fR (\\fIinteger\\fR, default \\fB12\\fR, 1 to 1000)",
        "\\fBtarget\\fR", ".SH \"SEE ALSO\"\n"}) {
    EXPECT_NE(man.find(want), std::string::npos) << want;
  }
  // No line of the page starts with a character groff would take as a request.
  for (size_t at = man.find('\n'); at != std::string::npos && at + 1 < man.size(); at = man.find('\n', at + 1)) {
    EXPECT_NE(man[at + 1], '\'') << man.substr(at + 1, 80);
  }
}

}  // namespace
}  // namespace brandmon::notify

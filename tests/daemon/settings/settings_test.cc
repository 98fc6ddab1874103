#include "daemon/settings/settings.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/test_util.h"

namespace brandmon::settings {
namespace {

using ::brandmon::testing::TempDir;

class SettingsTest : public ::testing::Test {
 protected:
  // Loads `json` as the config file, with `env` as the environment.
  Settings Load(const std::string& json, std::map<std::string, std::string> env = {}) {
    std::string path = dir_.Write("brandmon.json", json);
    auto lookup = [env](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    auto s = LoadSettings(path, lookup, plugin::BuiltinRegistry());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }

  static std::vector<std::string> Keys(const std::vector<config::OptionChange>& changes) {
    std::vector<std::string> keys;
    for (const auto& c : changes) keys.push_back(c.key);
    return keys;
  }

  TempDir dir_;
};

TEST_F(SettingsTest, ReloadListsOnlyTheRestartOnlyOptionsThatChanged) {
  Settings running = Load(R"({
    "daemon": {"state_dir": "/var/lib/a", "log_level": "info"},
    "store": {"file": "a.db", "prune_interval": "1h"},
    "brands": [{"name": "acme"}]
  })");
  Settings loaded = Load(R"({
    "daemon": {"state_dir": "/var/lib/b", "log_level": "debug"},
    "fetch": {"timeout": "30s"},
    "store": {"file": "b.db", "prune_interval": "2h", "batch_max_mentions": 10},
    "publish": {"endpoints": ["tcp://127.0.0.1:7000"]},
    "rules": {"negative_mention": {"enabled": false}},
    "brands": [{"name": "acme"}, {"name": "globex"}]
  })");
  auto changes = RestartOnlyChanges(running, loaded, plugin::BuiltinRegistry());
  EXPECT_EQ(Keys(changes),
            (std::vector<std::string>{"daemon.state_dir", "fetch.timeout", "store.file", "publish.endpoints"}));
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].running, R"("/var/lib/a")");
  EXPECT_EQ(changes[0].configured, R"("/var/lib/b")");
  EXPECT_EQ(changes[1].running, R"("1m")");
  EXPECT_EQ(changes[1].configured, R"("30s")");
  EXPECT_EQ(changes[3].configured, R"(["tcp://127.0.0.1:7000"])");
}

TEST_F(SettingsTest, SameConfigNeedsNoRestart) {
  const std::string json = R"({"store": {"file": "a.db"}, "fetch": {"timeout": "30s"}, "brands": [{"name": "acme"}]})";
  EXPECT_TRUE(RestartOnlyChanges(Load(json), Load(json), plugin::BuiltinRegistry()).empty());
}

TEST_F(SettingsTest, ChangedSecretIsListedButNeverShown) {
  const std::string json = R"({"publish": {"curve_secret_key": "${env:KEY}", "allowed_client_keys": ["${env:CLIENT}"],
    "endpoints": ["tcp://127.0.0.1:7000"]}})";
  const std::string key_a = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
  const std::string key_b = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  const std::string client = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
  Settings running = Load(json, {{"KEY", key_a}, {"CLIENT", client}});
  Settings loaded = Load(json, {{"KEY", key_b}, {"CLIENT", client}});
  auto changes = RestartOnlyChanges(running, loaded, plugin::BuiltinRegistry());
  ASSERT_EQ(Keys(changes), (std::vector<std::string>{"publish.curve_secret_key"}));
  for (const auto& text : {changes[0].running, changes[0].configured}) {
    EXPECT_EQ(text.find(key_a), std::string::npos) << text;
    EXPECT_EQ(text.find(key_b), std::string::npos) << text;
  }
}

TEST_F(SettingsTest, NewSecretOfASourceChangesItsFingerprint) {
  // An equal fingerprint keeps the running source, so a new token must change it.
  const std::string json = R"({"sources": [{"name": "api", "type": "http_json", "url": "https://example.com/{token}",
    "token": "${env:TOKEN}", "fields": {"id": "/id"}}]})";
  Settings a = Load(json, {{"TOKEN", "first-token"}});
  Settings b = Load(json, {{"TOKEN", "second-token"}});
  Settings c = Load(json, {{"TOKEN", "first-token"}});
  ASSERT_EQ(a.sources.size(), 1u);
  EXPECT_NE(a.sources[0].fingerprint, b.sources[0].fingerprint);
  EXPECT_EQ(a.sources[0].fingerprint, c.sources[0].fingerprint);
}

}  // namespace
}  // namespace brandmon::settings

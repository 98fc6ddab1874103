// Secrets substituted into the config (${env:}, ${file:}, ${credential:})
// never reach people: not through --check-config (errors and the effective
// config), not through a rejected reload (daemon log, `brandmonctl reload`'s
// reply, `status`). Each secret below sits where validation fails, in every
// option kind; the output must name the reference and never show the value.

#include <signal.h>

#include <gtest/gtest.h>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

// Every value contains "s3cr3t" unless it must be short or exact to reach
// the check it tests; those are listed in kDerived.
const std::map<std::string, std::string>& Secrets() {
  static const std::map<std::string, std::string> secrets = {
      {"S_ENUM", "s3cr3t-enum"},       // daemon.log_level
      {"S_DUR", "s3cr3t-duration"},    // daemon.shutdown_timeout
      {"S_INT", "s3cr3t-int"},         // fetch.max_connections
      {"S_NAME", "bad name s3cr3t"},   // sources[0].name (string, checked charset)
      {"S_TYPE", "feedx"},             // sources[0].type: close to "feed"
      {"S_BOOL", "s3cr3t-bool"},       // sources[1].enabled
      {"S_URL", "ftp://s3cr3t/feed"},  // sources[1].url
      {"S_PRESET", "s3cr3t-preset"},   // sources[2].preset
      {"S_LIST", "s3cr3t-not-a-key"},  // publish.allowed_client_keys[0] (list element)
      {"S_BRAND", "acme.s3cr3t"},      // brands[0].name: a dot
      {"S_QUERY", "leakfield:acme"},   // brands[0].query: the error would quote "leakfield"
      {"S_DUP", "s3cr3t-dup"},         // brands[1] and [2]: duplicate names
      {"S_MAP", "s3cr3t-number"},      // brands[3].lexicon.w (number map value)
      {"S_RULE", "s3cr3t-cooldown"},   // brands[3].rules.negative_mention.cooldown
      {"S_SHORT", "23h59m"},           // daemon.status_interval: valid, out of range
  };
  return secrets;
}

// Text that a leak would show besides the values themselves.
const char* const kDerived[] = {"s3cr3t", "feedx", "leakfield", "did you mean 'feed'"};

std::string BadConfig(const TempDir& dir) {
  return R"({
  "daemon": {"state_dir": ")" +
         (dir.path() / "state").string() + R"(", "runtime_dir": ")" + (dir.path() / "run").string() +
         R"(",
             "log_level": "${env:S_ENUM}", "shutdown_timeout": "${env:S_DUR}", "status_interval": "${env:S_SHORT}"},
  "fetch": {"max_connections": "${env:S_INT}"},
  "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"],
              "allowed_client_keys": ["${env:S_LIST}"]},
  "sources": [
    {"name": "${env:S_NAME}", "type": "${env:S_TYPE}"},
    {"name": "ok", "type": "feed", "url": "${env:S_URL}", "enabled": "${env:S_BOOL}"},
    {"name": "p", "type": "http_json", "preset": "${env:S_PRESET}"}
  ],
  "brands": [
    {"name": "${env:S_BRAND}", "query": "${env:S_QUERY}"},
    {"name": "${env:S_DUP}"}, {"name": "${env:S_DUP}"},
    {"name": "k", "${env:S_KEY}": 1, "lexicon": {"w": "${env:S_MAP}"},
     "rules": {"negative_mention": {"cooldown": "${env:S_RULE}"}}}
  ]
})";
}

// The placeholders the errors must show, one per place a secret was put.
const char* const kPlaceholders[] = {
    "daemon.log_level: expected one of trace, debug, info, warn, error, got <redacted ${env:S_ENUM}>",
    "daemon.shutdown_timeout: expected a duration like \"5m\", got <redacted ${env:S_DUR}>",
    "daemon.status_interval: must be between 1s and 1h, got <redacted ${env:S_SHORT}>",
    "fetch.max_connections: expected an integer, got <redacted ${env:S_INT}>",
    // A check that quotes the converted value: the last line of defence.
    "publish.allowed_client_keys: \"<redacted ${env:S_LIST}>\" is not a 40-character Z85 public key",
    "sources[0].name: must be 1-64 letters, digits, '_', '-' or '.', got <redacted ${env:S_NAME}>",
    "sources[0].type: unknown source type <redacted ${env:S_TYPE}>; known types:",
    "sources[1].enabled: expected true or false, got <redacted ${env:S_BOOL}>",
    "sources[1].url: must start with http:// or https://, got <redacted ${env:S_URL}>",
    "sources[2].preset: unknown preset <redacted ${env:S_PRESET}>",
    ("brands[0].name: must be 1-64 letters, digits, '_' or '-' (no '.': it separates the parts of an alert topic), "
     "got <redacted ${env:S_BRAND}>"),
    "brands[0].query: the query in <redacted ${env:S_QUERY}> does not parse",
    "brands[2]: duplicate brand name <redacted ${env:S_DUP}>",
    "brands[3].lexicon.w: expected a number, got <redacted ${env:S_MAP}>",
    "brands[3].rules.negative_mention.cooldown: expected a duration like \"5m\", got <redacted ${env:S_RULE}>",
    // Object keys are never substituted: the key is shown as written.
    "brands[3].${env:S_KEY}: unknown option '${env:S_KEY}'",
};

void ExpectNoSecret(const std::string& what, const std::string& text) {
  for (const auto& [name, value] : Secrets()) {
    EXPECT_EQ(text.find(value), std::string::npos) << what << " shows $" << name << ":\n" << text;
  }
  for (const char* derived : kDerived) {
    EXPECT_EQ(text.find(derived), std::string::npos) << what << " shows \"" << derived << "\":\n" << text;
  }
}

TEST(ConfigRedactionTest, CheckConfigNamesTheReferenceNeverTheValue) {
  TempDir dir;
  std::string conf = dir.Write("bad.json", BadConfig(dir));
  std::string out, err;
  int rc = RunCommand({BinaryPath("brandmond"), "--check-config", "--config", conf}, &out, &err, Secrets());
  EXPECT_NE(rc, 0) << err;
  ExpectNoSecret("--check-config", out + err);
  for (const char* expected : kPlaceholders) {
    EXPECT_NE(err.find(expected), std::string::npos) << "missing: " << expected << "\n---\n" << err;
  }
}

// Accepted values are still secret in the printed effective config, also
// where the option reformats them (a duration) or they are too short to be
// searched for as text.
TEST(ConfigRedactionTest, EffectiveConfigShowsPlaceholders) {
  TempDir dir;
  dir.Write("path.secret", "s3cr3t-path\n");
  std::string conf = dir.Write("good.json", R"({
  "daemon": {"log_level": "${env:V_LEVEL}", "shutdown_timeout": "${env:V_DUR}"},
  "sources": [{"name": "f", "type": "feed", "url": "https://example.com/${file:path.secret}.xml"}],
  "brands": [{"name": "${env:V_BRAND}", "handles": ["@${env:V_HANDLE}"]}]
})");
  std::map<std::string, std::string> env = {
      {"V_LEVEL", "warn"}, {"V_DUR", "7s"}, {"V_BRAND", "s3cr3t-brand"}, {"V_HANDLE", "s3cr3t-handle"}};
  std::string out, err;
  ASSERT_EQ(RunCommand({BinaryPath("brandmond"), "--check-config", "--config", conf}, &out, &err, env), 0) << err;
  for (const char* expected : {
           "\"log_level\": \"<redacted ${env:V_LEVEL}>\"",
           "\"shutdown_timeout\": \"<redacted ${env:V_DUR}>\"",
           "\"url\": \"<redacted https://example.com/${file:path.secret}.xml>\"",
           "\"name\": \"<redacted ${env:V_BRAND}>\"",
           "\"<redacted @${env:V_HANDLE}>\"",
       }) {
    EXPECT_NE(out.find(expected), std::string::npos) << "missing: " << expected << "\n---\n" << out;
  }
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
}

TEST(ConfigRedactionTest, RejectedReloadShowsNoSecretAnywhere) {
  TempDir dir;
  std::string good = R"({
    "daemon": {"state_dir": ")" +
                     (dir.path() / "state").string() + R"(", "runtime_dir": ")" + (dir.path() / "run").string() + R"("},
    "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
    "brands": [{"name": "acme"}]
  })";
  std::string conf = dir.Write("brandmon.json", good);
  NotifyListener listener((dir.path() / "notify.sock").string());
  std::map<std::string, std::string> env = Secrets();
  env["NOTIFY_SOCKET"] = listener.path();
  Process daemon({BinaryPath("brandmond"), "--config", conf}, env);
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();

  auto ctl = [&](std::vector<std::string> args, int* rc) {
    std::vector<std::string> argv = {BinaryPath("brandmonctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(conf);
    std::string out, err;
    *rc = RunCommand(argv, &out, &err, Secrets());
    return out + err;
  };

  dir.Write("brandmon.json", BadConfig(dir));
  int rc = 0;
  std::string reply = ctl({"reload"}, &rc);
  EXPECT_NE(rc, 0) << reply;
  ExpectNoSecret("reload reply", reply);
  for (const char* expected : kPlaceholders) {
    EXPECT_NE(reply.find(expected), std::string::npos) << "missing: " << expected << "\n---\n" << reply;
  }
  std::string status = ctl({"status"}, &rc);
  EXPECT_NE(status.find("last reload rejected"), std::string::npos) << status;
  ExpectNoSecret("status", status);
  status = ctl({"status", "--json"}, &rc);
  EXPECT_NE(status.find("<redacted ${env:S_ENUM}>"), std::string::npos) << status;
  ExpectNoSecret("status --json", status);

  // The same through SIGHUP, which only logs.
  daemon.Signal(SIGHUP);
  ASSERT_FALSE(listener.WaitFor("RELOADING=1", seconds(10)).empty());
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(10)).empty());
  EXPECT_TRUE(daemon.running());
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
  std::string log = daemon.Stdout() + daemon.Stderr();
  EXPECT_NE(log.find("reload rejected, keeping the running config"), std::string::npos) << log;
  EXPECT_NE(log.find("<redacted ${env:S_QUERY}>"), std::string::npos) << log;
  ExpectNoSecret("daemon log", log);
}

}  // namespace
}  // namespace brandmon::testing

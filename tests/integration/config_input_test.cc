// Hostile config files, as brandmond and brandmonctl meet them: an include
// that names a FIFO (which used to hang --check-config and reload, leaving a
// daemon deaf to SIGTERM), bytes that are not UTF-8, and a brand name with a
// dot (which would leak its alerts to the subscribers of another brand).

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

int CheckConfig(const std::string& conf, std::string* err) {
  std::string out;
  return RunCommand({BinaryPath("brandmond"), "--check-config", "--config", conf}, &out, err, {}, seconds(20));
}

TEST(ConfigInputTest, IncludedFifoIsRefusedByCheckConfigAndReload) {
  TempDir dir;
  std::string fifo = (dir.path() / "conf.d" / "fifo.json").string();
  dir.Write("conf.d/ok.json", "{}");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string head = R"({
  "daemon": {"state_dir": ")" +
                     (dir.path() / "state").string() + R"(", "runtime_dir": ")" + (dir.path() / "run").string() + R"("},
  "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
  "brands": [{"name": "acme"}])";
  std::string conf = dir.Write("brandmon.json", head + R"(, "include": ["conf.d/*.json"]})");
  std::string err;
  EXPECT_NE(CheckConfig(conf, &err), 0) << "timed out or accepted:\n" << err;
  EXPECT_NE(err.find("include[0]: " + fifo + ": not a regular file (a FIFO)"), std::string::npos) << err;

  // A running daemon asked to reload the same file answers, keeps running
  // and still stops on SIGTERM.
  dir.Write("brandmon.json", head + "}");
  NotifyListener listener((dir.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", conf}, {{"NOTIFY_SOCKET", listener.path()}});
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();
  dir.Write("brandmon.json", head + R"(, "include": ["conf.d/*.json"]})");
  std::string out;
  int rc = RunCommand({BinaryPath("brandmonctl"), "reload", "--config", conf}, &out, &err, {}, seconds(20));
  EXPECT_NE(rc, 0) << out << err;
  EXPECT_NE((out + err).find(fifo + ": not a regular file (a FIFO)"), std::string::npos) << out << err;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0) << daemon.Stderr();
}

// A lexicon file that is a FIFO is refused by --check-config at once; the
// daemon would otherwise block reading it at start, before it handles SIGTERM.
TEST(ConfigInputTest, LexiconFileFifoIsRefusedByCheckConfig) {
  TempDir dir;
  std::string fifo = (dir.path() / "slang.tsv").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string conf = dir.Write("brandmon.json", R"({
  "daemon": {"state_dir": ")" + (dir.path() / "state").string() +
                                                    R"("},
  "sentiment": {"lexicon_files": ["slang.tsv"]},
  "brands": [{"name": "acme"}]
})");
  std::string err;
  EXPECT_EQ(CheckConfig(conf, &err), 3) << "timed out or accepted:\n" << err;
  EXPECT_NE(err.find("sentiment.lexicon_files[0]: lexicon file: " + fifo + ": not a regular file (a FIFO)"),
            std::string::npos)
      << err;
}

TEST(ConfigInputTest, InvalidUtf8IsRejectedAndShownEscaped) {
  TempDir dir;
  std::string conf = dir.Write("u.json", "{\n  \"brands\": [{\"name\": \"acme\", \"query\": \"caf\xe9 \x1b[2J\"}]\n}");
  std::string err;
  EXPECT_NE(CheckConfig(conf, &err), 0);
  EXPECT_NE(err.find("u.json:2:44: invalid UTF-8 (\\xe9\\x20); a config file must be UTF-8"), std::string::npos) << err;
  EXPECT_EQ(err.find('\xe9'), std::string::npos) << "raw byte echoed";
}

TEST(ConfigInputTest, BrandNamesCannotHoldADotButSourceNamesMay) {
  TempDir dir;
  std::string conf = dir.Write("d.json", R"({
  "sources": [{"name": "blog.acme", "type": "feed", "url": "https://example.com/feed.xml"}],
  "brands": [{"name": "acme"}, {"name": "acme.eu"}]
})");
  std::string err;
  EXPECT_NE(CheckConfig(conf, &err), 0);
  EXPECT_NE(err.find("d.json:3:41: brands[1].name: must be 1-64 letters, digits, '_' or '-' (no '.': it separates "
                     "the parts of an alert topic), got \"acme.eu\""),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("sources[0].name"), std::string::npos) << err;
}

}  // namespace
}  // namespace brandmon::testing

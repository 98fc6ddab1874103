// Tests of daemon/cli/replay_command.cc: a state database written by the
// pipeline, replayed through the same config and through changed ones.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/thread_set.h"
#include "daemon/cli/command.h"
#include "daemon/config/loader.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/plugin/registry.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

using testing::TempDir;

struct CtlRun {
  int code;
  std::string out;
  std::string err;
};

CtlRun Ctl(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = RunCtl(args, in, out, err);
  return {code, out.str(), err.str()};
}

// The trend rules a spike test needs: minute buckets; the others off.
constexpr char kTrendRules[] =
    R"("volume_spike": {"bucket": "1m", "window": 4, "warm_up": 2, "min_count": 5, "per_channel": false,
                        "clear_after": 1},
       "negative_spike": {"enabled": false}, "sentiment_shift": {"enabled": false},
       "emerging_terms": {"enabled": false})";

constexpr char kTerrible[] = "Acme support is terrible, awful and useless. I hate it.";  // target -0.74
constexpr char kBad[] = "The Acme kettle is bad.";                                       // -0.54
constexpr char kDisappointing[] = "The Acme kettle is a bit disappointing.";             // -0.49

// A state database written by the pipeline under `old` rules, from
// 2026-01-01T00:00Z (the fake clock's start): a mention a minute for eight
// minutes, twelve in the ninth (a volume spike), then three negative ones of
// falling strength, one a minute, and a neutral one.
class ReplayCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string old_config = Config("old.json", R"("negative_mention": {"threshold": -0.5})");
    auto settings = settings::LoadSettings(old_config, config::ProcessEnv(), plugin::BuiltinRegistry());
    ASSERT_TRUE(settings.ok()) << settings.status().message();
    FakeClock clock;
    ThreadSet threads;
    auto p = pipeline::Pipeline::Create(*settings, dir_.path().string(), clock, threads, nullptr);
    ASSERT_TRUE(p.ok()) << p.status().message();
    int n = 0;
    auto poll = [&](std::vector<std::pair<std::string, std::string>> texts) {
      scheduler::PollResult r;
      r.state.source = "social";
      for (auto& [author, text] : texts) r.mentions.push_back(Make(++n, author, text));
      (*p)->Submit(settings->sources[0], std::move(r));
      (*p)->Flush();
      clock.Advance(std::chrono::minutes(1));
    };
    for (int minute = 0; minute < 8; ++minute) poll({{"u" + std::to_string(minute), "Acme shipped an update."}});
    std::vector<std::pair<std::string, std::string>> burst;
    for (int i = 0; i < 12; ++i) burst.emplace_back("b" + std::to_string(i), "Acme shipped an update.");
    poll(burst);
    poll({{"ann", kTerrible}});
    poll({{"bob", kBad}});
    poll({{"cat", kDisappointing}});
    poll({{"dan", "Acme shipped an update."}});
    // The daemon's ticks close the buckets that end meanwhile.
    clock.Advance(std::chrono::minutes(47));
    (*p)->Flush();
    (*p)->Stop();
  }

  Mention Make(int n, const std::string& author, const std::string& text) {
    Mention m;
    m.source = "social";
    m.channel = "mastodon";
    m.id = "m" + std::to_string(n);
    m.author = author;
    m.text = text;
    return m;
  }

  // A config of brand acme with `negative_mention` (a rules member) and the
  // trend rules above; its state database is this test's.
  std::string Config(const std::string& name, const std::string& negative, const std::string& trend = kTrendRules) {
    return dir_.Write(name, R"({"daemon": {"state_dir": ")" + dir_.path().string() + R"("},
      "sources": [{"name": "social", "type": "file", "path": "s.jsonl", "kind": "social"}],
      "brands": [{"name": "acme", "rules": {)" +
                                negative + ", " + trend + "}}]}");
  }

  // `brandmonctl replay` of the first hour as JSON, parsed.
  rapidjson::Document Replay(const std::string& config, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"replay", "--config", config, "--format", "json"};
    if (std::find(more.begin(), more.end(), "--since") == more.end()) {
      more.insert(more.end(), {"--since", "2026-01-01T00:00:00Z"});
    }
    more.insert(more.end(), {"--until", "2026-01-01T01:00:00Z"});
    args.insert(args.end(), more.begin(), more.end());
    CtlRun r = Ctl(args);
    EXPECT_EQ(r.code, 0) << r.err;
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    EXPECT_FALSE(doc.HasParseError()) << r.out;
    return doc;
  }

  // {rule: {raised, replayed}} of acme.
  static std::map<std::string, std::pair<int, int>> Counts(const rapidjson::Document& doc) {
    std::map<std::string, std::pair<int, int>> out;
    for (const auto& r : doc["rules"].GetArray())
      out[r["rule"].GetString()] = {r["raised"].GetInt(), r["replayed"].GetInt()};
    return out;
  }

  // "rule source/id" (or "rule" for a trend alert) of each alert of `key`.
  static std::set<std::string> Alerts(const rapidjson::Document& doc, const char* key) {
    std::set<std::string> out;
    for (const auto& a : doc[key].GetArray()) {
      std::string line = a["rule"].GetString();
      if (a.HasMember("id")) line += std::string(" ") + a["source"].GetString() + "/" + a["id"].GetString();
      out.insert(line);
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(ReplayCommandTest, TheSameConfigReplaysTheAlertsThatWereRaised) {
  auto doc = Replay(Config("same.json", R"("negative_mention": {"threshold": -0.5})"));
  EXPECT_EQ(doc["mentions"].GetInt(), 24);
  EXPECT_EQ(doc["matched"].GetInt(), 24);
  auto counts = Counts(doc);
  EXPECT_EQ(counts["negative_mention"], std::make_pair(2, 2)) << "ann and bob";
  EXPECT_EQ(counts["volume_spike"], std::make_pair(1, 1)) << "the ninth minute";
  EXPECT_EQ(counts["volume_spike_clear"], std::make_pair(1, 1));
  EXPECT_TRUE(Alerts(doc, "only_raised").empty());
  EXPECT_TRUE(Alerts(doc, "only_replayed").empty());
}

TEST_F(ReplayCommandTest, AStricterThresholdAndALargerMinCountAreQuieter) {
  std::string trend = kTrendRules;
  trend.replace(trend.find("\"min_count\": 5"), 14, "\"min_count\": 20");
  auto doc = Replay(Config("new.json", R"("negative_mention": {"threshold": -0.6})", trend));
  auto counts = Counts(doc);
  EXPECT_EQ(counts["negative_mention"], std::make_pair(2, 1));
  EXPECT_EQ(counts["volume_spike"], std::make_pair(1, 0));
  EXPECT_EQ(Alerts(doc, "only_raised"),
            (std::set<std::string>{"negative_mention social/m22", "volume_spike", "volume_spike_clear"}))
      << "bob's -0.54 is above -0.6; twelve mentions are fewer than 20";
  EXPECT_TRUE(Alerts(doc, "only_replayed").empty());
}

TEST_F(ReplayCommandTest, ALooserThresholdRaisesMore) {
  auto doc = Replay(Config("new.json", R"("negative_mention": {"threshold": -0.45})"));
  EXPECT_EQ(Counts(doc)["negative_mention"], std::make_pair(2, 3));
  EXPECT_EQ(Alerts(doc, "only_replayed"), std::set<std::string>{"negative_mention social/m23"}) << "cat's -0.49";
  EXPECT_TRUE(Alerts(doc, "only_raised").empty());
}

// A period that starts at the spike: the trend rules learn their baseline
// from the mentions stored before it, as the daemon had.
TEST_F(ReplayCommandTest, TheTrendRulesWarmUpOnTheMentionsBeforeThePeriod) {
  std::string config = Config("same.json", R"("negative_mention": {"threshold": -0.5})");
  auto warmed = Replay(config, {"--since", "2026-01-01T00:08:00Z"});
  EXPECT_EQ(warmed["warm_up"].GetString(), std::string("5m")) << "the spike rule's window and one bucket";
  EXPECT_EQ(warmed["warm_up_mentions"].GetInt(), 5);
  EXPECT_EQ(warmed["mentions"].GetInt(), 16);
  EXPECT_EQ(Counts(warmed)["volume_spike"], std::make_pair(1, 1));
  EXPECT_TRUE(Alerts(warmed, "only_raised").empty());
  auto cold = Replay(config, {"--since", "2026-01-01T00:08:00Z", "--warm-up", "0s"});
  EXPECT_EQ(cold["warm_up_mentions"].GetInt(), 0);
  EXPECT_EQ(Counts(cold)["volume_spike"], std::make_pair(1, 0)) << "no baseline yet";
}

TEST_F(ReplayCommandTest, TheTextReportNamesTheAlertsOfOneSide) {
  std::string config = Config("new.json", R"("negative_mention": {"threshold": -0.6})");
  CtlRun r = Ctl({"replay", "--config", config, "--since", "2026-01-01T00:00:00Z", "--until", "2026-01-01T01:00:00Z",
                  "--brand", "acme"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("24 stored mentions"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acme   negative_mention           2         1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("raised, not replayed (1):\n  2026-01-01T00:10:00Z  acme  negative_mention  social/m22  "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("replayed, not raised (0)"), std::string::npos) << r.out;
}

TEST_F(ReplayCommandTest, BadArgumentsAreNamed) {
  std::string config = Config("new.json", R"("negative_mention": {"threshold": -0.6})");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string says;
  };
  std::string bad_json = dir_.Write("bad.json", "{\"brands\": [\n  {\"name\": \"acme\",, }]}");
  std::string bad_option = dir_.Write("opt.json",
                                      "{\"brands\": [{\"name\": \"acme\",\n \"rules\": {\"praise\": "
                                      "{\"threshold\": 7}}}]}");
  const Case cases[] = {
      {{"replay"}, 2, "--config NEW.json is required"},
      {{"replay", "--config"}, 2, "'--config' needs a value"},
      {{"replay", "--config", config, "--bogus", "1"}, 2, "unknown option '--bogus'"},
      {{"replay", "--config", config, "--since", "3x"}, 2, "--since: "},
      {{"replay", "--config", config, "--since", "1d", "--until", "2d"}, 2, "--since: is after until"},
      {{"replay", "--config", config, "--format", "xml"}, 2, "--format must be text or json"},
      {{"replay", "--config", config, "--warm-up", "soon"}, 2, "--warm-up: not a duration: 'soon'"},
      {{"replay", "--config", config, "--brand", "globex"}, 1, "no brand 'globex' in " + config},
      {{"replay", "--config", bad_json}, 1, bad_json + ":2:"},
      {{"replay", "--config", bad_option}, 1, bad_option + ":2:"},
      {{"replay", "--config", (dir_.path() / "none.json").string()}, 1, "none.json"},
      {{"replay", "--config", config, "--database", (dir_.path() / "none.db").string()}, 1, "none.db"},
  };
  for (const Case& c : cases) {
    CtlRun r = Ctl(c.args);
    EXPECT_EQ(r.code, c.code) << c.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace
}  // namespace brandmon::cli

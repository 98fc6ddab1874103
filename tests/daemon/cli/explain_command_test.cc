// Tests of daemon/cli/explain_command.cc.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/base/thread_set.h"
#include "daemon/base/time_parse.h"
#include "daemon/cli/command.h"
#include "daemon/config/loader.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/plugin/registry.h"
#include "tests/daemon/query/query_fixture.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

using testing::TempDir;

struct CtlRun {
  int code;
  std::string out;
  std::string err;
};

CtlRun Ctl(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = RunCtl(args, in, out, err);
  return {code, out.str(), err.str()};
}

class ExplainCommandTest : public ::testing::Test {
 protected:
  std::string Config() {
    return dir_.Write("brandmon.json", R"({
      "sources": [{"name": "comments", "type": "file", "path": "c.jsonl", "kind": "social", "reply_to": "@acmecorp"}],
      "brands": [{"name": "acme", "handles": ["@acmecorp"]},
                 {"name": "globex", "handles": ["@globex"], "rules": {"needs_reply": {"kinds": ["social"]}}}]})");
  }
  // The output lines, parsed.
  std::vector<rapidjson::Document> Explain(const std::string& lines, int want_code = 0) {
    CtlRun r = Ctl({"explain", "--config", Config()}, lines);
    EXPECT_EQ(r.code, want_code) << r.err;
    std::vector<rapidjson::Document> docs;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);) {
      docs.emplace_back().Parse(line.c_str());
      EXPECT_FALSE(docs.back().HasParseError()) << line;
    }
    return docs;
  }
  // {rule: [alert, why]} of brand `b` of `doc`.
  std::map<std::string, std::pair<bool, std::string>> Rules(const rapidjson::Document& doc, size_t b) {
    std::map<std::string, std::pair<bool, std::string>> out;
    for (const auto& r : doc["brands"][static_cast<rapidjson::SizeType>(b)]["rules"].GetArray()) {
      out[r["rule"].GetString()] = {r["alert"].GetBool(), r["why"].GetString()};
    }
    return out;
  }
  TempDir dir_;
};

TEST_F(ExplainCommandTest, EveryBrandAndMentionRuleWithItsVerdictAndWhy) {
  auto docs =
      Explain(R"({"id":"1","channel":"x","author":"@sam","text":"Does anyone know if Acme or Globex ship to Pune?"})"
              "\n"
              R"({"id":"2","channel":"rss","title":"Chips","text":"Does anyone know if Acme ships to Pune?"})"
              "\n");
  ASSERT_EQ(docs.size(), 2u);
  const auto& post = docs[0];
  EXPECT_STREQ(post["kind"].GetString(), "social");
  ASSERT_EQ(post["brands"].Size(), 2u);
  EXPECT_STREQ(post["brands"][0]["brand"].GetString(), "acme");
  EXPECT_STREQ(post["brands"][1]["brand"].GetString(), "globex");
  EXPECT_EQ(post["brands"][0]["spans"][0]["start"].GetUint(), 20u);
  EXPECT_EQ(post["brands"][0]["salience"].GetDouble(), 1.0);
  auto acme = Rules(post, 0);
  EXPECT_EQ(acme.size(), 4u) << "the four mention rules";
  EXPECT_TRUE(acme["needs_reply"].first);
  EXPECT_EQ(acme["needs_reply"].second, "a social post: a question in a sentence naming the brand");
  EXPECT_FALSE(acme["negative_mention"].first);
  EXPECT_NE(acme["negative_mention"].second.find("above the threshold -0.5"), std::string::npos);
  EXPECT_FALSE(acme["praise"].first);
  const auto& article = docs[1];
  EXPECT_STREQ(article["kind"].GetString(), "news");
  auto in_news = Rules(article, 0);
  EXPECT_FALSE(in_news["needs_reply"].first);
  EXPECT_NE(in_news["needs_reply"].second.find("speaks to its readers"), std::string::npos)
      << in_news["needs_reply"].second;
}

// The scores come with the words that carried them: where each is, its
// rating, its weight once negated or boosted, and whether the brand's
// targeted score counts it.
TEST_F(ExplainCommandTest, TheScoresComeWithTheWordsThatCarriedThem) {
  auto docs = Explain(R"({"id":"1","channel":"x","text":"The Acme kettle is not good, but the Globex one is great."})"
                      "\n");
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_EQ(docs[0]["brands"].Size(), 2u);
  const auto& acme = docs[0]["brands"][0]["sentiment"];
  EXPECT_STREQ(acme["field"].GetString(), "text");
  ASSERT_EQ(acme["words"].Size(), 2u);
  const auto& good = acme["words"][0];
  EXPECT_STREQ(good["word"].GetString(), "good");
  EXPECT_EQ(good["at"].GetUint(), 23u);
  EXPECT_EQ(good["valence"].GetDouble(), 1.9);
  EXPECT_LT(good["weight"].GetDouble(), 0) << "not good";
  EXPECT_TRUE(good["targeted"].GetBool());
  EXPECT_FALSE(acme["words"][1]["targeted"].GetBool()) << "great is about Globex";
  EXPECT_LT(acme["target"].GetDouble(), 0);
  const auto& globex = docs[0]["brands"][1]["sentiment"];
  EXPECT_FALSE(globex["words"][0]["targeted"].GetBool());
  EXPECT_TRUE(globex["words"][1]["targeted"].GetBool());
  EXPECT_GT(globex["target"].GetDouble(), 0);
}

TEST_F(ExplainCommandTest, AConfiguredSourceStampsItsKindAndReplyTo) {
  // A comment on acme's own post: it belongs to acme though it names no brand.
  auto docs = Explain(R"({"source":"comments","id":"9","channel":"youtube","text":"when will you restock?"})"
                      "\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_STREQ(docs[0]["kind"].GetString(), "social") << "the source's kind, not the channel's (video)";
  ASSERT_EQ(docs[0]["brands"].Size(), 1u);
  EXPECT_TRUE(docs[0]["brands"][0]["replies_to_brand"].GetBool());
  auto rules = Rules(docs[0], 0);
  EXPECT_TRUE(rules["needs_reply"].first);
  EXPECT_EQ(rules["needs_reply"].second, "a social post addressed to the brand by a reply to its post: a question");
}

TEST_F(ExplainCommandTest, ABrandsOwnRulesAndAccountsShowInTheVerdict) {
  auto docs = Explain(R"({"id":"1","channel":"reddit","author":"u/x","text":"Why does the Globex fridge beep?"})"
                      "\n"
                      R"({"id":"2","channel":"x","author":"@AcmeCorp","text":"Why not try the new Acme kettle?"})"
                      "\n");
  ASSERT_EQ(docs.size(), 2u);
  auto globex = Rules(docs[0], 0);
  EXPECT_FALSE(globex["needs_reply"].first) << "globex reads social posts only";
  auto own = Rules(docs[1], 0);
  EXPECT_TRUE(docs[1]["brands"][0]["own_account"].GetBool());
  for (const auto& [rule, verdict] : own) {
    EXPECT_FALSE(verdict.first) << rule;
    EXPECT_NE(verdict.second.find("own account"), std::string::npos) << rule << ": " << verdict.second;
  }
}

TEST_F(ExplainCommandTest, BadLinesAndBadArgumentsAreNamed) {
  auto docs = Explain("not json\n{\"id\":\"1\",\"kind\":\"tweet\"}\n\n{\"id\":\"2\",\"text\":\"nothing to see\"}\n", 1);
  ASSERT_EQ(docs.size(), 3u) << "one line out per mention line in; blank lines are skipped";
  EXPECT_TRUE(docs[0].HasMember("error"));
  EXPECT_NE(std::string(docs[1]["error"].GetString()).find("'kind'"), std::string::npos);
  EXPECT_EQ(docs[2]["brands"].Size(), 0u) << "no brand named";
  EXPECT_EQ(Ctl({"explain"}, "").code, 2);
  EXPECT_EQ(Ctl({"explain", "--config", Config(), "--bogus"}, "").code, 2);
  CtlRun missing = Ctl({"explain", "--config", (dir_.path() / "none.json").string()}, "");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("none.json"), std::string::npos) << missing.err;
}

// A stored mention, read back from the state database by its source and id.
TEST_F(ExplainCommandTest, AStoredMentionBySourceAndId) {
  testing::QueryFixture db;
  CtlRun r = Ctl({"explain", "--config", Config(), "--source", "rss-feed", "--id", "id1", "--database", db.path()}, "");
  ASSERT_EQ(r.code, 0) << r.err;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  EXPECT_STREQ(doc["id"].GetString(), "id1");
  EXPECT_STREQ(doc["kind"].GetString(), "news") << "the channel rss";
  ASSERT_EQ(doc["brands"].Size(), 1u);
  EXPECT_STREQ(doc["brands"][0]["brand"].GetString(), "acme");
  EXPECT_EQ(doc["brands"][0]["rules"].Size(), 4u);
  CtlRun missing =
      Ctl({"explain", "--config", Config(), "--source", "rss-feed", "--id", "nope", "--database", db.path()}, "");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("no mention of source 'rss-feed' with id 'nope'"), std::string::npos) << missing.err;
  EXPECT_EQ(Ctl({"explain", "--config", Config(), "--source", "rss-feed"}, "").code, 2) << "--id goes with --source";
  CtlRun no_db = Ctl(
      {"explain", "--config", Config(), "--source", "a", "--id", "b", "--database", (dir_.path() / "none.db").string()},
      "");
  EXPECT_EQ(no_db.code, 1);
  EXPECT_NE(no_db.err.find("none.db"), std::string::npos) << no_db.err;
}

// A stored mention that raised an alert a moment ago: the rule's cooldown,
// as the daemon committed it, is what keeps it quiet for that author now.
TEST_F(ExplainCommandTest, AStoredMentionShowsTheCooldownThatHoldsARuleBack) {
  std::string config = Config();
  auto settings = settings::LoadSettings(config, config::ProcessEnv(), plugin::BuiltinRegistry());
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  FakeClock clock;
  clock.SetNow(SystemClock::Instance().Now());
  ThreadSet threads;
  auto p = pipeline::Pipeline::Create(*settings, dir_.path().string(), clock, threads, nullptr);
  ASSERT_TRUE(p.ok()) << p.status().message();
  scheduler::PollResult poll;
  poll.state.source = "comments";
  Mention m;
  m.source = "comments";
  m.id = "c1";
  m.author = "@sam";
  m.text = "Acme support is terrible, awful and useless.";
  poll.mentions.push_back(m);
  (*p)->Submit(settings->sources[0], std::move(poll));
  (*p)->Flush();
  (*p)->Stop();
  std::string db = (dir_.path() / "brandmon.db").string();
  CtlRun r = Ctl({"explain", "--config", config, "--source", "comments", "--id", "c1", "--database", db}, "");
  ASSERT_EQ(r.code, 0) << r.err;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  std::map<std::string, const rapidjson::Value*> rules;
  for (const auto& rule : doc["brands"][0]["rules"].GetArray()) rules[rule["rule"].GetString()] = &rule;
  const rapidjson::Value& negative = *rules.at("negative_mention");
  EXPECT_TRUE(negative["alert"].GetBool());
  ASSERT_TRUE(negative.HasMember("cooldown")) << r.out;
  EXPECT_STREQ(negative["cooldown"]["key"].GetString(), "negative_mention|author:comments/@sam");
  auto until = ParseRfc3339(negative["cooldown"]["until"].GetString());
  ASSERT_TRUE(until.has_value());
  EXPECT_EQ(ToUnixMillis(*until), ToUnixMillis(clock.Now()) + 30 * 60'000) << "the default 30m cooldown";
  EXPECT_FALSE(rules.at("praise")->HasMember("cooldown"));
  // From stdin, the same mention is judged without the database's state.
  CtlRun fresh =
      Ctl({"explain", "--config", config},
          R"({"source":"comments","id":"c1","author":"@sam","text":"Acme support is terrible, awful and useless."})"
          "\n");
  ASSERT_EQ(fresh.code, 0) << fresh.err;
  EXPECT_EQ(fresh.out.find("cooldown"), std::string::npos) << fresh.out;
}

}  // namespace
}  // namespace brandmon::cli

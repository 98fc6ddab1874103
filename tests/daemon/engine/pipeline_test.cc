#include "daemon/engine/pipeline.h"

#include <gtest/gtest.h>

#include "daemon/config/loader.h"
#include "tests/support/test_util.h"

namespace brandmon::engine {
namespace {

using brandmon::testing::TempDir;

class RecordingSink : public PipelineSink {
 public:
  void OnAlerts(const std::vector<Alert>& alerts) override {
    for (const auto& a : alerts) this->alerts.push_back(a);
  }
  void OnMentions(const std::vector<ScoredMention>& mentions) override {
    for (const auto& m : mentions) this->mentions.push_back(m);
  }
  std::vector<Alert> alerts;
  std::vector<ScoredMention> mentions;
};

Mention Make(const std::string& id, const std::string& text, const std::string& author = "someone") {
  Mention m;
  m.source = "social";
  m.channel = "x";
  m.id = id;
  m.text = text;
  m.author = author;
  return m;
}

class PipelineTest : public ::testing::Test {
 protected:
  Settings Load(const std::string& brands_json) {
    std::string conf = dir_.Write("c.json", R"({"brands": )" + brands_json + "}");
    auto s = LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }

  std::unique_ptr<Pipeline> Open(const Settings& settings) {
    auto p = Pipeline::Create(settings, dir_.path().string(), clock_, &sink_);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return std::move(p).value();
  }

  void Poll(Pipeline& p, std::vector<Mention> mentions, const std::string& cursor = "") {
    SourceSettings src;
    src.name = "social";
    PollResult r;
    r.mentions = std::move(mentions);
    r.state.source = "social";
    if (!cursor.empty()) r.state.cursor = {{"cursor", cursor}};
    p.Submit(src, std::move(r));
    p.Flush();
  }

  TempDir dir_;
  FakeClock clock_;
  RecordingSink sink_;
};

TEST_F(PipelineTest, MatchesScoresStoresAndAlerts) {
  Settings settings = Load(R"([{"name": "acme", "handles": ["@acmecorp"], "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("1", "Acme support is terrible, I want a refund 😡"), Make("2", "nothing to see here"),
            Make("3", "I love my Acme kettle, it is wonderful")});
  PipelineStats stats = p->Stats();
  EXPECT_EQ(stats.mentions_stored, 2u);
  EXPECT_EQ(stats.unmatched, 1u);
  EXPECT_EQ(stats.brands["acme"].mentions_today, 2u);
  ASSERT_EQ(sink_.mentions.size(), 2u) << "publish_mentions hands stored mentions on";
  EXPECT_LT(sink_.mentions[0].sentiment.compound, -0.05);
  EXPECT_EQ(sink_.mentions[0].sentiment.label, "negative");
  EXPECT_GT(sink_.mentions[1].sentiment.compound, 0.05);
  EXPECT_EQ(sink_.mentions[1].matched_terms, std::vector<std::string>{"\"acme\""});
  bool negative = false, keyword = false;
  for (const auto& a : sink_.alerts) {
    EXPECT_GT(a.seq, 0u);
    negative |= a.rule == "negative_mention";
    keyword |= a.rule == "keyword";
  }
  EXPECT_TRUE(negative);
  EXPECT_TRUE(keyword) << "\"refund\" is a crisis term";
  EXPECT_EQ(stats.last_seq, sink_.alerts.back().seq);
}

TEST_F(PipelineTest, SeenMentionsAreDroppedBeforeScoringEvenAcrossRestarts) {
  Settings settings = Load(R"([{"name": "acme"}])");
  {
    auto p = Open(settings);
    Poll(*p, {Make("1", "acme is awful"), Make("1", "acme is awful"), Make("2", "unrelated")}, "c1");
    EXPECT_EQ(p->Stats().mentions_stored, 1u) << "a repeated id inside one poll is stored once";
    Poll(*p, {Make("1", "acme is awful"), Make("2", "unrelated")}, "c2");
    EXPECT_EQ(p->Stats().duplicates_dropped, 2u) << "matched and unmatched ids are both remembered";
    p->Stop();
  }
  size_t alerts_before = sink_.alerts.size();
  auto p = Open(settings);
  ASSERT_TRUE(p->SourceState("social"));
  EXPECT_EQ(p->SourceState("social")->cursor, (std::vector<std::pair<std::string, std::string>>{{"cursor", "c2"}}));
  Poll(*p, {Make("1", "acme is awful")});
  EXPECT_EQ(p->Stats().mentions_stored, 0u);
  EXPECT_EQ(p->Stats().duplicates_dropped, 1u);
  EXPECT_EQ(sink_.alerts.size(), alerts_before) << "a restart raises no alert twice";
}

PollResult Result(std::vector<Mention> mentions, const std::string& cursor) {
  PollResult r;
  r.mentions = std::move(mentions);
  r.state.source = "social";
  r.state.cursor = {{"cursor", cursor}};
  return r;
}

TEST_F(PipelineTest, QueuedPollsAreStoredOnceInOrderWithTheLastSourceState) {
  Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  SourceSettings src;
  src.name = "social";
  // Queued before they are processed, so they share a transaction.
  p->Submit(src, Result({Make("1", "acme one"), Make("2", "not a brand")}, "c1"));
  p->Submit(src, Result({Make("1", "acme one"), Make("3", "acme three"), Make("3", "acme three")}, "c2"));
  p->Submit(src, Result({Make("2", "not a brand"), Make("4", "acme four")}, "c3"));
  p->Flush();
  PipelineStats stats = p->Stats();
  EXPECT_EQ(stats.mentions_stored, 3u);
  EXPECT_EQ(stats.unmatched, 1u);
  EXPECT_EQ(stats.duplicates_dropped, 2u) << "ids of an earlier poll count as seen; a repeat inside a poll does not";
  std::vector<std::string> ids;
  for (const auto& m : sink_.mentions) ids.push_back(m.mention.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3", "4"}));
  ASSERT_TRUE(p->SourceState("social"));
  EXPECT_EQ(p->SourceState("social")->cursor, (std::vector<std::pair<std::string, std::string>>{{"cursor", "c3"}}));
}

TEST_F(PipelineTest, StartedPipelineScoresWhileItCommitsAndLosesNothing) {
  Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  p->Start();
  SourceSettings src;
  src.name = "social";
  std::vector<std::string> expected;
  uint64_t weather = 0;
  for (int poll = 0; poll < 60; ++poll) {
    std::vector<Mention> mentions;
    for (int k = 0; k < 20; ++k) {
      // Each poll repeats half of the previous one, as a feed does.
      int n = poll * 10 + k;
      mentions.push_back(Make(std::to_string(n), n % 4 == 3 ? "weather talk" : "acme item " + std::to_string(n)));
      if (k >= 10 && n % 4 != 3) expected.push_back(std::to_string(n));
      if (poll == 0 && k < 10 && n % 4 != 3) expected.push_back(std::to_string(n));
      if ((k >= 10 || poll == 0) && n % 4 == 3) ++weather;
    }
    p->Submit(src, Result(std::move(mentions), "c" + std::to_string(poll)));
    if (poll == 30) {
      Settings more = Load(R"([{"name": "acme", "publish_mentions": true}, {"name": "weather"}])");
      p->ApplySettings(more);
    }
  }
  p->Flush();
  p->Stop();
  std::vector<std::string> ids;
  for (const auto& m : sink_.mentions) ids.push_back(m.mention.id);
  EXPECT_EQ(ids, expected) << "every acme mention once, in the order submitted";
  PipelineStats stats = p->Stats();
  EXPECT_EQ(stats.duplicates_dropped, 59u * 10);
  EXPECT_GT(stats.brands["weather"].mentions_today, 0u) << "the reload applies to the polls after it";
  EXPECT_EQ(stats.brands["weather"].mentions_today + stats.unmatched, weather)
      << "each weather mention is either unmatched (before the reload) or stored for the new brand";
  EXPECT_EQ(p->SourceState("social")->cursor, (std::vector<std::pair<std::string, std::string>>{{"cursor", "c59"}}));
}

TEST_F(PipelineTest, MentionsCommittedEarlierAreDroppedWhileBatchesAreHandedToTheScoreThread) {
  // One poll per transaction, so that polls queued behind one another are
  // handed to the score thread, which looks up the committed ids itself.
  std::string conf = dir_.Write(
      "c.json", R"({"store": {"batch_max_mentions": 4}, "brands": [{"name": "acme", "publish_mentions": true}]})");
  auto settings = LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  auto p = Open(*settings);
  Poll(*p, {Make("old-1", "acme is awful"), Make("old-2", "acme again"), Make("old-3", "weather")});
  ASSERT_EQ(sink_.mentions.size(), 2u);
  size_t alerts_before = sink_.alerts.size();
  p->Start();
  SourceSettings src;
  src.name = "social";
  std::vector<std::string> expected;
  for (int poll = 0; poll < 40; ++poll) {
    std::string id = "new-" + std::to_string(poll);
    expected.push_back(id);
    p->Submit(src, Result({Make("old-1", "acme is awful"), Make(id, "acme item"), Make("old-2", "acme again"),
                           Make("old-3", "weather")},
                          "c" + std::to_string(poll)));
  }
  p->Flush();
  p->Stop();
  std::vector<std::string> ids;
  for (size_t i = 2; i < sink_.mentions.size(); ++i) ids.push_back(sink_.mentions[i].mention.id);
  EXPECT_EQ(ids, expected) << "only the new mentions are scored and stored, once each";
  EXPECT_EQ(p->Stats().duplicates_dropped, 40u * 3);
  for (size_t i = alerts_before; i < sink_.alerts.size(); ++i) {
    EXPECT_NE(sink_.alerts[i].rule, "negative_mention") << "the old complaint is not alerted again";
  }
}

TEST_F(PipelineTest, BrandLexiconOverridesChangeTheScore) {
  Settings plain = Load(R"([{"name": "skateco", "publish_mentions": true}])");
  Settings tuned = Load(R"([{"name": "skateco", "publish_mentions": true, "lexicon": {"sick": 3}}])");
  auto p = Open(plain);
  Poll(*p, {Make("a", "the new skateco deck is sick")});
  p->ApplySettings(tuned);
  Poll(*p, {Make("b", "the new skateco deck is sick")});
  ASSERT_EQ(sink_.mentions.size(), 2u);
  EXPECT_LT(sink_.mentions[0].sentiment.compound, 0);
  EXPECT_GT(sink_.mentions[1].sentiment.compound, 0.05);
}

TEST_F(PipelineTest, BrandTargetedScoreJudgesTheBrandsSentence) {
  Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("t", "Their rival is awful. But Acme was great.")});
  ASSERT_EQ(sink_.mentions.size(), 1u);
  ASSERT_TRUE(sink_.mentions[0].sentiment.target.has_value());
  EXPECT_GT(*sink_.mentions[0].sentiment.target, 0.05);
}

}  // namespace
}  // namespace brandmon::engine

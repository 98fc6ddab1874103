#include "daemon/pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include "daemon/config/loader.h"
#include "tests/support/test_util.h"

namespace brandmon::pipeline {
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
  settings::Settings Load(const std::string& brands_json) {
    std::string conf = dir_.Write("c.json", R"({"brands": )" + brands_json + "}");
    auto s = settings::LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }

  std::unique_ptr<Pipeline> Open(const settings::Settings& settings) { return OpenIn(settings, dir_); }
  std::unique_ptr<Pipeline> OpenIn(const settings::Settings& settings, const TempDir& dir) {
    auto p = Pipeline::Create(settings, dir.path().string(), clock_, threads_, &sink_);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return std::move(p).value();
  }

  void Poll(Pipeline& p, std::vector<Mention> mentions, const std::string& cursor = "") {
    settings::SourceSettings src;
    src.name = "social";
    scheduler::PollResult r;
    r.mentions = std::move(mentions);
    r.state.source = "social";
    if (!cursor.empty()) r.state.cursor = {{"cursor", cursor}};
    p.Submit(src, std::move(r));
    p.Flush();
  }

  TempDir dir_;
  FakeClock clock_;
  ThreadSet threads_;
  RecordingSink sink_;
};

// A lang: filter reads the source's language, else the one identified from
// the text, as `brandmonctl match` does.
TEST_F(PipelineTest, LangFilterIdentifiesTheLanguageOfAMentionWithoutOne) {
  settings::Settings settings = Load(R"([{"name": "acme", "query": "acme lang:es", "publish_mentions": true}])");
  auto p = Open(settings);
  Mention tagged = Make("3", "acme ok");
  tagged.lang = "es";
  Poll(*p, {Make("1", "el pedido de acme llegó tarde y nadie contesta a mis correos desde hace una semana"),
            Make("2", "my acme order arrived late and nobody has answered my emails for a whole week"), tagged});
  std::vector<std::string> ids;
  for (const auto& m : sink_.mentions) ids.push_back(m.mention.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(p->Stats().unmatched, 1u);
}

// A lang: filter and the language stored with a mention whose source gives
// none are one reading (the sentiment analyzer's): a brand that asks for
// English stores only mentions stored as English, the other brand the rest.
// The words English knows settle "acme with karma..." as English, which the
// character model alone reads otherwise.
TEST_F(PipelineTest, LangFilterAndStoredLanguageAgree) {
  settings::Settings settings = Load(R"([{"name": "en", "query": "acme lang:en", "publish_mentions": true},
                                         {"name": "other", "query": "acme -lang:en", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("1", "acme with karma was bazaar nada"),
            Make("2", "el pedido de acme llegó tarde y nadie contesta a mis correos desde hace una semana"),
            Make("3", "my acme order arrived late and nobody has answered my emails for a whole week"),
            Make("4", "acme bazaar with karma")});
  std::map<std::string, std::string> brand_of;
  for (const auto& m : sink_.mentions) {
    EXPECT_EQ(m.brand == "en", m.mention.lang == "en") << m.mention.id << " stored as " << m.mention.lang.value_or("");
    brand_of[m.mention.id] = m.brand;
  }
  EXPECT_EQ(brand_of, (std::map<std::string, std::string>{{"1", "en"}, {"2", "other"}, {"3", "en"}, {"4", "other"}}));
}

TEST_F(PipelineTest, MatchesScoresStoresAndAlerts) {
  settings::Settings settings = Load(R"([{"name": "acme", "handles": ["@acmecorp"], "publish_mentions": true}])");
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

// A German complaint is read as German, with the German lexicon: it is
// negative and raises negative_mention, as an English one would.
TEST_F(PipelineTest, AGermanComplaintRaisesANegativeMentionAlert) {
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("1", "Der Kundenservice von Acme ist eine Katastrophe, schrecklich und unverschämt. Nie wieder!")});
  ASSERT_EQ(sink_.mentions.size(), 1u);
  EXPECT_EQ(sink_.mentions[0].lang, "de");
  EXPECT_TRUE(sink_.mentions[0].sentiment.scored);
  EXPECT_EQ(sink_.mentions[0].sentiment.label, "negative");
  bool negative = false;
  for (const auto& a : sink_.alerts) negative |= a.rule == "negative_mention";
  EXPECT_TRUE(negative);
}

// Complaints in Russian, Polish, Dutch, Turkish, Indonesian and Korean are
// read in their language, with its lexicon: negative, each raising
// negative_mention, none counted as unscored.
TEST_F(PipelineTest, ComplaintsInTheAddedLanguagesRaiseNegativeMentionAlerts) {
  // One brand per complaint: a brand's negative_mention alerts cool down.
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true},
      {"name": "globex", "publish_mentions": true}, {"name": "initech", "publish_mentions": true},
      {"name": "umbrella", "publish_mentions": true}, {"name": "hooli", "publish_mentions": true},
      {"name": "soylent", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("1", "Acme — ужасный сервис, деньги так и не вернули, больше никогда не куплю"),
            Make("2", "Globex to najgorsza firma, towar zepsuty i nikt nie odpowiada na reklamację"),
            Make("3", "Initech is echt waardeloos, de bestelling is kapot en niemand reageert op mijn klacht"),
            Make("4", "Umbrella berbat bir firma, paramı geri vermediler, çok kötü"),
            Make("5", "Pelayanan Hooli sangat buruk, saya kecewa sekali"),
            Make("6", "Soylent 서비스가 최악이에요, 정말 실망했어요")});
  ASSERT_EQ(sink_.mentions.size(), 6u);
  std::vector<std::string> langs;
  for (const auto& m : sink_.mentions) {
    langs.push_back(m.lang);
    EXPECT_TRUE(m.sentiment.scored) << m.mention.text;
    EXPECT_EQ(m.sentiment.label, "negative") << m.mention.text;
  }
  EXPECT_EQ(langs, (std::vector<std::string>{"ru", "pl", "nl", "tr", "id", "ko"}));
  std::set<std::string> alerted;
  for (const auto& a : sink_.alerts) {
    if (a.rule == "negative_mention") alerted.insert(a.brand);
  }
  EXPECT_EQ(alerted, (std::set<std::string>{"acme", "globex", "hooli", "initech", "soylent", "umbrella"}));
  EXPECT_TRUE(p->Stats().unscored_by_lang.empty());
}

// Thai and Greek have no lexicon: their mentions keep their language, are
// marked unscored rather than read as English and neutral, raise no
// sentiment alert, and are counted per language.
TEST_F(PipelineTest, MentionsInALanguageWithoutALexiconAreUnscoredAndCounted) {
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("1", "บริการของ Acme แย่มาก ไม่พอใจเลย คืนเงินด้วย"),
            Make("2", "Η εξυπηρέτηση της Acme ήταν απαίσια, δεν θα ξαναγοράσω ποτέ")});
  ASSERT_EQ(sink_.mentions.size(), 2u);
  std::vector<std::string> langs;
  for (const auto& m : sink_.mentions) {
    langs.push_back(m.lang);
    EXPECT_FALSE(m.sentiment.scored) << m.mention.text;
    EXPECT_EQ(m.sentiment.compound, 0.0) << m.mention.text;
  }
  EXPECT_EQ(langs, (std::vector<std::string>{"th", "el"}));
  for (const auto& a : sink_.alerts) EXPECT_NE(a.rule, "negative_mention") << a.summary;
  PipelineStats stats = p->Stats();
  EXPECT_EQ(stats.unscored_by_lang, (std::map<std::string, uint64_t>{{"el", 1}, {"th", 1}}));
}

// What /metrics shows of the pipeline: the sentiment stored per brand, how
// long a poll waited for its commit, each commit's time.
TEST_F(PipelineTest, StatsHoldTheSentimentAndTheTimesOfEachCommit) {
  settings::Settings settings = Load(R"([{"name": "acme"}, {"name": "globex"}])");
  auto p = Open(settings);
  settings::SourceSettings src;
  src.name = "social";
  scheduler::PollResult r;
  r.mentions = {Make("1", "Acme support is terrible and awful, I hate it"),
                Make("2", "I love my Acme kettle, it is wonderful"), Make("3", "I love my Acme toaster")};
  r.state.source = "social";
  p->Submit(src, std::move(r));
  clock_.Advance(std::chrono::seconds(2));
  p->Flush();
  PipelineStats stats = p->Stats();
  ASSERT_EQ(stats.compound_by_brand.size(), 1u) << "globex stored nothing";
  const CompoundHistogram& acme = stats.compound_by_brand["acme"];
  EXPECT_EQ(acme.count(), 3u);
  uint64_t negative = 0;
  for (size_t i = 0; kCompoundBounds[i] < 0; ++i) negative += acme.counts[i];
  EXPECT_EQ(negative, 1u);
  EXPECT_EQ(acme.counts.back(), 0u) << "a compound is at most 1";
  EXPECT_GT(acme.sum, 0) << "two positive, one negative";
  // The fake clock stands still while the store writes: the poll waited the
  // 2 s it was held, each commit took no time.
  EXPECT_EQ(stats.batch_seconds.count(), 1u);
  EXPECT_DOUBLE_EQ(stats.batch_seconds.sum, 2.0);
  EXPECT_EQ(stats.batch_seconds.counts[10], 1u) << "in the bucket le=2.5";
  EXPECT_GE(stats.commit_seconds.count(), 1u);
  EXPECT_EQ(stats.commit_seconds.counts[0], stats.commit_seconds.count());
  EXPECT_EQ(stats.batches_to_score + stats.batches_scored, 0u);
}

// A comment on a brand's own post belongs to the brand whether it names it
// or not; a reply to someone else does not.
TEST_F(PipelineTest, ARepliesToABrandsOwnAccountIsItsMentionEvenWithoutItsName) {
  settings::Settings settings = Load(
      R"([{"name": "acme", "handles": ["@acmecorp"], "publish_mentions": true},
          {"name": "globex", "handles": ["@globex"], "publish_mentions": true}])");
  auto p = Open(settings);
  Mention reply = Make("1", "when will you restock the blue one?");
  reply.reply_to = "AcmeCorp";
  Mention other = Make("2", "when will you restock the blue one?");
  other.reply_to = "@initech";
  Mention both = Make("3", "globex does it better");
  both.reply_to = "@acmecorp";
  Poll(*p, {reply, other, both});
  std::vector<std::string> got;
  for (const auto& m : sink_.mentions) got.push_back(m.mention.id + " " + m.brand);
  EXPECT_EQ(got, (std::vector<std::string>{"1 acme", "3 acme", "3 globex"}));
  EXPECT_EQ(p->Stats().unmatched, 1u);
}

TEST_F(PipelineTest, SeenMentionsAreDroppedBeforeScoringEvenAcrossRestarts) {
  settings::Settings settings = Load(R"([{"name": "acme"}])");
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

scheduler::PollResult Result(std::vector<Mention> mentions, const std::string& cursor) {
  scheduler::PollResult r;
  r.mentions = std::move(mentions);
  r.state.source = "social";
  r.state.cursor = {{"cursor", cursor}};
  return r;
}

TEST_F(PipelineTest, QueuedPollsAreStoredOnceInOrderWithTheLastSourceState) {
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  settings::SourceSettings src;
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
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  p->Start();
  settings::SourceSettings src;
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
      settings::Settings more = Load(R"([{"name": "acme", "publish_mentions": true}, {"name": "weather"}])");
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
  auto settings = settings::LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  auto p = Open(*settings);
  Poll(*p, {Make("old-1", "acme is awful"), Make("old-2", "acme again"), Make("old-3", "weather")});
  ASSERT_EQ(sink_.mentions.size(), 2u);
  size_t alerts_before = sink_.alerts.size();
  p->Start();
  settings::SourceSettings src;
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
  settings::Settings plain = Load(R"([{"name": "skateco", "publish_mentions": true}])");
  settings::Settings tuned = Load(R"([{"name": "skateco", "publish_mentions": true, "lexicon": {"sick": 3}}])");
  auto p = Open(plain);
  Poll(*p, {Make("a", "the new skateco deck is sick")});
  p->ApplySettings(tuned);
  Poll(*p, {Make("b", "the new skateco deck is sick")});
  ASSERT_EQ(sink_.mentions.size(), 2u);
  EXPECT_LT(sink_.mentions[0].sentiment.compound, 0);
  EXPECT_GT(sink_.mentions[1].sentiment.compound, 0.05);
}

TEST_F(PipelineTest, BrandTargetedScoreJudgesTheBrandsSentence) {
  settings::Settings settings = Load(R"([{"name": "acme", "publish_mentions": true}])");
  auto p = Open(settings);
  Poll(*p, {Make("t", "Their rival is awful. But Acme was great.")});
  ASSERT_EQ(sink_.mentions.size(), 1u);
  ASSERT_TRUE(sink_.mentions[0].sentiment.target.has_value());
  EXPECT_GT(*sink_.mentions[0].sentiment.target, 0.05);
}

// --- A failing store: nothing acknowledged before it is durable ---

// A source with a read position, as a file offset, a cursor or an HTTP
// validator: each poll returns the next kPerPoll items after its position
// and the position after them (as a cursor and as an ETag). Every third item is a complaint, every fourth a question,
// each from its own author, so that every alert belongs to one item whatever the clock.
class PositionedSource {
 public:
  static constexpr int kItems = 18;
  static constexpr int kPerPoll = 3;

  bool done() const { return position_ >= kItems; }
  // Loads the position the store remembers, as the engine does at start.
  void Restore(const Pipeline& p) {
    position_ = 0;
    if (auto st = p.SourceState("social")) {
      for (const auto& [k, v] : st->cursor) {
        if (k == "position") position_ = std::stoi(v);
      }
    }
  }
  scheduler::PollResult Poll() {
    scheduler::PollResult r;
    for (int i = position_; i < std::min(kItems, position_ + kPerPoll); ++i) {
      std::string text = i % 3 == 0   ? "acme is awful, item " + std::to_string(i) + " broke"
                         : i % 4 == 1 ? "does acme ship to Spain? item " + std::to_string(i)
                                      : "acme item " + std::to_string(i);
      r.mentions.push_back(Make("item-" + std::to_string(i), text, "author-" + std::to_string(i)));
    }
    position_ = std::min(kItems, position_ + kPerPoll);
    r.state.source = "social";
    r.state.cursor = {{"position", std::to_string(position_)}};
    r.state.etag = "\"v" + std::to_string(position_) + "\"";
    return r;
  }

 private:
  int position_ = 0;
};

// Fails every transaction at each of its steps in turn with `code` (its first
// attempt at step 0, the next at step 1, ..., the last right before COMMIT),
// then lets it through: each commit fails as many times in a row as it has
// steps, at every point of it.
struct EveryStepFaults {
  int code = SQLITE_FULL;
  int fail_at = 0;
  bool failed_last = false;
  int failures = 0;
  int operator()(int step) {
    if (step == 0) {
      if (!failed_last) fail_at = 0;
      failed_last = false;
    }
    if (step != fail_at) return SQLITE_OK;
    ++fail_at;
    failed_last = true;
    ++failures;
    return code;
  }
};

// What a run left: the store's mentions and journal, read back after it.
struct Outcome {
  std::vector<std::string> mention_ids;  // in row order
  std::vector<store::JournalEntry> journal;
  std::set<std::string> mention_alert_keys;  // dedupe keys of the alerts about one mention
  std::optional<store::SourceState> state;
};

class PipelineFaultTest : public PipelineTest, public ::testing::WithParamInterface<int> {
 protected:
  // One poll per transaction, so that a poll can wait behind a failed one.
  settings::Settings FaultSettings() {
    std::string conf = dir_.Write("c.json", R"({"store": {"batch_max_mentions": 3},
        "brands": [{"name": "acme", "publish_mentions": true}]})");
    auto s = settings::LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }

  // Polls `source` as the engine does: two polls are handed over at a time,
  // and no poll starts while the store fails; the clock is moved past each
  // retry's time. Stops after `max_polls` polls (-1: until the source is
  // read to the end and everything written).
  void Drive(Pipeline& p, PositionedSource& source, int max_polls = -1) {
    settings::SourceSettings src;
    src.name = "social";
    int polls = 0;
    for (int round = 0; round < 10000; ++round) {
      if (p.Stats().store_failing) {
        clock_.Advance(std::chrono::seconds(6));
        p.Flush();
        continue;
      }
      if (source.done() || polls == max_polls) return;
      for (int k = 0; k < 2 && !source.done() && polls != max_polls; ++k, ++polls) p.Submit(src, source.Poll());
      p.Flush();
    }
    FAIL() << "the store never recovered";
  }

  Outcome Read(const settings::Settings& settings, const TempDir& dir) {
    Outcome out;
    auto st = store::Store::Open(settings.store, dir.path().string(), clock_, threads_);
    EXPECT_TRUE(st.ok()) << st.status().message();
    if (!st.ok()) return out;
    auto mentions = (*st)->ReadMentions(0, 1000);
    for (const auto& m : *mentions) out.mention_ids.push_back(m.scored.mention.id);
    out.journal = *(*st)->ReadSince(0, "", 1000);
    auto loaded = (*st)->LoadSourceState("social");
    if (loaded.ok()) out.state = *loaded;
    return out;
  }

  // The journal holds each alert once, with seqs 1..n, and the sink got
  // exactly those, in that order.
  void ExpectPublishedOnceInOrder(Outcome& out) {
    ASSERT_EQ(sink_.alerts.size(), out.journal.size()) << "every journaled alert is published exactly once";
    for (size_t i = 0; i < out.journal.size(); ++i) {
      EXPECT_EQ(out.journal[i].seq, i + 1) << "seqs are contiguous";
      EXPECT_EQ(sink_.alerts[i].seq, out.journal[i].seq);
      EXPECT_EQ(AlertToJson(sink_.alerts[i]), out.journal[i].payload) << "published as journaled";
      if (sink_.alerts[i].dedupe_key.find("|social|") != std::string::npos) {
        EXPECT_TRUE(out.mention_alert_keys.insert(sink_.alerts[i].dedupe_key).second) << "alerted once";
      }
    }
  }

  // What a run without faults leaves; the reference for the others.
  Outcome Baseline(const settings::Settings& settings) {
    TempDir dir;
    RecordingSink sink;
    auto p = Pipeline::Create(settings, dir.path().string(), clock_, threads_, &sink);
    EXPECT_TRUE(p.ok());
    PositionedSource source;
    settings::SourceSettings src;
    src.name = "social";
    while (!source.done()) (*p)->Submit(src, source.Poll());
    (*p)->Flush();
    Outcome out;
    for (const auto& m : sink.mentions) out.mention_ids.push_back(m.mention.id);
    for (const auto& a : sink.alerts) {
      if (a.dedupe_key.find("|social|") != std::string::npos) out.mention_alert_keys.insert(a.dedupe_key);
    }
    return out;
  }
};

TEST_P(PipelineFaultTest, EveryCommitFailingAtEveryStepIsRetriedAndLosesOrRepeatsNothing) {
  settings::Settings settings = FaultSettings();
  Outcome expected = Baseline(settings);
  ASSERT_EQ(expected.mention_ids.size(), static_cast<size_t>(PositionedSource::kItems));
  ASSERT_GE(expected.mention_alert_keys.size(), 6u);

  auto p = Open(settings);
  EveryStepFaults faults{GetParam()};
  p->SetStoreFaultHookForTesting([&](int step) { return faults(step); });
  std::vector<bool> store_states;
  p->SetStoreStateListener([&](bool failing) { store_states.push_back(failing); });
  PositionedSource source;
  Drive(*p, source);
  PipelineStats stats = p->Stats();
  EXPECT_GT(faults.failures, 6 * 10) << "each commit failed at each of its steps";
  EXPECT_EQ(stats.write_errors, static_cast<uint64_t>(faults.failures));
  EXPECT_FALSE(stats.store_failing);
  EXPECT_FALSE(stats.oldest_pending_since);
  EXPECT_NE(stats.last_store_error.find("injected fault"), std::string::npos) << stats.last_store_error;
  p->Stop();

  Outcome out = Read(settings, dir_);
  EXPECT_EQ(out.mention_ids, expected.mention_ids) << "every item stored exactly once, in order";
  ExpectPublishedOnceInOrder(out);
  EXPECT_EQ(out.mention_alert_keys, expected.mention_alert_keys) << "the same alerts as without faults";
  std::vector<std::string> published;
  for (const auto& m : sink_.mentions) published.push_back(m.mention.id);
  EXPECT_EQ(published, expected.mention_ids) << "mentions are published once, after their commit";
  ASSERT_TRUE(out.state);
  EXPECT_EQ(out.state->cursor, (std::vector<std::pair<std::string, std::string>>{{"position", "18"}}));
  EXPECT_TRUE(!store_states.empty() && store_states.front() && !store_states.back())
      << "the engine is told when to hold polls and when to resume";
}

TEST_P(PipelineFaultTest, ARestartWhileACommitFailsReadsItsItemsAgainFromTheOldPosition) {
  settings::Settings settings = FaultSettings();
  Outcome expected = Baseline(settings);
  // The store fails for good after `healthy` commits; the daemon stops
  // (giving up on what waits) and starts again on a store that works.
  for (int healthy : {0, 1, 2, 4, 7}) {
    SCOPED_TRACE("store fails after " + std::to_string(healthy) + " commits");
    TempDir state;
    sink_ = RecordingSink();
    std::string before;       // the position persisted when the store started failing
    std::string etag_before;  // and the validator
    {
      auto p = OpenIn(settings, state);
      std::atomic<int> commits{0};
      std::atomic<bool> broken{false};
      p->SetStoreFaultHookForTesting([&](int step) {
        if (step == 0 && !broken && commits++ == healthy) broken = true;
        return broken ? GetParam() : SQLITE_OK;
      });
      PositionedSource source;
      settings::SourceSettings src;
      src.name = "social";
      for (int polls = 0; polls < 12 && !p->Stats().store_failing; polls += 2) {
        p->Submit(src, source.Poll());
        p->Submit(src, source.Poll());
        p->Flush();
      }
      ASSERT_TRUE(p->Stats().store_failing);
      if (auto st = p->SourceState("social")) {
        before = st->cursor.front().second;
        etag_before = st->etag;
      }
      p->Stop();  // the failed commit and what waits behind it are dropped
    }
    size_t published_before = sink_.alerts.size();
    auto p = OpenIn(settings, state);
    PositionedSource source;
    source.Restore(*p);
    auto persisted = p->SourceState("social");
    EXPECT_EQ(persisted ? persisted->cursor.front().second : "", before)
        << "the position did not move past what was written";
    EXPECT_EQ(persisted ? persisted->etag : "", etag_before) << "nor did the HTTP validator";
    Drive(*p, source);
    p->Stop();
    Outcome out = Read(settings, state);
    EXPECT_EQ(out.mention_ids, expected.mention_ids) << "every item stored exactly once across the restart";
    ExpectPublishedOnceInOrder(out);
    EXPECT_EQ(out.mention_alert_keys, expected.mention_alert_keys);
    EXPECT_LE(published_before, sink_.alerts.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Codes, PipelineFaultTest, ::testing::Values(SQLITE_FULL, SQLITE_BUSY, SQLITE_IOERR),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SQLITE_FULL   ? "DiskFull"
                                              : info.param == SQLITE_BUSY ? "Busy"
                                                                          : "IoError");
                         });

TEST_F(PipelineTest, AStartedPipelineHoldsEverythingBehindAFailedCommitUntilItIsWritten) {
  std::string conf = dir_.Write("c.json", R"({"store": {"batch_max_mentions": 3},
      "brands": [{"name": "acme", "publish_mentions": true}]})");
  auto settings = settings::LoadSettings(conf, config::ProcessEnv(), plugin::BuiltinRegistry());
  ASSERT_TRUE(settings.ok());
  auto p = Open(*settings);
  std::atomic<int> failures{0};
  std::atomic<bool> fail{true};
  p->SetStoreFaultHookForTesting([&](int step) {
    if (step != 0 || !fail) return SQLITE_OK;
    ++failures;
    return SQLITE_BUSY;
  });
  std::atomic<int> transitions{0};
  p->SetStoreStateListener([&](bool) { ++transitions; });
  p->Start();
  PositionedSource source;
  settings::SourceSettings src;
  src.name = "social";
  while (!source.done()) p->Submit(src, source.Poll());
  p->Flush();  // returns once the first commit waits for its retry time
  PipelineStats stats = p->Stats();
  EXPECT_TRUE(stats.store_failing);
  ASSERT_TRUE(stats.oldest_pending_since);
  EXPECT_EQ(stats.mentions_stored, 0u);
  EXPECT_TRUE(sink_.alerts.empty()) << "nothing is published before it is written";
  // The same commit is retried, with backoff, until the store writes again.
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::seconds(6));
    p->Flush();
  }
  EXPECT_GE(failures.load(), 4);
  EXPECT_TRUE(p->Stats().store_failing);
  EXPECT_EQ(p->Stats().mentions_stored, 0u);
  fail = false;
  clock_.Advance(std::chrono::seconds(6));
  p->Flush();
  p->Stop();
  stats = p->Stats();
  EXPECT_FALSE(stats.store_failing);
  EXPECT_EQ(stats.mentions_stored, static_cast<uint64_t>(PositionedSource::kItems));
  EXPECT_EQ(transitions.load(), 2);
  std::vector<std::string> ids;
  for (const auto& m : sink_.mentions) ids.push_back(m.mention.id);
  ASSERT_EQ(ids.size(), static_cast<size_t>(PositionedSource::kItems));
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], "item-" + std::to_string(i)) << "in order";
  for (size_t i = 0; i < sink_.alerts.size(); ++i) EXPECT_EQ(sink_.alerts[i].seq, i + 1);
  EXPECT_EQ(p->SourceState("social")->cursor.front().second, "18");
}

TEST_F(PipelineTest, AReloadWhileTheStoreFailsAppliesOnceItWritesAgain) {
  settings::Settings acme = Load(R"([{"name": "acme", "publish_mentions": true}])");
  settings::Settings both =
      Load(R"([{"name": "acme", "publish_mentions": true}, {"name": "globex", "publish_mentions": true}])");
  auto p = Open(acme);
  bool fail = true;
  p->SetStoreFaultHookForTesting([&](int) { return fail ? SQLITE_IOERR : SQLITE_OK; });
  Poll(*p, {Make("1", "acme one")});
  ASSERT_TRUE(p->Stats().store_failing);
  p->ApplySettings(both);
  Poll(*p, {Make("2", "globex two")});
  EXPECT_TRUE(sink_.mentions.empty());
  fail = false;
  clock_.Advance(std::chrono::seconds(6));
  p->Flush();
  EXPECT_FALSE(p->Stats().store_failing);
  std::vector<std::string> brands;
  for (const auto& m : sink_.mentions) brands.push_back(m.mention.id + ":" + m.brand);
  EXPECT_EQ(brands, (std::vector<std::string>{"1:acme", "2:globex"})) << "the reload applies to the polls after it";
}

}  // namespace
}  // namespace brandmon::pipeline

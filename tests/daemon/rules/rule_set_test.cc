#include "daemon/rules/rule_set.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>

#include "daemon/store/store.h"

namespace brandmon::rules {
namespace {

constexpr auto kBucket = std::chrono::minutes(15);

BrandRules Acme() {
  BrandRules b;
  b.name = "acme";
  b.handles = {"@acmecorp"};
  b.hashtags = {"#acme"};
  b.options = DefaultRulesOptions();
  return b;
}

ScoredMention M(std::string id, std::string text, double compound = 0, std::string author = "bob") {
  ScoredMention m;
  m.brand = "acme";
  m.mention.source = "feed";
  m.mention.channel = "reddit";
  m.mention.id = std::move(id);
  m.mention.text = std::move(text);
  m.mention.author = std::move(author);
  m.sentiment.compound = compound;
  m.sentiment.label = std::string(SentimentLabel(compound));
  m.matched_terms = {"acme"};
  return m;
}

std::vector<std::string> Rules(const std::vector<Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.channel.empty() ? a.rule : a.rule + "/" + a.channel);
  return out;
}

using Strings = std::vector<std::string>;

// ---- Mention rules ----------------------------------------------------------

struct MentionCase {
  const char* name;
  ScoredMention mention;
  Strings rules;
  Severity severity = Severity::kInfo;  // of the first alert
};

ScoredMention With(ScoredMention m, std::initializer_list<std::pair<const char*, double>> metrics,
                   std::optional<double> target = std::nullopt, std::string lang = "") {
  for (const auto& [k, v] : metrics) m.mention.SetMetric(k, v);
  m.sentiment.target = target;
  m.lang = std::move(lang);
  return m;
}

TEST(RuleSetMentionRulesTest, EachMentionRaisesExactlyItsAlerts) {
  const MentionCase cases[] = {
      {"neutral chatter", M("1", "acme is fine I guess", 0), {}},
      {"negative", M("1", "acme ruined my day", -0.7), {"negative_mention"}, Severity::kInfo},
      {"negative with reach",
       With(M("1", "acme ruined my day", -0.7), {{"followers", 5000}}),
       {"negative_mention"},
       Severity::kWarning},
      {"negative with huge reach",
       With(M("1", "acme ruined my day", -0.7), {{"likes", 250000}}),
       {"negative_mention"},
       Severity::kCritical},
      {"targeted score wins", With(M("1", "great day, but acme broke", 0.4), {}, -0.6), {"negative_mention"}},
      {"negative text, brand not the target", With(M("1", "awful storm, acme umbrellas held", -0.6), {}, 0.3), {}},
      {"handle and question", M("1", "@AcmeCorp how do I reset my password?", 0), {"needs_reply"}},
      {"question cue", M("1", "does anyone know if acme ships to Canada", 0), {"needs_reply"}},
      {"name with question mark", M("1", "Acme, are you open on Sunday?", 0), {"needs_reply"}},
      {"question mark without the brand", M("1", "what a game tonight? acme-sponsored", 0), {}},
      {"complaint", M("1", "still waiting for my acme order", -0.3), {"needs_reply"}, Severity::kWarning},
      {"complaint to the handle",
       M("1", "@acmecorp still waiting for a reply", 0.1),
       {"needs_reply"},
       Severity::kWarning},
      {"angry at the handle", M("1", "@acmecorp you again", -0.6), {"negative_mention", "needs_reply"}},
      {"low rating", With(M("1", "meh", 0), {{"rating", 2}}), {"needs_reply"}, Severity::kWarning},
      {"one star",
       With(M("1", "bad acme kettle", -0.6), {{"rating", 1}}),
       {"negative_mention", "needs_reply"},
       Severity::kWarning},
      {"french complaint",
       With(M("1", "Toujours en attente de ma commande acme", -0.1), {}, std::nullopt, "fr"),
       {"needs_reply"},
       Severity::kWarning},
      {"praise with reach", With(M("1", "Love acme, best purchase ever!", 0.9), {{"followers", 5000}}), {"praise"}},
      {"praise without reach", M("1", "Love acme, best purchase ever!", 0.9), {}},
      {"crisis term", M("1", "Acme announces recall of blenders", 0), {"keyword"}, Severity::kWarning},
      {"crisis phrase", M("1", "Acme faces a Class Action", 0), {"keyword"}, Severity::kWarning},
      {"not a whole word", M("1", "scammers love acme gift cards", 0), {}},
      {"hostile bytes",
       M("1", std::string("acme\0\xFF\xC3 recall?\xE2\x80", 17), -1),
       {"negative_mention", "needs_reply", "keyword"}},
  };
  for (const MentionCase& c : cases) {
    FakeClock clock;
    RuleSet rules({Acme()}, clock);
    std::vector<Alert> alerts = rules.Process({c.mention});
    EXPECT_EQ(Rules(alerts), c.rules) << c.name;
    if (!alerts.empty()) {
      EXPECT_EQ(alerts[0].severity, c.severity) << c.name;
      EXPECT_EQ(alerts[0].mentions.size(), 1u) << c.name;
      EXPECT_FALSE(alerts[0].summary.empty()) << c.name;
      EXPECT_EQ(alerts[0].summary.find('\n'), std::string::npos) << c.name;
    }
  }
}

TEST(RuleSetMentionRulesTest, KeywordAlertListsEveryTermOnce) {
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  auto alerts = rules.Process({M("1", "Recall now, lawsuit next: acme RECALL", 0)});
  ASSERT_EQ(Rules(alerts), Strings{"keyword"});
  ASSERT_EQ(alerts[0].terms.size(), 2u);
  EXPECT_EQ(alerts[0].terms[0].term, "recall");
  EXPECT_EQ(alerts[0].terms[1].term, "lawsuit");
  EXPECT_EQ(*alerts[0].Figure("terms"), 2);
}

TEST(RuleSetMentionRulesTest, CustomTermsAndCuesAndDisabledRules) {
  BrandRules b = Acme();
  b.options.keyword.terms = {"melted"};
  b.options.needs_reply.question_cues = {"any eta"};
  b.options.negative_mention.enabled = false;
  FakeClock clock;
  RuleSet rules({b}, clock);
  EXPECT_EQ(Rules(rules.Process({M("1", "my acme recall notice melted", -0.9)})), Strings{"keyword"});
  EXPECT_EQ(Rules(rules.Process({M("2", "acme order, any ETA", 0, "eve")})), Strings{"needs_reply"});
}

TEST(RuleSetMentionRulesTest, CooldownsHoldPerAuthorAndPerTerm) {
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  EXPECT_EQ(Rules(rules.Process({M("1", "acme is awful", -0.8, "bob")})), Strings{"negative_mention"});
  clock.Advance(std::chrono::minutes(10));
  EXPECT_EQ(Rules(rules.Process({M("2", "acme is still awful", -0.8, "bob")})), Strings{});
  EXPECT_EQ(Rules(rules.Process({M("3", "acme is awful", -0.8, "ann")})), Strings{"negative_mention"});
  clock.Advance(std::chrono::minutes(21));
  EXPECT_EQ(Rules(rules.Process({M("4", "acme is awful", -0.8, "bob")})), Strings{"negative_mention"});

  EXPECT_EQ(Rules(rules.Process({M("5", "acme outage again", 0, "cy")})), Strings{"keyword"});
  EXPECT_EQ(Rules(rules.Process({M("6", "acme outage, yes", 0, "dee")})), Strings{});
  EXPECT_EQ(Rules(rules.Process({M("7", "acme outage and a lawsuit", 0, "eve")})), Strings{"keyword"});
}

// The verdict names the cooldown that keeps a rule quiet, and until when.
TEST(RuleSetMentionRulesTest, TheVerdictNamesTheCooldownThatHoldsTheRuleBack) {
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  auto verdict = [&](const ScoredMention& m, const std::string& rule) {
    for (auto& [name, v] : rules.Judge(m, rules.Prepare(m))) {
      if (name == rule) return v;
    }
    return Verdict{};
  };
  ScoredMention awful = M("1", "acme is awful", -0.8, "bob");
  Verdict before = verdict(awful, "negative_mention");
  EXPECT_TRUE(before.alert);
  EXPECT_EQ(before.cooldowns, Strings{"negative_mention|author:feed/bob"});
  EXPECT_TRUE(before.held.empty());
  EXPECT_EQ(Rules(rules.Process({awful})), Strings{"negative_mention"});
  clock.Advance(std::chrono::minutes(10));
  Verdict after = verdict(M("2", "acme is still awful", -0.8, "bob"), "negative_mention");
  EXPECT_TRUE(after.alert) << "the verdict is the rule's, its cooldown aside";
  EXPECT_EQ(after.held, "negative_mention|author:feed/bob");
  EXPECT_EQ(after.held_until_ms, ToUnixMillis(clock.Now()) + 20 * 60'000) << "30 minutes after the alert";
  EXPECT_TRUE(verdict(M("3", "acme is awful", -0.8, "ann"), "negative_mention").held.empty()) << "another author";
  EXPECT_TRUE(verdict(M("4", "acme is fine", 0, "bob"), "negative_mention").cooldowns.empty()) << "no alert";

  EXPECT_EQ(Rules(rules.Process({M("5", "acme outage again", 0, "cy")})), Strings{"keyword"});
  EXPECT_EQ(verdict(M("6", "acme outage, yes", 0, "dee"), "keyword").held, "keyword|outage");
  Verdict two = verdict(M("7", "acme outage and a lawsuit", 0, "eve"), "keyword");
  EXPECT_EQ(two.cooldowns.size(), 2u);
  EXPECT_TRUE(two.held.empty()) << "a term not cooling down still alerts";
}

TEST(RuleSetMentionRulesTest, DedupeKeyNamesTheEvent) {
  FakeClock clock;
  RuleSet first({Acme()}, clock), second({Acme()}, clock);
  auto a = first.Process({M("1", "acme is awful", -0.8)});
  auto b = second.Process({M("1", "acme is awful", -0.8)});
  auto c = second.Process({M("2", "acme is awful", -0.8, "ann")});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(a[0].dedupe_key, b[0].dedupe_key);
  EXPECT_NE(a[0].dedupe_key, c[0].dedupe_key);
}

TEST(RuleSetMentionRulesTest, UnknownBrandsAreIgnored) {
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  ScoredMention m = M("1", "globex recall scam", -0.9);
  m.brand = "globex";
  EXPECT_TRUE(rules.Process({m}).empty());
}

// ---- Trend rules through the rule set -----------------------------------------

// `neutral` chatter and `negative` storm posts for one 15-minute bucket.
std::vector<ScoredMention> Poll(int bucket, int neutral, int negative) {
  std::vector<ScoredMention> out;
  for (int k = 0; k < neutral + negative; ++k) {
    std::string id = std::to_string(bucket) + "-" + std::to_string(k);
    bool neg = k >= neutral;
    out.push_back(
        M(id, neg ? "acme recall is a disaster " + id : "acme widget chat " + id, neg ? -0.8 : 0, "user" + id));
  }
  return out;
}

struct Step {
  int neutral;
  int negative;
};

// 32 steady buckets (8 hours), a negative storm, then calm.
std::vector<Step> StormStream() {
  std::vector<Step> s;
  for (int i = 0; i < 32; ++i) s.push_back({18 + (i * 3) % 5, 0});
  s.push_back({20, 30});
  for (int i = 0; i < 8; ++i) s.push_back({18 + (i * 3) % 5, 0});
  return s;
}

BrandRules StormBrand() {
  BrandRules b = Acme();
  b.options.negative_mention.enabled = false;  // one alert per storm post would drown the trend alerts
  return b;
}

// The alerts of each step, as "rule/channel" strings, keyed by step.
std::map<int, Strings> RunStream(RuleSet& rules, FakeClock& clock, const std::vector<Step>& steps) {
  std::map<int, Strings> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    clock.SetNow(FromUnixMillis(1'767'225'600'000) + kBucket * static_cast<int>(i) + std::chrono::minutes(1));
    auto alerts = rules.Process(Poll(static_cast<int>(i), steps[i].neutral, steps[i].negative));
    if (!alerts.empty()) out[static_cast<int>(i)] = Rules(alerts);
  }
  return out;
}

TEST(RuleSetTrendTest, StormRaisesSpikesKeywordTermsAndAllClearAndNothingElse) {
  FakeClock clock;
  RuleSet rules({StormBrand()}, clock);
  std::map<int, Strings> expected = {
      {32, {"keyword"}},
      {33, {"volume_spike", "volume_spike/reddit", "negative_spike", "negative_spike/reddit"}},
      {35, {"volume_spike_clear", "volume_spike_clear/reddit", "negative_spike_clear", "negative_spike_clear/reddit"}},
      {36, {"emerging_terms"}},
  };
  EXPECT_EQ(RunStream(rules, clock, StormStream()), expected);
}

TEST(RuleSetTrendTest, AlertsCarryFiguresTermsAndExamples) {
  FakeClock clock;
  RuleSet rules({StormBrand()}, clock);
  std::vector<Alert> all;
  auto steps = StormStream();
  for (size_t i = 0; i < steps.size(); ++i) {
    clock.SetNow(FromUnixMillis(1'767'225'600'000) + kBucket * static_cast<int>(i) + std::chrono::minutes(1));
    for (auto& a : rules.Process(Poll(static_cast<int>(i), steps[i].neutral, steps[i].negative))) all.push_back(a);
  }
  auto find = [&](const std::string& rule, const std::string& channel) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Alert& a) { return a.rule == rule && a.channel == channel; });
    EXPECT_NE(it, all.end()) << rule;
    return it == all.end() ? Alert{} : *it;
  };
  Alert neg = find("negative_spike", "");
  EXPECT_EQ(*neg.Figure("count"), 30);
  EXPECT_EQ(*neg.Figure("baseline_median"), 0);
  EXPECT_EQ(neg.mentions.size(), 3u);
  EXPECT_EQ(neg.severity, Severity::kCritical);
  Alert vol = find("volume_spike", "reddit");
  EXPECT_EQ(*vol.Figure("count"), 50);
  EXPECT_EQ(*vol.Figure("baseline_median"), 20);
  Alert clear = find("volume_spike_clear", "");
  EXPECT_EQ(clear.severity, Severity::kInfo);
  EXPECT_EQ(*clear.Figure("peak"), 50);
  EXPECT_EQ(clear.dedupe_key.substr(0, 24), "acme|volume_spike_clear|");
  Alert terms = find("emerging_terms", "");
  ASSERT_EQ(terms.terms.size(), 2u);
  EXPECT_EQ(terms.terms[0].term, "disaster");
  EXPECT_EQ(terms.terms[0].count, 30);
  EXPECT_EQ(terms.terms[1].term, "recall");
  std::set<std::string> keys;
  for (const auto& a : all) EXPECT_TRUE(keys.insert(a.dedupe_key).second) << a.dedupe_key;
}

TEST(RuleSetTrendTest, SlowClimbAndSteadyTrafficRaiseNothing) {
  std::vector<Step> climb;
  for (int i = 0; i < 40; ++i) climb.push_back({18 + (i * 3) % 5, 0});
  for (int i = 0; i < 40; ++i) climb.push_back({20 + i, 0});
  FakeClock clock;
  RuleSet rules({StormBrand()}, clock);
  EXPECT_EQ(RunStream(rules, clock, climb), (std::map<int, Strings>{}));
}

TEST(RuleSetTrendTest, QuietPeriodIsADipOnlyWhenAskedAndEndsWithAllClear) {
  for (bool dips : {false, true}) {
    BrandRules b = StormBrand();
    b.options.volume_spike.dips = dips;
    b.options.volume_spike.per_channel = false;
    b.options.emerging_terms.enabled = false;
    FakeClock clock;
    RuleSet rules({b}, clock);
    std::vector<Step> steps;
    for (int i = 0; i < 20; ++i) steps.push_back({18 + (i * 3) % 5, 0});
    std::map<int, Strings> got = RunStream(rules, clock, steps);
    // Silence: the daemon only ticks for three buckets.
    for (int i = 0; i < 3; ++i) {
      clock.Advance(kBucket);
      for (const auto& r : Rules(rules.Tick())) got[20 + i].push_back(r);
    }
    for (int i = 0; i < 4; ++i) {
      clock.Advance(kBucket);
      for (const auto& r : Rules(rules.Process(Poll(100 + i, 20, 0)))) got[23 + i].push_back(r);
    }
    std::map<int, Strings> expected;
    if (dips) expected = {{21, {"volume_dip"}}, {25, {"volume_dip_clear"}}};
    EXPECT_EQ(got, expected) << "dips " << dips;
  }
}

TEST(RuleSetTrendTest, SentimentShiftFiresOnceWhenTheMoodTurns) {
  BrandRules b = StormBrand();
  b.options.needs_reply.enabled = false;
  b.options.keyword.enabled = false;
  b.options.emerging_terms.enabled = false;
  b.options.negative_spike.enabled = false;
  FakeClock clock;
  RuleSet rules({b}, clock);
  std::vector<Step> steps;
  for (int i = 0; i < 4 * 30; ++i) steps.push_back({10, 0});
  for (int i = 0; i < 4 * 4; ++i) steps.push_back({5, 5});  // average 0 -> -0.4, volume unchanged
  // The recent 3 hours average -0.4 once the third bad hour closes.
  std::map<int, Strings> expected = {{4 * 33, {"sentiment_shift"}}};
  EXPECT_EQ(RunStream(rules, clock, steps), expected);
}

// ---- Restarts ---------------------------------------------------------------

// The engine's loop: dedupe, rules, one atomic commit per poll; the rules'
// counts go with every `counts_every`-th commit only.
class Pipeline {
 public:
  explicit Pipeline(FakeClock& clock, BrandRules brand = StormBrand(), int counts_every = 1)
      : clock_(clock), brand_(std::move(brand)), counts_every_(counts_every) {
    store::StoreOptions o;
    config::ApplyDefaults(store::StoreOptionTable(), o);
    o.file = ":memory:";
    store_ = std::move(store::Store::Open(o, "", clock, threads_).value());
    Restart();
  }
  void Restart() {
    rules_ = std::make_unique<RuleSet>(std::vector<BrandRules>{brand_}, clock_);
    ASSERT_TRUE(rules_->Restore(*store_).ok());
  }
  // Runs one poll; with `commit` false the process "dies" before committing.
  void Poll(const std::vector<ScoredMention>& mentions, bool commit = true) {
    store::WriteBatch batch;
    std::vector<ScoredMention> fresh;
    for (const auto& m : mentions) {
      if (*store_->SeenBefore(m.mention.source, m.mention.id)) continue;
      fresh.push_back(m);
      batch.AddMention(m);
    }
    for (auto& a : rules_->Process(fresh)) batch.AddAlert(std::move(a));
    rules_->SaveState(batch, ++polls_ % counts_every_ == 0);
    if (commit) {
      ASSERT_TRUE(store_->Write(batch).ok());
    }
  }
  int64_t RuleStateRows() { return store_->Counts()->rule_state; }
  // The journal as "topic dedupe_key figures" lines.
  Strings Journal() {
    Strings out;
    auto entries = store_->ReadSince(0, "", 1000);
    EXPECT_TRUE(entries.ok());
    for (const auto& e : *entries) {
      rapidjson::Document doc;
      doc.Parse(e.payload.c_str());
      std::string figures;
      for (const auto& f : doc["figures"].GetObject()) {
        figures +=
            std::string(f.name.GetString()) + "=" + std::to_string(f.value.IsNull() ? 0 : f.value.GetDouble()) + " ";
      }
      out.push_back(e.topic + " " + doc["dedupe_key"].GetString() + " " + figures);
    }
    return out;
  }

 private:
  FakeClock& clock_;
  BrandRules brand_;
  int counts_every_;
  int polls_ = 0;
  ThreadSet threads_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RuleSet> rules_;
};

// The storm stream as two polls per bucket (at +1m and +8m), so restarts
// also fall inside a bucket.
struct TimedPoll {
  std::chrono::milliseconds at;
  std::vector<ScoredMention> mentions;
};

std::vector<TimedPoll> HalfPolls() {
  std::vector<TimedPoll> out;
  std::vector<Step> steps = StormStream();
  for (size_t i = 0; i < steps.size(); ++i) {
    std::vector<ScoredMention> all = Poll(static_cast<int>(i), steps[i].neutral, steps[i].negative);
    auto mid = all.begin() + static_cast<std::ptrdiff_t>(all.size() / 2);
    auto start = kBucket * static_cast<int>(i);
    out.push_back({start + std::chrono::minutes(1), {all.begin(), mid}});
    out.push_back({start + std::chrono::minutes(8), {mid, all.end()}});
  }
  return out;
}

void SetPollTime(FakeClock& clock, const TimedPoll& poll) { clock.SetNow(FromUnixMillis(1'767'225'600'000) + poll.at); }

TEST(RuleSetRestartTest, ARestartAnywhereContinuesBaselinesWithoutDuplicates) {
  std::vector<TimedPoll> polls = HalfPolls();
  FakeClock clock;
  Pipeline reference(clock);
  for (const TimedPoll& poll : polls) {
    SetPollTime(clock, poll);
    reference.Poll(poll.mentions);
  }
  Strings expected = reference.Journal();
  ASSERT_EQ(expected.size(), 10u);

  // Polls 64 and 65 are the storm's bucket; 72 closes the storm's hour.
  // Counts committed with every poll, every third, or only when a bucket
  // closes: those left out are counted again from the stored mentions.
  for (int cut : {7, 20, 63, 64, 65, 66, 67, 69, 70, 71, 72, 73}) {
    for (auto [crash_before_commit, counts_every] :
         {std::pair{false, 1}, {true, 1}, {false, 3}, {true, 3}, {false, 1000}, {true, 1000}}) {
      SCOPED_TRACE("restart before poll " + std::to_string(cut) + (crash_before_commit ? " after a crash" : "") +
                   ", counts every " + std::to_string(counts_every) + " polls");
      FakeClock c;
      Pipeline p(c, StormBrand(), counts_every);
      for (int i = 0; i < static_cast<int>(polls.size()); ++i) {
        SetPollTime(c, polls[i]);
        if (i == cut) {
          if (crash_before_commit) p.Poll(polls[i].mentions, /*commit=*/false);
          p.Restart();
          // The source delivers the previous poll again too: it is dropped as seen.
          p.Poll(polls[i - 1].mentions);
        }
        p.Poll(polls[i].mentions);
      }
      EXPECT_EQ(p.Journal(), expected);
    }
  }
}

// A busy minute-by-minute stream: every mention brings a word never seen
// before, a third of them are negative and alert once per author cooldown,
// and "meltdown" surges in the last buckets of 10-minute emerging terms.
std::vector<TimedPoll> BusyPolls(int polls) {
  std::vector<TimedPoll> out;
  for (int i = 0; i < polls; ++i) {
    TimedPoll poll{std::chrono::minutes(i) + std::chrono::seconds(30), {}};
    for (int k = 0; k < 12; ++k) {
      int n = i * 12 + k;
      std::string id = "b" + std::to_string(n);
      std::string author = "fan" + std::to_string(n % 23);
      bool negative = k % 3 == 0;
      std::string text = "acme gadget talk w" + std::to_string(n) + (i >= polls - 15 && k < 8 ? " meltdown" : "");
      if (negative) text += " broke again";
      poll.mentions.push_back(M(id, text, negative ? -0.7 : 0.1, author));
    }
    out.push_back(std::move(poll));
  }
  return out;
}

BrandRules BusyBrand() {
  BrandRules b = Acme();
  b.options.emerging_terms.bucket = std::chrono::minutes(10);
  b.options.emerging_terms.warm_up = 2;
  return b;
}

TEST(RuleSetRestartTest, StateSavedAsChangesStaysSmallAndRestoresExactly) {
  const int kPolls = 100;
  std::vector<TimedPoll> polls = BusyPolls(kPolls);
  FakeClock clock;
  Pipeline reference(clock, BusyBrand());
  for (const TimedPoll& poll : polls) {
    SetPollTime(clock, poll);
    reference.Poll(poll.mentions);
  }
  Strings expected = reference.Journal();
  bool emerging = std::any_of(expected.begin(), expected.end(),
                              [](const std::string& line) { return line.find("emerging_terms") != std::string::npos; });
  ASSERT_TRUE(emerging) << "the stream must reach an emerging terms alert";
  // Two rows of changes per poll (term counts, cooldowns) unless they are
  // folded into whole rows as they add up.
  EXPECT_LT(reference.RuleStateRows(), kPolls) << "changes are folded into whole rows";

  for (int cut : {3, 29, 41, 58, 77, 86, 92, 99}) {
    for (auto [crash_before_commit, counts_every] :
         {std::pair{false, 1}, {true, 1}, {false, 3}, {true, 3}, {false, 1000}, {true, 1000}}) {
      SCOPED_TRACE("restart before poll " + std::to_string(cut) + (crash_before_commit ? " after a crash" : "") +
                   ", counts every " + std::to_string(counts_every) + " polls");
      FakeClock c;
      Pipeline p(c, BusyBrand(), counts_every);
      for (int i = 0; i < kPolls; ++i) {
        SetPollTime(c, polls[i]);
        if (i == cut) {
          if (crash_before_commit) p.Poll(polls[i].mentions, /*commit=*/false);
          p.Restart();
        }
        p.Poll(polls[i].mentions);
      }
      EXPECT_EQ(p.Journal(), expected);
    }
  }
}

TEST(RuleSetRestartTest, CountsWaitForTheirSaveAndAnIdleEngineStagesNothing) {
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  store::WriteBatch first;
  EXPECT_TRUE(rules.SaveState(first, /*counts=*/false)) << "the first save after start takes the counts";
  EXPECT_FALSE(first.empty());
  (void)rules.Process({M("1", "acme is fine")});
  store::WriteBatch began;
  EXPECT_TRUE(rules.SaveState(began, /*counts=*/false)) << "a series began: saved whole, with the counts";
  (void)rules.Process({M("2", "acme is fine")});
  store::WriteBatch deferred;
  EXPECT_FALSE(rules.SaveState(deferred, /*counts=*/false));
  EXPECT_TRUE(deferred.empty()) << "a neutral mention decided nothing: only counts changed";
  store::WriteBatch counts;
  EXPECT_TRUE(rules.SaveState(counts, /*counts=*/true));
  EXPECT_FALSE(counts.empty());
  (void)rules.Tick();
  store::WriteBatch idle;
  rules.SaveState(idle);
  EXPECT_TRUE(idle.empty()) << "nothing counted since the last save";
}

TEST(RuleSetRestartTest, StateOfUnknownBrandsOrOtherBucketsIsIgnored) {
  class FakeReader : public store::RuleStateReader {
   public:
    Result<std::vector<store::RuleStateEntry>> LoadRuleState() override {
      return std::vector<store::RuleStateEntry>{
          {"globex", "volume_spike@15m/*", "{}"},
          {"acme", "volume_spike@1h/*", R"({"open":1,"history":[100,100,100,100,100,100,100,100,100,100]})"},
          {"acme", "cooldowns", "not json"},
          {"acme", "sentiment_shift@1h", "{\"history\": 5}"},
      };
    }
    Result<std::vector<store::StoredMention>> ReadMentions(int64_t, size_t) override {
      return std::vector<store::StoredMention>{};
    }
  } reader;
  FakeClock clock;
  RuleSet rules({StormBrand()}, clock);
  ASSERT_TRUE(rules.Restore(reader).ok());
  // A fresh brand: warming up, so a large first bucket raises nothing.
  std::map<int, Strings> got = RunStream(rules, clock, {{100, 0}, {100, 0}, {5, 0}});
  EXPECT_EQ(got, (std::map<int, Strings>{}));
}

TEST(RuleSetRestartTest, ReaderErrorsArePassedOn) {
  class FailingReader : public store::RuleStateReader {
   public:
    Result<std::vector<store::RuleStateEntry>> LoadRuleState() override { return Status::Unavailable("disk gone"); }
    Result<std::vector<store::StoredMention>> ReadMentions(int64_t, size_t) override {
      return Status::Unavailable("disk gone");
    }
  } reader;
  FakeClock clock;
  RuleSet rules({Acme()}, clock);
  Status s = rules.Restore(reader);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("disk gone"), std::string::npos);
}

// ---- Words of every script ---------------------------------------------------

TEST(RuleSetWordsTest, SpanishCuesMatchWhateverTheCaseAndAccents) {
  BrandRules b = Acme();
  b.options.needs_reply.question_cues = {"dónde está"};
  FakeClock clock;
  RuleSet rules({b}, clock);
  // No question mark: only the cue makes these questions.
  auto when = rules.Process({With(M("1", "CUÁNDO llega mi pedido de acme", 0, "ana"), {}, std::nullopt, "es")});
  ASSERT_EQ(Rules(when), Strings{"needs_reply"});
  EXPECT_EQ(when[0].severity, Severity::kInfo);
  EXPECT_EQ(Rules(rules.Process({With(M("2", "DÓNDE ESTÁ mi pedido de acme", 0, "luis"), {}, std::nullopt, "es")})),
            Strings{"needs_reply"});
  auto late = rules.Process({With(M("3", "Mi pedido de acme NUNCA LLEGÓ", 0, "eva"), {}, std::nullopt, "es")});
  ASSERT_EQ(Rules(late), Strings{"needs_reply"});
  EXPECT_EQ(late[0].severity, Severity::kWarning);
  EXPECT_EQ(Rules(rules.Process({With(M("4", "Dondequiera que esté acme", 0, "eli"), {}, std::nullopt, "es")})),
            Strings{});
}

TEST(RuleSetWordsTest, HindiAndGujaratiTermsEndAtTheirPunctuation) {
  BrandRules b = Acme();
  b.options.keyword.terms = {"धोखा", "રિફંડ"};
  b.options.needs_reply.complaint_cues = {"जवाब नहीं"};
  FakeClock clock;
  RuleSet rules({b}, clock);
  auto hindi = rules.Process({M("1", "acme का ऑफ़र धोखा।", 0, "ravi")});
  ASSERT_EQ(Rules(hindi), Strings{"keyword"});
  ASSERT_EQ(hindi[0].terms.size(), 1u);
  EXPECT_EQ(hindi[0].terms[0].term, "धोखा");
  auto gujarati = rules.Process({M("2", "acme પાસેથી હજુ રિફંડ।", 0, "mira")});
  ASSERT_EQ(Rules(gujarati), Strings{"keyword"});
  EXPECT_EQ(gujarati[0].terms[0].term, "રિફંડ");
  EXPECT_EQ(Rules(rules.Process({M("3", "@acmecorp कोई जवाब नहीं।", 0, "dev")})), Strings{"needs_reply"});
}

TEST(RuleSetWordsTest, WordsComputedOnceGiveTheSameAlerts) {
  FakeClock clock;
  RuleSet once({Acme()}, clock), twice({Acme()}, clock);
  std::vector<ScoredMention> ms = {M("1", "@AcmeCorp how do I get a REFUND?", -0.6), M("2", "acme recall", 0, "ann")};
  std::vector<RuleSet::Prepared> prepared;
  for (const auto& m : ms) prepared.push_back(once.Prepare(m, SplitMention(m.mention)));
  auto a = once.Process(ms, prepared);
  auto b = twice.Process(ms);
  ASSERT_EQ(Rules(a), Rules(b));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].summary, b[i].summary);
}

}  // namespace
}  // namespace brandmon::rules

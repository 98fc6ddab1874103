#include "daemon/query/reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <tuple>

#include "daemon/base/thread_set.h"
#include "daemon/config/options.h"
#include "daemon/store/schema.h"
#include "daemon/store/store.h"
#include "tests/daemon/query/query_fixture.h"

namespace brandmon::query {
namespace {

using testing::QueryFixture;

constexpr double kEps = 1e-9;

Filter AllDay() {
  Filter f;
  f.since_ms = QueryFixture::Hour(0);
  f.until_ms = QueryFixture::Hour(4);
  return f;
}

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Reader::Open(fixture_.path());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader_ = std::make_unique<Reader>(std::move(*r));
  }
  std::vector<std::string> Titles(const Filter& f) {
    std::vector<std::string> out;
    Status s = reader_->ForEachMention(f, [&](const MentionRow& row) {
      out.push_back(row.stored.scored.mention.title);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  QueryFixture fixture_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(ReaderTest, FindMentionBySourceAndId) {
  auto found = reader_->FindMention("rss-feed", "id1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->stored.scored.mention.text, "The acme app is down again");
  EXPECT_EQ((*found)->stored.scored.brand, "acme");
  for (auto [source, id] : {std::pair{"rss-feed", "id999"}, {"reddit-feed", "id1"}, {"rss-feed' OR '1'='1", "id1"}}) {
    auto none = reader_->FindMention(source, id);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << source << " " << id;
  }
}

TEST_F(ReaderTest, OldestFirstIsTheOrderTheMentionsWereStoredIn) {
  Filter f = AllDay();
  f.since_ms = QueryFixture::Hour(1);  // the range applies as to the newest-first scan
  std::vector<std::string> oldest_first;
  Status s = reader_->ForEachMentionOldestFirst(f, [&](const MentionRow& row) {
    oldest_first.push_back(row.stored.scored.mention.title);
    return oldest_first.size() < 3;  // stops when told
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(oldest_first, (std::vector<std::string>{"Acme au café", "Globex wins", "=cmd|' /C calc'!A0"}));
}

TEST_F(ReaderTest, TimeSeriesHasABucketPerHourWithTheRollupFigures) {
  Filter f = AllDay();
  f.brands = {"acme"};
  auto r = reader_->TimeSeries(f, std::chrono::hours(1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->start_ms, QueryFixture::Hour(0));
  ASSERT_EQ(r->series.size(), 1u);
  const auto& b = r->series[0].buckets;
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].mentions, 2);
  EXPECT_NEAR(b[0].mean_score, (-0.7 + 0.5) / 2, kEps);  // the targeted score where there is one
  EXPECT_NEAR(b[0].negative_pct, 50, kEps);
  EXPECT_NEAR(b[0].reach, 110, kEps);
  EXPECT_EQ(b[1].mentions, 1);
  EXPECT_NEAR(b[1].negative_pct, 0, kEps);
  EXPECT_EQ(b[3].mentions, 1);
  EXPECT_NEAR(b[3].mean_score, -0.9, kEps);
  EXPECT_NEAR(b[3].negative_pct, 100, kEps);
}

TEST_F(ReaderTest, EmptyBucketsAndNamedBrandsWithoutMentionsAreZeros) {
  Filter f;
  f.since_ms = QueryFixture::Hour(-2);
  f.until_ms = QueryFixture::Hour(6);
  f.brands = {"globex", "initech"};
  auto r = reader_->TimeSeries(f, std::chrono::hours(2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].brand, "globex");
  EXPECT_EQ(r->series[1].brand, "initech");
  for (const Series& s : r->series) ASSERT_EQ(s.buckets.size(), 4u);
  EXPECT_EQ(r->series[0].buckets[0].mentions, 0);
  EXPECT_EQ(r->series[0].buckets[2].mentions, 1);  // [02:00, 04:00)
  EXPECT_NEAR(r->series[0].buckets[2].reach, 1000, kEps);
  for (const Totals& t : r->series[1].buckets) EXPECT_EQ(t.mentions, 0);
}

TEST_F(ReaderTest, BucketsStartAtAMultipleOfTheStep) {
  Filter f = AllDay();
  f.since_ms = QueryFixture::Hour(1) + 1234;
  auto r = reader_->TimeSeries(f, std::chrono::hours(24));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start_ms, QueryFixture::Hour(0));  // midnight UTC
  int64_t total = 0;
  for (const Series& s : r->series) {
    ASSERT_EQ(s.buckets.size(), 1u);
    total += s.buckets[0].mentions;
  }
  EXPECT_EQ(total, 6);
}

TEST_F(ReaderTest, TimeSeriesSplitsByLabelWithEveryLabelPresent) {
  Filter f = AllDay();
  f.brands = {"acme"};
  auto r = reader_->TimeSeries(f, std::chrono::hours(4), Dimension::kLabel);
  ASSERT_TRUE(r.ok());
  std::map<std::string, int64_t> by_label;
  for (const Series& s : r->series) by_label[s.split] = s.buckets.at(0).mentions;
  EXPECT_EQ(by_label,
            (std::map<std::string, int64_t>{{"negative", 3}, {"neutral", 1}, {"positive", 1}, {"unscored", 0}}));
}

TEST_F(ReaderTest, BreakdownByBrandIsShareOfVoice) {
  auto r = reader_->Breakdown(AllDay(), Dimension::kBrand);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].key, "acme");
  EXPECT_EQ((*r)[0].totals.mentions, 5);
  EXPECT_NEAR((*r)[0].share_pct, 500.0 / 6, kEps);
  EXPECT_EQ((*r)[1].key, "globex");
  EXPECT_NEAR((*r)[1].share_pct, 100.0 / 6, kEps);
}

TEST_F(ReaderTest, BreakdownByChannelAndLangFollowsTheFilter) {
  Filter f = AllDay();
  f.brands = {"acme"};
  auto channels = reader_->Breakdown(f, Dimension::kChannel);
  ASSERT_TRUE(channels.ok());
  ASSERT_EQ(channels->size(), 2u);
  EXPECT_EQ((*channels)[0].key, "rss");
  EXPECT_EQ((*channels)[0].totals.mentions, 3);
  EXPECT_EQ((*channels)[1].key, "reddit");
  f.langs = {"fr"};
  auto langs = reader_->Breakdown(f, Dimension::kLang);
  ASSERT_TRUE(langs.ok());
  ASSERT_EQ(langs->size(), 1u);
  EXPECT_EQ((*langs)[0].key, "fr");
  EXPECT_NEAR((*langs)[0].share_pct, 100, kEps);
}

TEST_F(ReaderTest, MentionsComeNewestFirstWithTheirScores) {
  Filter f = AllDay();
  f.brands = {"acme"};
  f.labels = {"negative"};
  auto page = reader_->Mentions(f, {"", 10});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->mentions.size(), 3u);
  EXPECT_EQ(page->mentions[0].stored.scored.mention.title, "+1 acme");
  EXPECT_EQ(page->mentions[2].stored.scored.mention.title, "Acme outage");
  EXPECT_EQ(page->mentions[2].stored.scored.sentiment.target, -0.7);
  EXPECT_EQ(page->mentions[2].reach, 100);
  EXPECT_EQ(page->mentions[2].stored.stored_at, FromUnixMillis(QueryFixture::Hour(0) + 5 * 60'000));
  EXPECT_TRUE(page->next_cursor.empty());
}

TEST_F(ReaderTest, PagesFollowTheCursorWithoutRepeatsOrGaps) {
  std::vector<std::string> seen;
  Page page{"", 2};
  for (int pages = 0; pages < 10; ++pages) {
    auto r = reader_->Mentions(AllDay(), page);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_LE(r->mentions.size(), 2u);
    for (const auto& m : r->mentions) seen.push_back(m.stored.scored.mention.title);
    if (r->next_cursor.empty()) break;
    page.cursor = r->next_cursor;
  }
  EXPECT_EQ(seen, Titles(AllDay()));
  EXPECT_EQ(seen.size(), 6u);
}

TEST_F(ReaderTest, ABadCursorIsRefusedNamingIt) {
  for (std::string cursor : {"x", "0000000000000000", "zz' OR 1=1 --zzzzzzzzzzzzzzzzzzzzzzzzzz"}) {
    auto r = reader_->Mentions(AllDay(), {cursor, 10});
    ASSERT_FALSE(r.ok()) << cursor;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("cursor"), std::string::npos);
  }
}

TEST_F(ReaderTest, FullTextFindsWordsInTitleTextAndAuthorIgnoringAccents) {
  Filter f = AllDay();
  f.q = "cafe";
  EXPECT_EQ(Titles(f), std::vector<std::string>{"Acme au café"});
  f.q = "chloe";  // the author
  EXPECT_EQ(Titles(f), std::vector<std::string>{"Acme au café"});
  f.q = "acme down";  // every word
  EXPECT_EQ(Titles(f), std::vector<std::string>{"Acme outage"});
  f.q = "acme missing";
  EXPECT_TRUE(Titles(f).empty());
}

TEST_F(ReaderTest, HostileInputIsDataNotSql) {
  Filter f = AllDay();
  for (std::string q : {"acme' OR 1=1 --", "\"", "NEAR(", "acme*", "a AND OR NOT", "'; DROP TABLE mentions; --",
                        "title:x", "^acme", "(", ")"}) {
    f.q = q;
    auto r = reader_->Mentions(f, {"", 10});
    ASSERT_TRUE(r.ok()) << q << ": " << r.status().ToString();
  }
  f.q = "DROP TABLE mentions";
  EXPECT_EQ(Titles(f), std::vector<std::string>{"+1 acme"});
  f.q.clear();
  f.brands = {"acme' OR '1'='1", "x\") OR 1=1 --"};
  EXPECT_TRUE(Titles(f).empty());
  f.brands.clear();
  EXPECT_EQ(Titles(f).size(), 6u);  // nothing was dropped
}

TEST_F(ReaderTest, MinReachAndTopMentions) {
  Filter f = AllDay();
  f.min_reach = 50;
  EXPECT_EQ(Titles(f), (std::vector<std::string>{"=cmd|' /C calc'!A0", "Globex wins", "Acme outage"}));
  auto top = reader_->TopMentions(AllDay(), 2);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].stored.scored.mention.title, "Globex wins");
  EXPECT_EQ((*top)[1].stored.scored.mention.title, "Acme outage");
}

// The top of each brand is read apart and merged: the largest of every
// brand named, within the range, whatever the brands' sizes.
TEST_F(ReaderTest, TopMentionsOfNamedBrandsKeepToTheRangeAndTheFilter) {
  auto titles = [&](const Filter& f, int64_t n) {
    std::vector<std::string> out;
    auto top = reader_->TopMentions(f, n);
    EXPECT_TRUE(top.ok()) << top.status().ToString();
    if (top.ok()) {
      for (const auto& row : *top) out.push_back(row.stored.scored.mention.title);
    }
    return out;
  };
  Filter f = AllDay();
  f.brands = {"globex", "acme"};
  EXPECT_EQ(titles(f, 10), (std::vector<std::string>{"Globex wins", "Acme outage", "=cmd|' /C calc'!A0", "Acme praise",
                                                     "+1 acme", "Acme au café"}));
  f.since_ms = QueryFixture::Hour(1);  // the largest acme (00:05) is before
  f.brands = {"acme"};
  f.labels = {"negative"};
  EXPECT_EQ(titles(f, 1), std::vector<std::string>{"=cmd|' /C calc'!A0"});
  f.until_ms = QueryFixture::Hour(2);
  EXPECT_TRUE(titles(f, 1).empty());
}

// A search is read from the full-text index newest row first; its pages
// follow the cursor as the plain list's do.
TEST_F(ReaderTest, SearchPagesFollowTheCursorWithoutRepeatsOrGaps) {
  Filter f = AllDay();
  f.q = "acme";
  std::vector<std::string> seen;
  Page page{"", 1};
  for (int pages = 0; pages < 10; ++pages) {
    auto r = reader_->Mentions(f, page);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& m : r->mentions) seen.push_back(m.stored.scored.mention.title);
    if (r->next_cursor.empty()) break;
    page.cursor = r->next_cursor;
  }
  std::vector<std::string> newest_first;
  for (const std::string& title : Titles(AllDay())) {
    if (std::find(seen.begin(), seen.end(), title) != seen.end()) newest_first.push_back(title);
  }
  EXPECT_EQ(seen, Titles(f));
  EXPECT_EQ(seen, newest_first);
  EXPECT_GE(seen.size(), 3u);
}

TEST_F(ReaderTest, TheTimeRangeIsHalfOpen) {
  Filter f;
  f.since_ms = QueryFixture::Hour(1);
  f.until_ms = QueryFixture::Hour(2) + 30 * 60'000;  // the globex mention's stored_at, excluded
  EXPECT_EQ(Titles(f), std::vector<std::string>{"Acme au café"});
}

TEST_F(ReaderTest, AlertsNewestFirstByBrandWithPages) {
  Filter f = AllDay();
  auto all = reader_->Alerts(f, {"", 2});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->alerts.size(), 2u);
  EXPECT_EQ(all->alerts[0].topic, "alert.acme.volume_spike");
  EXPECT_EQ(all->alerts[1].topic, "alert.globex.volume_spike");
  ASSERT_FALSE(all->next_cursor.empty());
  auto rest = reader_->Alerts(f, {all->next_cursor, 2});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->alerts.size(), 1u);
  EXPECT_EQ(rest->alerts[0].topic, "alert.acme.negative_mention");
  EXPECT_TRUE(rest->next_cursor.empty());
  f.brands = {"globex"};
  auto globex = reader_->Alerts(f, {"", 10});
  ASSERT_TRUE(globex.ok());
  ASSERT_EQ(globex->alerts.size(), 1u);
  auto alert = AlertFromJson(globex->alerts[0].payload);
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->summary, "globex volume_spike");
}

TEST_F(ReaderTest, SourcesAreTheCommittedState) {
  auto sources = reader_->Sources();
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].source, "reddit-feed");
  EXPECT_EQ((*sources)[1].source, "rss-feed");
  EXPECT_EQ((*sources)[1].failures, 2);
  EXPECT_EQ((*sources)[1].last_error, "HTTP 503");
}

TEST_F(ReaderTest, TheReaderCannotWrite) {
  auto r = Reader::Open(fixture_.path());
  ASSERT_TRUE(r.ok());
  // The only way in is the queries; the connection itself refuses writes.
  auto db = store::Database::OpenReadOnly(fixture_.path());
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->Exec("DELETE FROM mentions").ok());
}

TEST(ReaderOpenTest, AMissingDatabaseIsNotFoundNamingThePath) {
  testing::TempDir dir;
  std::string path = (dir.path() / "nope.db").string();
  auto r = Reader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find(path), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));  // not created
}

TEST(ReaderOpenTest, AnOlderSchemaIsRefusedSayingWhatUpgradesIt) {
  testing::TempDir dir;
  std::string path = (dir.path() / "old.db").string();
  {
    auto db = store::Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(store::Migrate(*db, store::Migrations().first(5)).ok());
  }
  auto r = Reader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schema version 5"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("brandmond"), std::string::npos);
}

// A database of many mentions over ten days at random times, for the
// answers of the coarser rollups against the mentions they count.
class RollupTablesTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  static constexpr int64_t kHour = 3'600'000;

  struct Raw {
    std::string brand, channel, lang, label;
    int64_t hour;
    double score, reach;
    int64_t at;        // stored_at
    std::string word;  // the title
  };
  struct RawAlert {
    std::string brand, rule;
    int64_t ts;
    uint64_t seq;
  };

  void SetUp() override {
    store::StoreOptions options;
    config::ApplyDefaults(store::StoreOptionTable(), options);
    options.file = "state.db";
    FakeClock clock;
    ThreadSet threads;
    auto store = store::Store::Open(options, dir_.path().string(), clock, threads);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::mt19937_64 rng(5);
    const char* brands[] = {"acme", "globex", "initech"};
    const char* channels[] = {"rss", "reddit", "news"};
    const char* langs[] = {"en", "es", "de"};
    int64_t at = kStart + 17 * 60'000;
    for (int n = 0; n < 3000; ++n) {
      at += static_cast<int64_t>(rng() % (10 * 60'000));  // ~10 days in all
      clock.SetNow(FromUnixMillis(at));
      ScoredMention m;
      m.brand = brands[rng() % 3];
      m.mention.source = "s";
      m.mention.id = std::to_string(n);
      m.mention.channel = channels[rng() % 3];
      m.lang = langs[rng() % 3];
      // Multiples of 1/1024, whose sums are exact in any order.
      m.sentiment.compound = static_cast<double>(rng() % 2049) / 1024 - 1;
      m.sentiment.label = std::string(SentimentLabel(m.sentiment.compound));
      if (n % 4 == 0) m.sentiment.target = -m.sentiment.compound;
      // Reaches of one to five digits, so that a brand's rows lie in several runs of the reach index.
      m.mention.SetMetric("followers", static_cast<double>(rng() % 5 == 0 ? rng() % 100'000 : rng() % 100));
      m.mention.title = kWords[rng() % 3];
      raw_.push_back({m.brand, m.mention.channel, m.lang, m.sentiment.label, at - at % kHour, m.sentiment.Effective(),
                      Reach(m.mention), at, m.mention.title});
      store::WriteBatch batch;
      if (n % 4 == 1) batch.AddAlert(RandomAlert(m.brand, at, rng));
      batch.AddMention(std::move(m));
      ASSERT_TRUE((*store)->Write(batch).ok());
    }
    ASSERT_TRUE((*store)->IndexForSearch(10'000).ok());
    auto r = Reader::Open((dir_.path() / "state.db").string());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader_ = std::make_unique<Reader>(std::move(*r));
  }

  static constexpr const char* kWords[] = {"refund", "delivery", "outage"};

  // An alert of `brand` (or, one time in five, of a brand whose name
  // starts with it) at `at`, as the journal numbers them.
  Alert RandomAlert(const std::string& brand, int64_t at, std::mt19937_64& rng) {
    static const char* kRules[] = {"negative_mention", "volume_spike", "emerging_terms"};
    Alert a;
    a.ts = FromUnixMillis(at);
    a.brand = rng() % 5 == 0 ? brand + ".eu" : brand;
    a.rule = kRules[rng() % 3];
    a.severity = Severity::kWarning;
    a.summary = a.brand + " " + a.rule;
    alerts_.push_back({a.brand, a.rule, at, alerts_.size() + 1});
    return a;
  }

  static std::string Value(const Raw& m, Dimension d) {
    switch (d) {
      case Dimension::kBrand: return m.brand;
      case Dimension::kChannel: return m.channel;
      case Dimension::kLang: return m.lang;
      case Dimension::kLabel: return m.label;
      case Dimension::kNone: break;
    }
    return "";
  }
  static bool Counts(const Filter& f, const Raw& m, int64_t from) {
    auto in = [](const std::vector<std::string>& list, const std::string& v) {
      return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    return m.hour >= from && m.hour < f.until_ms && in(f.brands, m.brand) && in(f.channels, m.channel) &&
           in(f.langs, m.lang) && in(f.labels, m.label);
  }
  // The figures the mentions themselves give, as "key: n mean negative% reach".
  static std::string Figures(const std::string& key, int64_t n, double score, int64_t negative, double reach) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s: %lld %.9f %.9f %.3f", key.c_str(), static_cast<long long>(n),
                  n ? score / static_cast<double>(n) : 0, n ? 100.0 * static_cast<double>(negative) / n : 0, reach);
    return buf;
  }
  static std::string Figures(const std::string& key, const Totals& t) {
    return Figures(key, t.mentions, t.mean_score * static_cast<double>(t.mentions),
                   std::llround(t.negative_pct * static_cast<double>(t.mentions) / 100), t.reach);
  }

  std::vector<std::string> ExpectedSeries(const Filter& f, int64_t step, Dimension split) {
    int64_t start = f.since_ms - f.since_ms % step;
    std::map<std::string, std::tuple<int64_t, double, int64_t, double>> sums;
    for (const Raw& m : raw_) {
      if (!Counts(f, m, start)) continue;
      auto& [n, score, negative, reach] =
          sums[m.brand + "/" + Value(m, split) + "/" + std::to_string((m.hour - start) / step)];
      ++n, score += m.score, negative += m.label == "negative", reach += m.reach;
    }
    std::vector<std::string> out;
    for (const auto& [key, t] : sums) {
      out.push_back(Figures(key, std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Lines(const Filter& f, int64_t step, Dimension split) {
    auto r = reader_->TimeSeries(f, Duration(step), split);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    for (const query::Series& line : r->series) {
      for (size_t i = 0; i < line.buckets.size(); ++i) {
        if (line.buckets[i].mentions == 0) continue;
        out.push_back(Figures(line.brand + "/" + line.split + "/" + std::to_string(i), line.buckets[i]));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> ExpectedBreakdown(const Filter& f, Dimension by) {
    std::map<std::string, std::tuple<int64_t, double, int64_t, double>> sums;
    for (const Raw& m : raw_) {
      if (!Counts(f, m, f.since_ms - f.since_ms % kHour)) continue;
      auto& [n, score, negative, reach] = sums[Value(m, by)];
      ++n, score += m.score, negative += m.label == "negative", reach += m.reach;
    }
    std::vector<std::string> out;
    for (const auto& [key, t] : sums) {
      out.push_back(Figures(key, std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Breakdown(const Filter& f, Dimension by) {
    auto r = reader_->Breakdown(f, by);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    for (const BreakdownRow& row : *r) out.push_back(Figures(row.key, row.totals));
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir dir_;
  std::vector<Raw> raw_;
  std::vector<RawAlert> alerts_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(RollupTablesTest, SeriesAndBreakdownsEqualTheMentionsTheyCountWhateverTableAnswers) {
  // Ranges that start and end on and off whole hours and days, one day or
  // shorter, and with every filter that changes the table read.
  const std::pair<int64_t, int64_t> ranges[] = {
      {kStart, kStart + 10 * 24 * kHour},
      {kStart + 5 * kHour + 123, kStart + 8 * 24 * kHour + 7 * kHour + 45 * 60'000},
      {kStart + 2 * 24 * kHour, kStart + 3 * 24 * kHour},
      {kStart + 30 * kHour + 1, kStart + 40 * kHour},
      {kStart + 23 * kHour, kStart + 25 * kHour + 1},
  };
  std::vector<Filter> filters(5);
  filters[1].brands = {"acme", "globex"};
  filters[2].channels = {"reddit"};
  filters[3].langs = {"es", "de"};
  filters[4].labels = {"negative"};
  filters[4].brands = {"initech"};
  int compared = 0;
  for (const auto& [since, until] : ranges) {
    for (Filter f : filters) {
      f.since_ms = since;
      f.until_ms = until;
      for (Dimension d : {Dimension::kNone, Dimension::kLabel, Dimension::kChannel, Dimension::kLang}) {
        for (int64_t step : {kHour, 6 * kHour, 24 * kHour, 48 * kHour}) {
          EXPECT_EQ(Lines(f, step, d), ExpectedSeries(f, step, d)) << since << " " << until << " step " << step;
          ++compared;
        }
        if (d != Dimension::kNone) {
          EXPECT_EQ(Breakdown(f, d), ExpectedBreakdown(f, d)) << since << " " << until;
        }
      }
      EXPECT_EQ(Breakdown(f, Dimension::kBrand), ExpectedBreakdown(f, Dimension::kBrand)) << since << " " << until;
    }
  }
  EXPECT_EQ(compared, 5 * 5 * 4 * 4);
}

// A page of named brands is the newest of each brand's runs of the reach
// index, merged, and a search of few brands is the brands' rows among those
// holding the words: both the rows the filter names, newest first, page
// after page.
TEST_F(RollupTablesTest, PagesOfNamedBrandsAreTheFilteredRowsNewestFirst) {
  auto expected = [&](const Filter& f) {
    std::vector<std::string> out;
    for (size_t n = raw_.size(); n-- > 0;) {
      const Raw& m = raw_[n];
      if (m.at >= f.since_ms && m.at < f.until_ms && Counts(f, m, 0) && m.reach >= f.min_reach &&
          (f.q.empty() || m.word == f.q)) {
        out.push_back(std::to_string(n));
      }
    }
    return out;
  };
  auto pages = [&](const Filter& f, int64_t limit) {
    std::vector<std::string> out;
    Page page{"", limit};
    for (int i = 0; i < 1000; ++i) {
      auto r = reader_->Mentions(f, page);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      EXPECT_LE(static_cast<int64_t>(r->mentions.size()), limit);
      for (const auto& m : r->mentions) out.push_back(m.stored.scored.mention.id);
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    return out;
  };
  std::vector<Filter> filters(4);
  filters[0].brands = {"initech"};
  filters[1].brands = {"acme", "globex"};
  filters[2].brands = {"globex"};
  filters[2].labels = {"negative"};
  filters[3].brands = {"acme", "initech"};
  filters[3].min_reach = 50;
  int compared = 0;
  for (Filter f : filters) {
    for (std::string q : {"", "refund"}) {
      f.q = q;
      f.since_ms = kStart + 30 * kHour + 1;
      f.until_ms = kStart + 6 * 24 * kHour;
      std::vector<std::string> want = expected(f);
      ASSERT_GT(want.size(), 20u);
      EXPECT_EQ(pages(f, 7), want) << f.brands.front() << " q=" << q;
      EXPECT_EQ(pages(f, 1000), want) << f.brands.front() << " q=" << q;
      compared += 2;
    }
  }
  EXPECT_EQ(compared, 16);
}

// The alerts of named brands are read from their topics' index: the pages
// and the latest of a rule are those of the journal, newest first, for
// every filter.
TEST_F(RollupTablesTest, AlertsOfNamedBrandsAreTheJournalsNewestFirst) {
  auto expected = [&](const Filter& f, std::string_view rule) {
    std::vector<uint64_t> out;
    for (size_t i = alerts_.size(); i-- > 0;) {
      const RawAlert& a = alerts_[i];
      bool brand = f.brands.empty();
      // A brand's topic prefix also holds the brands whose names continue it with a dot.
      for (const std::string& b : f.brands) brand = brand || a.brand == b || a.brand.starts_with(b + ".");
      if (brand && a.ts >= f.since_ms && a.ts < f.until_ms && (rule.empty() || a.rule == rule)) out.push_back(a.seq);
    }
    return out;
  };
  auto pages = [&](const Filter& f, int64_t limit) {
    std::vector<uint64_t> out;
    Page page{"", limit};
    for (int i = 0; i < 1000; ++i) {
      auto r = reader_->Alerts(f, page);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      EXPECT_LE(static_cast<int64_t>(r->alerts.size()), limit);
      for (const auto& a : r->alerts) out.push_back(a.seq);
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    return out;
  };
  std::vector<Filter> filters(5);
  filters[1].brands = {"initech"};
  filters[2].brands = {"acme", "globex"};
  filters[3].brands = {"acme.eu"};
  filters[4].brands = {"nobody", "globex"};
  int compared = 0;
  for (Filter f : filters) {
    f.since_ms = kStart + 30 * kHour + 1;
    f.until_ms = kStart + 6 * 24 * kHour;
    std::vector<uint64_t> want = expected(f, "");
    ASSERT_GT(want.size(), 10u);
    EXPECT_EQ(pages(f, 7), want) << ::testing::PrintToString(f.brands);
    EXPECT_EQ(pages(f, 1000), want) << ::testing::PrintToString(f.brands);
    std::vector<uint64_t> terms = expected(f, "emerging_terms");
    auto latest = reader_->LatestAlert(f, "emerging_terms");
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    ASSERT_TRUE(latest->has_value());
    EXPECT_EQ((*latest)->seq, terms.front()) << ::testing::PrintToString(f.brands);
    compared += 3;
  }
  EXPECT_EQ(compared, 15);
}

// A mention in a language without a lexicon counts as a mention, never as
// a sentiment: not neutral, not in the mean, not in the share negative.
TEST(ReaderUnscoredTest, UnscoredMentionsAreCountedApartFromEverySentimentFigure) {
  testing::TempDir dir;
  store::StoreOptions options;
  config::ApplyDefaults(store::StoreOptionTable(), options);
  options.file = "state.db";
  FakeClock clock;
  ThreadSet threads;
  {
    auto store = store::Store::Open(options, dir.path().string(), clock, threads);
    ASSERT_TRUE(store.ok());
    store::WriteBatch batch;
    for (int i = 0; i < 3; ++i) {
      ScoredMention m;
      m.brand = "acme";
      m.mention.source = "s";
      m.mention.id = std::to_string(i);
      m.mention.channel = "rss";
      m.lang = i == 0 ? "en" : "ru";
      if (i == 0) m.sentiment = {-0.5, 0, 0.5, 0.5, "negative", std::nullopt};
      m.sentiment.scored = i == 0;
      batch.AddMention(std::move(m));
    }
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  auto reader = Reader::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(reader.ok());
  Filter f;
  f.since_ms = ToUnixMillis(clock.Now()) - 3'600'000;
  f.until_ms = ToUnixMillis(clock.Now()) + 3'600'000;
  auto by_brand = reader->Breakdown(f, Dimension::kBrand);
  ASSERT_TRUE(by_brand.ok());
  ASSERT_EQ(by_brand->size(), 1u);
  const Totals& t = (*by_brand)[0].totals;
  EXPECT_EQ(t.mentions, 3);
  EXPECT_EQ(t.unscored, 2);
  EXPECT_NEAR(t.mean_score, -0.5, kEps);
  EXPECT_NEAR(t.negative_pct, 100, kEps);
  auto by_label = reader->Breakdown(f, Dimension::kLabel);
  ASSERT_TRUE(by_label.ok());
  ASSERT_EQ(by_label->size(), 2u);
  EXPECT_EQ((*by_label)[0].key, "unscored");
  EXPECT_EQ((*by_label)[0].totals.mentions, 2);
  f.brands = {"acme"};
  auto series = reader->TimeSeries(f, std::chrono::hours(1), Dimension::kLabel);
  ASSERT_TRUE(series.ok());
  std::vector<std::string> lines;
  for (const Series& line : series->series) lines.push_back(line.split);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"negative", "neutral", "positive", "unscored"}));
  f.labels = {"unscored"};
  auto page = reader->Mentions(f, {"", 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->mentions.size(), 2u);
  EXPECT_FALSE(page->mentions[0].stored.scored.sentiment.scored);
  f.labels = {"neutral"};
  EXPECT_TRUE(reader->Mentions(f, {"", 10})->mentions.empty());
}

TEST(FtsQueryTest, EachWordIsAQuotedString) {
  EXPECT_EQ(FtsQuery("acme down"), "\"acme\" \"down\"");
  EXPECT_EQ(FtsQuery("  a\"b  "), "\"a\"\"b\"");
  EXPECT_EQ(FtsQuery(""), "");
  EXPECT_EQ(FtsQuery(" \t "), "");
}

}  // namespace
}  // namespace brandmon::query

#include "tests/daemon/query/query_fixture.h"

#include <gtest/gtest.h>

#include <memory>

#include "daemon/base/clock.h"
#include "daemon/base/thread_set.h"
#include "daemon/store/store.h"

namespace brandmon::testing {
namespace {

struct Row {
  int hour;
  int minute;
  std::string brand;
  std::string channel;
  std::string lang;
  double compound;
  std::optional<double> target;
  double followers;
  std::string title;
  std::string text;
  std::string author;
};

// The rows every test reads, oldest first. Stored one batch per row, so that
// stored_at is hour:minute.
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {0, 5, "acme", "rss", "en", -0.6, -0.7, 100, "Acme outage", "The acme app is down again", "Ann"},
      {0, 10, "acme", "rss", "en", 0.5, std::nullopt, 10, "Acme praise", "Love the new acme release", "Bob"},
      {1, 0, "acme", "reddit", "fr", 0.0, std::nullopt, 0, "Acme au café", "Un café crème chez acme", "Chloé"},
      {2, 30, "globex", "rss", "en", 0.8, std::nullopt, 1000, "Globex wins", "Globex wins the award", "Dan"},
      {2, 40, "acme", "reddit", "en", -0.3, std::nullopt, 50, "=cmd|' /C calc'!A0",
       "She said \"acme, again\"\r\nthen left,\nquietly", "O\"Brien, Jr."},
      {3, 15, "acme", "rss", "en", -0.9, std::nullopt, 5, "+1 acme", "@SUM(1+1) -- acme'; DROP TABLE mentions; --",
       "-eve"},
  };
  return rows;
}

ScoredMention MakeMention(const Row& r, int index) {
  ScoredMention m;
  m.mention.source = r.channel + "-feed";
  m.mention.channel = r.channel;
  m.mention.id = "id" + std::to_string(index);
  m.mention.url = "https://example.com/" + std::to_string(index);
  m.mention.title = r.title;
  m.mention.text = r.text;
  m.mention.author = r.author;
  m.mention.published = FromUnixMillis(QueryFixture::Hour(r.hour) - 60'000);
  if (r.followers > 0) m.mention.metrics = {{"followers", r.followers}};
  m.brand = r.brand;
  m.lang = r.lang;
  double neg = r.compound < 0 ? -r.compound / 2 : 0, pos = r.compound > 0 ? r.compound / 2 : 0;
  m.sentiment = {r.compound, pos, 1 - pos - neg, neg, std::string(SentimentLabel(r.target.value_or(r.compound))),
                 r.target};
  m.matched_terms = {r.brand};
  return m;
}

Alert MakeAlert(const std::string& brand, const std::string& rule, int hour) {
  Alert a;
  a.ts = FromUnixMillis(QueryFixture::Hour(hour) + 60'000);
  a.brand = brand;
  a.rule = rule;
  a.severity = Severity::kWarning;
  a.summary = brand + " " + rule;
  a.dedupe_key = brand + rule + std::to_string(hour);
  return a;
}

store::StoreOptions FixtureStoreOptions() {
  store::StoreOptions options;
  config::ApplyDefaults(store::StoreOptionTable(), options);
  options.file = "state.db";
  return options;
}

}  // namespace

void QueryFixture::AddReportRows() {
  FakeClock clock;
  ThreadSet threads;
  auto store = store::Store::Open(FixtureStoreOptions(), dir_.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  clock.SetNow(FromUnixMillis(Hour(3) + 30 * 60'000));
  Row hostile{3,
              30,
              "acme",
              "mastodon",
              "en",
              -0.4,
              std::nullopt,
              5000,
              "<script>alert('title')</script> acme",
              "acme <img src=x onerror=alert('text')> <a href=\"javascript:alert('link')\">click</a>",
              "<b onmouseover=alert('author')>mallory</b>"};
  ScoredMention m = MakeMention(hostile, 7);
  m.mention.url = "javascript:alert('url')";
  store::WriteBatch batch;
  batch.AddMention(std::move(m));
  ASSERT_TRUE((*store)->Write(batch).ok());
  clock.SetNow(FromUnixMillis(Hour(3) + 45 * 60'000));
  Alert terms = MakeAlert("acme", "emerging_terms", 3);
  terms.ts = clock.Now();
  terms.severity = Severity::kInfo;
  terms.terms = {{"outage", 4, 0.5}, {"refund", 3, 0}};
  store::WriteBatch alerts;
  alerts.AddAlert(std::move(terms));
  ASSERT_TRUE((*store)->Write(alerts).ok());
  ASSERT_TRUE((*store)->IndexForSearch().ok());
}

QueryFixture::QueryFixture() {
  store::StoreOptions options = FixtureStoreOptions();
  FakeClock clock;
  ThreadSet threads;
  auto store = store::Store::Open(options, dir_.path().string(), clock, threads);
  if (!store.ok()) ADD_FAILURE() << store.status().ToString();
  path_ = store::ResolveStorePath(options, dir_.path().string());
  int index = 0;
  for (const Row& r : Rows()) {
    clock.SetNow(FromUnixMillis(Hour(r.hour) + r.minute * 60'000));
    store::WriteBatch batch;
    batch.AddMention(MakeMention(r, ++index));
    if (r.hour == 0 && r.minute == 5) batch.AddAlert(MakeAlert("acme", "negative_mention", 0));
    if (r.hour == 2 && r.minute == 30) batch.AddAlert(MakeAlert("globex", "volume_spike", 2));
    if (r.hour == 3) batch.AddAlert(MakeAlert("acme", "volume_spike", 3));
    store::SourceState state;
    state.source = r.channel + "-feed";
    state.failures = r.hour == 3 ? 2 : 0;
    state.last_success = clock.Now();
    if (r.hour == 3) state.last_error = "HTTP 503";
    batch.PutSourceState(state);
    auto written = (*store)->Write(batch);
    if (!written.ok()) ADD_FAILURE() << written.status().ToString();
  }
  // What the pipeline's timer does a second after the commits.
  if (auto indexed = (*store)->IndexForSearch(); !indexed.ok()) ADD_FAILURE() << indexed.status().ToString();
}

}  // namespace brandmon::testing

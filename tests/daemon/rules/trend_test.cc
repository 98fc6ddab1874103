#include "daemon/rules/trend.h"

#include <gtest/gtest.h>

#include <cmath>

namespace brandmon::rules {
namespace {

TEST(PoissonTest, TailsMatchClosedForms) {
  // P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2); P(X <= 0 | 2) = e^-2.
  EXPECT_NEAR(PoissonUpperTail(3, 1), 1 - std::exp(-1) * 2.5, 1e-12);
  EXPECT_NEAR(PoissonLowerTail(0, 2), std::exp(-2), 1e-12);
  EXPECT_DOUBLE_EQ(PoissonUpperTail(0, 5), 1);
  EXPECT_DOUBLE_EQ(PoissonLowerTail(-1, 5), 0);
  EXPECT_NEAR(PoissonUpperTail(20, 20) + PoissonLowerTail(19, 20), 1, 1e-12);
  // Far tails stay positive and tiny rather than rounding to 0 - 1.
  double far = PoissonUpperTail(200, 20);
  EXPECT_GT(far, 0);
  EXPECT_LT(far, 1e-100);
}

TEST(RobustBaselineTest, MedianIgnoresOutliersAndSpreadHasAFloor) {
  Baseline b = RobustBaseline({18, 19, 20, 21, 22, 500});
  EXPECT_DOUBLE_EQ(b.median, 20.5);
  EXPECT_NEAR(b.sigma, std::sqrt(20.5), 1e-12);  // MAD 1.5 x 1.4826 < sqrt(median)
  Baseline wide = RobustBaseline({0, 100, 0, 100, 50});
  EXPECT_DOUBLE_EQ(wide.median, 50);
  EXPECT_NEAR(wide.sigma, 1.4826 * 50, 1e-9);
  EXPECT_DOUBLE_EQ(RobustBaseline({0, 0, 0}).sigma, 1);
}

SpikeOptions Spike() {
  SpikeOptions o;
  o.bucket = std::chrono::minutes(15);
  o.window = 24;
  o.warm_up = 8;
  o.z = 3;
  o.p_value = 0.001;
  o.min_count = 10;
  o.dips = false;
  o.clear_after = 2;
  o.cooldown = std::chrono::hours(1);
  return o;
}

// Counts around 20 that repeat every five buckets: 18..22.
std::vector<double> Steady(int n, double level = 20) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(level - 2 + (i * 3) % 5);
  return v;
}

std::vector<double> Concat(std::initializer_list<std::vector<double>> parts) {
  std::vector<double> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

using Kind = SpikeSeries::EventKind;
struct Seen {
  Kind kind;
  int64_t index;  // position of the closed bucket in the stream
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> RunSeries(SpikeSeries& s, const std::vector<double>& counts, const SpikeOptions& o,
                            int64_t first = 0) {
  std::vector<Seen> out;
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t bucket = 1000 + first + static_cast<int64_t>(i);
    if (counts[i] > 0) s.Add(bucket, counts[i]);
    for (const auto& e : s.Advance(bucket + 1, o)) out.push_back({e.kind, e.bucket - 1000});
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << (s.kind == Kind::kSpike ? "spike" : s.kind == Kind::kDip ? "dip" : "clear") << "@" << s.index;
}

TEST(SpikeSeriesTest, StreamsRaiseExactlyTheExpectedEvents) {
  SpikeOptions dips = Spike();
  dips.dips = true;
  struct Case {
    const char* name;
    std::vector<double> counts;
    SpikeOptions options;
    std::vector<Seen> events;
  };
  const Case cases[] = {
      {"quiet", Steady(60), Spike(), {}},
      {"silence", std::vector<double>(60, 0), Spike(), {}},
      {"spike then all clear",
       Concat({Steady(20), {60, 75}, Steady(6)}),
       Spike(),
       {{Kind::kSpike, 20}, {Kind::kClear, 23}}},
      {"spike during warm-up is ignored", Concat({Steady(4), {90}, Steady(20)}), Spike(), {}},
      {"slow climb is not a spike",
       [] {
         std::vector<double> v = Steady(12);
         for (int i = 0; i < 60; ++i) v.push_back(20 + i);
         return v;
       }(),
       Spike(),
       {}},
      {"dip ignored unless asked", Concat({Steady(20), {1, 0, 2}, Steady(5)}), Spike(), {}},
      {"dip and its end", Concat({Steady(20), {1, 0, 2}, Steady(5)}), dips, {{Kind::kDip, 20}, {Kind::kClear, 24}}},
      {"below min_count", Concat({std::vector<double>(20, 1), {8}, std::vector<double>(4, 1)}), Spike(), {}},
      {"low counts: Poisson decides",
       Concat({std::vector<double>(20, 1), {12}, std::vector<double>(4, 1)}),
       Spike(),
       {{Kind::kSpike, 20}, {Kind::kClear, 22}}},
      {"second storm within cooldown is quiet",
       Concat({Steady(20), {70}, Steady(3), {70}, Steady(3)}),
       Spike(),
       {{Kind::kSpike, 20}, {Kind::kClear, 22}}},
      {"second storm after cooldown alerts",
       Concat({Steady(20), {70}, Steady(8), {70}, Steady(3)}),
       Spike(),
       {{Kind::kSpike, 20}, {Kind::kClear, 22}, {Kind::kSpike, 29}, {Kind::kClear, 31}}},
      {"long storm alerts once",
       Concat({Steady(20), std::vector<double>(10, 80), Steady(4)}),
       Spike(),
       {{Kind::kSpike, 20}, {Kind::kClear, 31}}},
  };
  for (const Case& c : cases) {
    SpikeSeries s;
    EXPECT_EQ(RunSeries(s, c.counts, c.options), c.events) << c.name;
  }
}

TEST(SpikeSeriesTest, EventCarriesItsFigures) {
  SpikeSeries s;
  std::vector<SpikeSeries::Event> events;
  std::vector<double> counts = Concat({Steady(20), {60}, Steady(3)});
  for (size_t i = 0; i < counts.size(); ++i) {
    s.Add(static_cast<int64_t>(i), counts[i]);
    for (const auto& e : s.Advance(static_cast<int64_t>(i) + 1, Spike())) events.push_back(e);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].count, 60);
  EXPECT_DOUBLE_EQ(events[0].median, 20);
  EXPECT_NEAR(events[0].z, 40 / std::sqrt(20.0), 1e-9);
  EXPECT_LT(events[0].p, 1e-6);
  EXPECT_EQ(events[1].kind, Kind::kClear);
  EXPECT_EQ(events[1].peak, 60);
  EXPECT_EQ(events[1].storm_start, 20);
  EXPECT_EQ(events[1].storm_buckets, 3);
}

TEST(SpikeSeriesTest, QuietBucketsBetweenAdvancesCountAsZero) {
  SpikeSeries s;
  SpikeOptions o = Spike();
  o.dips = true;
  std::vector<double> counts = Steady(20);
  for (size_t i = 0; i < counts.size(); ++i) {
    s.Add(static_cast<int64_t>(i), counts[i]);
    EXPECT_TRUE(s.Advance(static_cast<int64_t>(i) + 1, o).empty());
  }
  // Nothing for three buckets, then one Advance: a dip is seen.
  auto events = s.Advance(23, o);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kDip);
  EXPECT_EQ(events[0].bucket, 20);
}

TEST(SpikeSeriesTest, SerializedStateContinuesIdentically) {
  std::vector<double> counts = Concat({Steady(20), {60, 75}, Steady(6)});
  SpikeSeries whole;
  std::vector<Seen> expected = RunSeries(whole, counts, Spike());
  for (size_t cut = 1; cut < counts.size(); cut += 3) {
    SpikeSeries first;
    std::vector<double> head(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(cut));
    std::vector<double> tail(counts.begin() + static_cast<std::ptrdiff_t>(cut), counts.end());
    std::vector<Seen> got = RunSeries(first, head, Spike());
    SpikeSeries second;
    ASSERT_TRUE(second.Deserialize(first.Serialize()));
    second.Resume(1000 + static_cast<int64_t>(cut));
    for (const Seen& e : RunSeries(second, tail, Spike(), static_cast<int64_t>(cut))) got.push_back(e);
    EXPECT_EQ(got, expected) << "restart after bucket " << cut;
  }
}

TEST(SpikeSeriesTest, ResumeAfterALongStopSkipsTheUnknownGap) {
  SpikeSeries s;
  SpikeOptions o = Spike();
  o.dips = true;
  RunSeries(s, Steady(20), o);
  s.Add(1020, 5);  // a partial bucket when the daemon stopped
  SpikeSeries restored;
  ASSERT_TRUE(restored.Deserialize(s.Serialize()));
  restored.Resume(1030);
  restored.Add(1030, 20);
  EXPECT_TRUE(restored.Advance(1031, o).empty());
  EXPECT_EQ(restored.open_bucket(), 1031);
  // Without Resume the partial bucket and the silent gap would read as a dip.
  s.Add(1030, 20);
  auto events = s.Advance(1031, o);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, Kind::kDip);
}

TEST(SpikeSeriesTest, GarbageStateIsRefused) {
  SpikeSeries s;
  s.Add(5, 3);
  for (std::string_view bad : {"", "{", "[]", "{\"open\": 1}", "\xFF\xFE", "{\"history\": 3}"}) {
    EXPECT_FALSE(s.Deserialize(bad)) << bad;
  }
  EXPECT_EQ(s.open_count(), 3);
}

SentimentShiftOptions Shift() {
  SentimentShiftOptions o;
  o.bucket = std::chrono::hours(1);
  o.recent_buckets = 3;
  o.baseline_buckets = 24;
  o.drop = 0.3;
  o.min_recent = 20;
  o.min_baseline = 50;
  o.cooldown = std::chrono::hours(6);
  return o;
}

// Feeds `per_bucket` mentions of `score` in each of `buckets` buckets.
std::vector<int64_t> Feed(ShiftTracker& t, int64_t& bucket, int buckets, int per_bucket, double score) {
  std::vector<int64_t> fired;
  for (int i = 0; i < buckets; ++i, ++bucket) {
    for (int k = 0; k < per_bucket; ++k) t.Add(bucket, score);
    for (const auto& e : t.Advance(bucket + 1, Shift())) fired.push_back(e.bucket);
  }
  return fired;
}

TEST(ShiftTrackerTest, DropFiresOnceAndRecoveryRearmsAfterCooldown) {
  ShiftTracker t;
  int64_t bucket = 0;
  EXPECT_TRUE(Feed(t, bucket, 30, 10, 0.3).empty());
  // 0.3 -> -0.2: the recent average crosses the drop within the 3 recent buckets.
  std::vector<int64_t> fired = Feed(t, bucket, 6, 10, -0.2);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], 31);  // needs 2 of 3 recent buckets below to drop 0.33
  EXPECT_TRUE(Feed(t, bucket, 30, 10, 0.3).empty());
  EXPECT_EQ(Feed(t, bucket, 6, 10, -0.2).size(), 1u);
}

TEST(ShiftTrackerTest, SmallDropsAndThinDataAreIgnored) {
  ShiftTracker t;
  int64_t bucket = 0;
  EXPECT_TRUE(Feed(t, bucket, 30, 10, 0.3).empty());
  EXPECT_TRUE(Feed(t, bucket, 10, 10, 0.1).empty());  // drop of 0.2 < 0.3
  ShiftTracker thin;
  bucket = 0;
  EXPECT_TRUE(Feed(thin, bucket, 30, 1, 0.5).empty());
  EXPECT_TRUE(Feed(thin, bucket, 6, 5, -0.8).empty());  // 15 recent mentions < min_recent
}

TEST(ShiftTrackerTest, StateRoundTrips) {
  ShiftTracker a;
  int64_t bucket = 0;
  Feed(a, bucket, 30, 10, 0.3);
  ShiftTracker b;
  ASSERT_TRUE(b.Deserialize(a.Serialize()));
  int64_t bucket_b = bucket;
  EXPECT_EQ(Feed(a, bucket, 6, 10, -0.2), Feed(b, bucket_b, 6, 10, -0.2));
  EXPECT_FALSE(b.Deserialize("{\"history\": [[1]]}"));
}

EmergingTermsOptions Terms() {
  EmergingTermsOptions o;
  o.bucket = std::chrono::hours(1);
  o.warm_up = 6;
  o.ratio = 4;
  o.min_count = 5;
  o.top = 2;
  o.max_terms = 100;
  o.cooldown = std::chrono::hours(12);
  return o;
}

using Words = std::vector<std::string>;

// Adds `n` mentions of `words` to the open bucket.
void AddN(TermTracker& t, int64_t bucket, int n, const Words& words) {
  for (int i = 0; i < n; ++i) t.Add(bucket, words, Terms());
}

constexpr int64_t kHourMs = 3'600'000;

std::vector<std::string> Close(TermTracker& t, int64_t bucket) {
  std::vector<std::string> out;
  for (const auto& [b, terms] : t.Advance(bucket + 1, (bucket + 1) * kHourMs, Terms())) {
    for (const auto& e : terms) out.push_back(e.term);
  }
  return out;
}

TEST(TermTrackerTest, SteadyTermsNeverEmergeNewOnesDo) {
  TermTracker t;
  int64_t b = 0;
  for (; b < 12; ++b) {
    AddN(t, b, 20, {"shipping", "price"});
    EXPECT_TRUE(Close(t, b).empty()) << b;
  }
  AddN(t, b, 20, {"shipping", "price"});
  AddN(t, b, 30, {"recall", "#boycott", "shipping"});
  AddN(t, b, 6, {"battery"});
  // Top 2 by surprise: recall and #boycott (30 vs 0); shipping 50 vs 20 is not 4x.
  EXPECT_EQ(Close(t, b), (std::vector<std::string>{"#boycott", "recall"}));
  ++b;
  // Still storming an hour later: the same terms are cooling down; battery now shows.
  AddN(t, b, 30, {"recall", "#boycott"});
  AddN(t, b, 8, {"battery"});
  EXPECT_EQ(Close(t, b), (std::vector<std::string>{"battery"}));
}

TEST(TermTrackerTest, NothingEmergesDuringWarmUpOrBelowMinCount) {
  TermTracker t;
  AddN(t, 0, 50, {"recall"});
  EXPECT_TRUE(Close(t, 0).empty());
  for (int64_t b = 1; b < 8; ++b) EXPECT_TRUE(Close(t, b).empty());
  AddN(t, 8, 4, {"outage"});
  EXPECT_TRUE(Close(t, 8).empty());
}

TEST(TermTrackerTest, MemoryIsBoundedByMaxTerms) {
  TermTracker t;
  for (int64_t b = 0; b < 3; ++b) {
    for (int i = 0; i < 1000; ++i) t.Add(b, {"w" + std::to_string(b * 1000 + i)}, Terms());
    Close(t, b);
  }
  EXPECT_LE(t.tracked_terms(), 100u);
}

TEST(TermTrackerTest, StateRoundTrips) {
  TermTracker a;
  for (int64_t b = 0; b < 8; ++b) {
    AddN(a, b, 10, {"shipping"});
    Close(a, b);
  }
  AddN(a, 8, 25, {"lawsuit"});
  TermTracker b;
  EXPECT_FALSE(b.DeserializeOpen(a.SerializeOpen()));  // needs the baselines first
  ASSERT_TRUE(b.DeserializeBaseline(a.SerializeBaseline()));
  ASSERT_TRUE(b.DeserializeOpen(a.SerializeOpen()));
  EXPECT_EQ(Close(a, 8), Close(b, 8));
  EXPECT_FALSE(b.DeserializeBaseline("nope"));
  EXPECT_FALSE(b.DeserializeBaseline(a.SerializeOpen()));
  TermTracker stale;
  ASSERT_TRUE(stale.DeserializeBaseline(a.SerializeBaseline()));  // a has moved on to bucket 9
  EXPECT_FALSE(stale.DeserializeOpen(R"({"open": 3, "counts": {"x": 9}})"));
}

TEST(TermTrackerTest, ChangesSinceTheLastSaveRebuildTheOpenCounts) {
  TermTracker a;
  for (int64_t b = 0; b < 8; ++b) {
    AddN(a, b, 10, {"shipping"});
    Close(a, b);
  }
  AddN(a, 8, 3, {"lawsuit", "shipping"});
  std::string whole = a.SerializeOpen();
  EXPECT_EQ(a.SerializeOpenChanges(), "") << "nothing changed since the whole was saved";
  AddN(a, 8, 20, {"lawsuit"});
  std::string first = a.SerializeOpenChanges();
  AddN(a, 8, 4, {"recall", "lawsuit"});
  std::string second = a.SerializeOpenChanges();
  EXPECT_EQ(first.find("shipping"), std::string::npos) << "only the counts that changed: " << first;
  EXPECT_EQ(second.find("shipping"), std::string::npos) << second;

  TermTracker b;
  ASSERT_TRUE(b.DeserializeBaseline(a.SerializeBaseline()));
  ASSERT_TRUE(b.DeserializeOpen(whole));
  ASSERT_TRUE(b.MergeOpen(first));
  ASSERT_TRUE(b.MergeOpen(second));
  EXPECT_EQ(b.open_terms(), a.open_terms());
  EXPECT_EQ(Close(a, 8), Close(b, 8));
  EXPECT_FALSE(b.MergeOpen(second)) << "changes of another bucket are refused";
}

}  // namespace
}  // namespace brandmon::rules

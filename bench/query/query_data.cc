#include "bench/query/query_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/thread_set.h"
#include "daemon/config/options.h"
#include "daemon/store/store.h"

namespace brandmon::bench {
namespace {

constexpr int64_t kDayMs = 86'400'000;

// Words of made-up text: a few hundred syllable pairs and some words people
// search for, drawn by a Zipf-like law so that the full-text index holds
// common and rare words as real text does.
class Vocabulary {
 public:
  explicit Vocabulary(std::mt19937_64& rng) : rng_(rng) {
    static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "tu", "ra", "si", "po", "de", "va",
                                       "gu", "be", "xo", "ri", "fa", "zu", "te", "ho", "ny", "ce"};
    static const char* kWords[] = {"delivery", "refund",  "support", "broken", "love",   "price", "update",
                                   "outage",   "service", "app",     "order",  "great",  "worst", "helpful",
                                   "late",     "crash",   "battery", "screen", "review", "store"};
    for (const char* w : kWords) words_.push_back(w);
    for (const char* a : kSyllables) {
      for (const char* b : kSyllables) {
        for (const char* c : {"", "n", "s", "r"}) words_.push_back(std::string(a) + b + c);
      }
    }
  }
  const std::string& Word() {
    // Rank ~ u^3 favours the first words.
    double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return words_[static_cast<size_t>(u * u * u * static_cast<double>(words_.size()))];
  }
  std::string Sentence(size_t words, const std::string& brand) {
    std::string out;
    size_t at = words / 3;
    for (size_t i = 0; i < words; ++i) {
      if (!out.empty()) out += ' ';
      out += i == at ? brand : Word();
    }
    return out;
  }

 private:
  std::mt19937_64& rng_;
  std::vector<std::string> words_;
};

// Index into `n` items, the first ones likelier (weights 1/(i+1)).
class Zipf {
 public:
  explicit Zipf(size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cumulative_.push_back(sum += 1.0 / static_cast<double>(i + 1));
  }
  size_t Draw(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
    return static_cast<size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

struct Generator {
  explicit Generator(const QueryDataOptions& o) : options(o), rng(o.seed), words(rng), brands(o.brands), channels(8) {}

  ScoredMention Mention(size_t n) {
    std::uniform_real_distribution<double> unit(0, 1);
    ScoredMention sm;
    sm.brand = BrandName(brands.Draw(rng));
    brandmon::Mention& m = sm.mention;
    m.channel = GeneratedChannels()[channels.Draw(rng)];
    m.source = m.channel + "-" + std::to_string(n % 10);
    m.id = "m" + std::to_string(n);
    m.url = "https://example.com/" + m.channel + "/" + std::to_string(n);
    m.title = words.Sentence(6, sm.brand);
    m.text = words.Sentence(20 + n % 20, sm.brand);
    m.author = "user" + std::to_string(rng() % 50000);
    const auto& langs = GeneratedLangs();
    sm.lang = langs[std::min(langs.size() - 1, static_cast<size_t>(unit(rng) * unit(rng) * langs.size()))];
    m.lang = sm.lang;
    // Reach follows a power law: most posts reach few, a few reach many.
    m.SetMetric("followers", std::floor(20.0 / std::pow(unit(rng) + 1e-9, 1.1)));
    m.SetMetric("likes", static_cast<double>(rng() % 200));
    double r = unit(rng);
    double compound = r < 0.3 ? -0.05 - 0.9 * unit(rng) : r < 0.75 ? 0.08 * unit(rng) - 0.04 : 0.05 + 0.9 * unit(rng);
    sm.sentiment.compound = compound;
    sm.sentiment.pos = compound > 0 ? compound / 2 : 0;
    sm.sentiment.neg = compound < 0 ? -compound / 2 : 0;
    sm.sentiment.neu = 1 - sm.sentiment.pos - sm.sentiment.neg;
    sm.sentiment.label = std::string(SentimentLabel(compound));
    if (n % 3 != 0) sm.sentiment.target = std::clamp(compound * 1.1, -1.0, 1.0);
    sm.matched_terms = {sm.brand};
    return sm;
  }

  Alert AlertOf(const ScoredMention& sm, WallTime ts, size_t n) {
    static const char* kRules[] = {"negative_mention", "needs_reply", "volume_spike", "emerging_terms", "praise"};
    Alert a;
    a.ts = ts;
    a.brand = sm.brand;
    a.rule = kRules[n % 5];
    a.severity = a.rule == "volume_spike" ? Severity::kCritical : Severity::kWarning;
    a.summary = a.rule + " for " + sm.brand + " on " + sm.mention.channel;
    a.dedupe_key = "d" + std::to_string(n);
    if (a.rule == "emerging_terms") {
      a.terms = {{words.Word(), 40, 3}, {words.Word(), 25, 2}, {words.Word(), 12, 1}};
    } else {
      a.mentions = {sm};
      a.snippet = sm.mention.text.substr(0, 120);
    }
    a.figures = {{"count", 12}, {"baseline", 3.5}};
    return a;
  }

  const QueryDataOptions& options;
  std::mt19937_64 rng;
  Vocabulary words;
  Zipf brands;
  Zipf channels;
};

}  // namespace

std::string BrandName(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "brand%03zu", i);
  return buf;
}

const std::vector<std::string>& GeneratedChannels() {
  static const std::vector<std::string> kChannels = {"twitter", "reddit",  "news",     "youtube",
                                                     "rss",     "reviews", "mastodon", "hackernews"};
  return kChannels;
}

const std::vector<std::string>& GeneratedLangs() {
  static const std::vector<std::string> kLangs = {"en", "es", "de", "fr", "pt", "it", "nl", "hi"};
  return kLangs;
}

Status UpgradeQueryData(const std::string& path) {
  ThreadSet threads;
  store::StoreOptions store_options;
  config::ApplyDefaults(store::StoreOptionTable(), store_options);
  store_options.file = path;
  auto st = store::Store::Open(store_options, "", SystemClock::Instance(), threads);
  return st.ok() ? Status::Ok() : st.status();
}

Status GenerateQueryData(const std::string& path, const QueryDataOptions& options, int64_t end_ms,
                         const std::function<void(double done)>& progress) {
  ThreadSet threads;
  FakeClock clock;
  store::StoreOptions store_options;
  config::ApplyDefaults(store::StoreOptionTable(), store_options);
  store_options.file = path;
  auto st = store::Store::Open(store_options, "", clock, threads);
  if (!st.ok()) return st.status();
  std::unique_ptr<store::Store> store = std::move(*st);
  Generator gen(options);
  const int64_t start_ms = end_ms - options.days * kDayMs;
  const size_t batches = std::max<size_t>(1, (options.mentions + options.batch - 1) / options.batch);
  // Each batch is stored at one time, evenly spaced over the range.
  const double spacing = static_cast<double>(end_ms - start_ms) / static_cast<double>(batches);
  size_t n = 0;
  for (size_t b = 0; b < batches; ++b) {
    int64_t at = start_ms + static_cast<int64_t>(spacing * (static_cast<double>(b) + 0.5));
    clock.SetNow(FromUnixMillis(at));
    store::WriteBatch batch;
    for (size_t i = 0; i < options.batch && n < options.mentions; ++i, ++n) {
      ScoredMention sm = gen.Mention(n);
      if (n % options.alert_every == 0) batch.AddAlert(gen.AlertOf(sm, FromUnixMillis(at), n));
      batch.AddMention(std::move(sm));
    }
    if (auto written = store->Write(batch); !written.ok()) return written.status();
    if (progress && (b % 100 == 0 || b + 1 == batches)) {
      progress(static_cast<double>(b + 1) / static_cast<double>(batches));
    }
  }
  for (;;) {
    auto indexed = store->IndexForSearch(50'000);
    if (!indexed.ok()) return indexed.status();
    if (*indexed == 0) break;
  }
  return Status::Ok();
}

}  // namespace brandmon::bench

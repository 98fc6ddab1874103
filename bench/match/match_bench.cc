// Brand matching throughput: 1,000 brands x 10 terms over a generated stream of
// mentions, the one-automaton BrandMatcher against a naive search of every
// term in turn, measured in the same run.
//
//   cmake -S . -B build -DBRANDMON_BENCH=ON && ninja -C build match_bench
//   build/bench/match/match_bench [--brands N] [--mentions N] [--exact-diacritics 1]
//
// --exact-diacritics 1 matches every term only as written, accents included,
// as brands did before diacritic-insensitive matching became the default.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/match/matcher.h"
#include "daemon/text/fold.h"

namespace {

using brandmon::match::BrandMatcher;
using brandmon::match::BrandSpec;
using brandmon::text::FoldedText;
using brandmon::text::FoldMode;

// Made-up pronounceable names, distinct by construction.
std::string BrandName(size_t i) {
  static const char* kSyllables[] = {"ka",  "zo",  "ri",  "ve",  "lu",  "mon", "tex", "dra", "qui", "nex",
                                     "pel", "sor", "vin", "gal", "tru", "bex", "fal", "hor", "jin", "wyn"};
  std::string name;
  size_t n = i + 400;  // at least three syllables
  while (n > 0) {
    name += kSyllables[n % 20];
    n /= 20;
  }
  return name;
}

const std::vector<std::string> kProducts = {"phone", "cloud", "pay", "watch", "drive", "air", "one", "max"};

// Ten terms per brand: name, phrases, hashtag, handle, wildcard, exclusions
// and, for one brand in ten, a NEAR.
std::string BrandQuery(const std::string& n, size_t i) {
  const std::string& p = kProducts[i % kProducts.size()];
  std::string q = "(" + n + " OR \"" + n + " labs\" OR #" + n + " OR @" + n + "hq OR " + n + p + " OR \"" + n + " " +
                  p + "\" OR \"" + p + " by " + n + "\" OR " + n + "ph*) -\"" + n + " scam\"";
  q += i % 10 == 0 ? " -(" + n + "fake NEAR/3 x" + n + ")" : " -" + n + "fake OR x" + n;
  return q;
}

const std::vector<std::string> kWords = {
    "the",     "a",        "is",      "was",      "and",      "or",       "but",      "to",        "of",
    "in",      "on",       "for",     "with",     "my",       "your",     "this",     "that",      "just",
    "really",  "very",     "so",      "not",      "never",    "again",    "still",    "today",     "yesterday",
    "order",   "delivery", "support", "service",  "customer", "price",    "new",      "update",    "app",
    "love",    "hate",     "great",   "terrible", "broken",   "refund",   "waiting",  "days",      "weeks",
    "finally", "arrived",  "package", "store",    "online",   "review",   "stars",    "recommend", "quality",
    "battery", "screen",   "release", "launch",   "event",    "people",   "everyone", "anyone",    "thanks",
    "help",    "please",   "why",     "how",      "what",     "when",     "who",      "does",      "did",
    "can't",   "won't",    "I'm",     "it's",     "lol",      "omg",      "wow",      "seriously", "honestly",
    "amazing", "awful",    "fast",    "slow",     "cheap",    "expensive"};
const std::vector<std::string> kForeign = {"très déçu du service après-vente", "la entrega llegó tarde otra vez",
                                           "schnelle Lieferung, gerne wieder", "обслуживание ужасное, жду возврат",
                                           "配送が遅すぎる、もう買わない",     "这个产品质量很好",
                                           "ótimo atendimento, recomendo",     "Ürün çok güzel ama kargo yavaş"};

std::vector<std::string> Mentions(size_t count, size_t brands, std::mt19937_64& rng) {
  std::vector<std::string> out;
  out.reserve(count);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (size_t m = 0; m < count; ++m) {
    std::string t;
    size_t words = 10 + pick(90);
    for (size_t w = 0; w < words; ++w) {
      if (!t.empty()) t += ' ';
      size_t r = pick(1000);
      if (r < 8) {
        std::string n = BrandName(pick(brands));
        switch (pick(4)) {
          case 0: t += n; break;
          case 1: t += "#" + n; break;
          case 2: t += "@" + n + "hq"; break;
          default: t += n + " labs"; break;
        }
      } else if (r < 12) {
        t += "https://www.example" + std::to_string(pick(50)) + ".com/p/" + std::to_string(pick(100000));
      } else if (r < 20) {
        t += "@user" + std::to_string(pick(10000));
      } else if (r < 30) {
        t += kForeign[pick(kForeign.size())];
      } else {
        std::string word = kWords[pick(kWords.size())];
        if (pick(10) == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
        t += word;
      }
      if (pick(12) == 0) t += pick(2) ? "." : ",";
    }
    if (pick(5) == 0) t += " 😀";
    out.push_back(std::move(t));
  }
  return out;
}

// The baseline: fold once, then look for every term of every brand in turn.
size_t NaiveMatch(const std::vector<std::string>& patterns, const std::vector<uint32_t>& pattern_brand,
                  const std::string& text, FoldedText& folded, std::vector<uint8_t>& seen) {
  brandmon::text::FoldText(text, FoldMode::kCaseOnly, false, &folded);
  std::string_view hay = folded.bytes;
  std::fill(seen.begin(), seen.end(), 0);
  size_t brands = 0;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string& p = patterns[i];
    for (size_t pos = hay.find(p); pos != std::string_view::npos; pos = hay.find(p, pos + 1)) {
      if (brandmon::text::StartsOnBoundary(hay, pos) && brandmon::text::EndsOnBoundary(hay, pos + p.size())) {
        if (!seen[pattern_brand[i]]) ++brands;
        seen[pattern_brand[i]] = 1;
        break;
      }
    }
  }
  return brands;
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of this thread: the figures are per core even when other
// processes compete for the machine.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  size_t brand_count = 1000, mention_count = 20000, naive_count = 1000;
  bool exact = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--exact-diacritics") == 0) exact = std::strcmp(argv[i + 1], "0") != 0;
    if (std::strcmp(argv[i], "--brands") == 0) brand_count = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--mentions") == 0) mention_count = std::strtoul(argv[i + 1], nullptr, 10);
  }
  naive_count = std::min(naive_count, mention_count);
  std::mt19937_64 rng(20240501);

  std::vector<BrandSpec> specs;
  std::vector<std::string> patterns;  // for the baseline: the folded terms, wildcard stems included
  std::vector<uint32_t> pattern_brand;
  for (size_t i = 0; i < brand_count; ++i) {
    std::string n = BrandName(i);
    const std::string& p = kProducts[i % kProducts.size()];
    specs.push_back({n, BrandQuery(n, i), {.diacritic_insensitive = !exact}});
    for (std::string t : {n, n + " labs", "#" + n, "@" + n + "hq", n + p, n + " " + p, p + " by " + n, n + "ph",
                          n + " scam", n + "fake"}) {
      patterns.push_back(t);
      pattern_brand.push_back(static_cast<uint32_t>(i));
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  auto matcher = BrandMatcher::Build(specs);
  auto t1 = std::chrono::steady_clock::now();
  if (!matcher.ok()) {
    std::fprintf(stderr, "build failed: %s\n", matcher.status().message().c_str());
    return 1;
  }
  std::vector<std::string> mentions = Mentions(mention_count, brand_count, rng);
  size_t bytes = 0;
  for (const auto& m : mentions) bytes += m.size();

  // The one-automaton matcher, best of three passes.
  brandmon::match::MatchScratch scratch;
  double best = 1e30, best_wall = 1e30;
  size_t matched = 0;
  for (int pass = 0; pass < 3; ++pass) {
    matched = 0;
    double cpu = CpuSeconds();
    auto start = std::chrono::steady_clock::now();
    for (const auto& m : mentions) {
      brandmon::match::MatchInput in;
      in.text = m;
      matched += matcher->Match(in, scratch).empty() ? 0 : 1;
    }
    best_wall = std::min(best_wall, Seconds(std::chrono::steady_clock::now() - start));
    best = std::min(best, CpuSeconds() - cpu);
  }

  // The naive search over the first mentions (it is far slower).
  size_t naive_bytes = 0, naive_matched = 0;
  FoldedText folded;
  std::vector<uint8_t> seen(brand_count);
  double cpu = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < naive_count; ++i) {
    naive_bytes += mentions[i].size();
    naive_matched += NaiveMatch(patterns, pattern_brand, mentions[i], folded, seen) ? 1 : 0;
  }
  double naive_wall = Seconds(std::chrono::steady_clock::now() - start);
  double naive = CpuSeconds() - cpu;

  double mb = static_cast<double>(bytes) / 1e6, naive_mb = static_cast<double>(naive_bytes) / 1e6;
  std::printf("brands %zu x 10 terms; matcher built in %.0f ms\n", brand_count, Seconds(t1 - t0) * 1e3);
  std::printf("stream: %zu mentions, %.1f MB, %.0f bytes/mention; %zu mentions match a brand\n", mentions.size(), mb,
              static_cast<double>(bytes) / static_cast<double>(mentions.size()), matched);
  std::printf("per CPU second of one thread (wall clock in brackets):\n");
  std::printf("%-8s %10.1f MB/s %12.0f mentions/s   [%.1f MB/s]\n", "matcher", mb / best,
              static_cast<double>(mentions.size()) / best, mb / best_wall);
  std::printf("%-8s %10.1f MB/s %12.0f mentions/s   [%.1f MB/s]   (first %zu mentions; %zu with a term hit)\n", "naive",
              naive_mb / naive, static_cast<double>(naive_count) / naive, naive_mb / naive_wall, naive_count,
              naive_matched);
  std::printf("speedup  %10.1fx\n", (mb / best) / (naive_mb / naive));
  return 0;
}

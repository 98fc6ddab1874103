#pragma once

// The data a report shows, as plain values: the queries fill it, the
// renderers (render.h, svg_charts.h) read it and never touch the store. Times
// are milliseconds since the Unix epoch, UTC.

#include <cstdint>
#include <string>
#include <vector>

namespace brandmon::report {

// One time bucket of one brand: [start_ms, start_ms + step_ms).
struct Bucket {
  int64_t start_ms = 0;
  int64_t negative = 0;
  int64_t neutral = 0;
  int64_t positive = 0;
  double mean_compound = 0;  // -1..1, of the scored mentions; meaningless when none
  double reach = 0;
  int64_t unscored = 0;  // in a language without a lexicon: in no sentiment figure
};

// A brand over the whole range: its buckets in time order and its totals.
struct BrandSeries {
  std::string brand;
  std::vector<Bucket> buckets;
  int64_t total = 0;         // unscored ones included
  double mean_compound = 0;  // -1..1, of the scored mentions
  double pct_negative = 0;   // 0..100, of the scored mentions
  double reach = 0;
  int64_t unscored = 0;  // of total
};

// A key (a channel, a language) and its number of mentions.
struct Count {
  std::string key;
  int64_t mentions = 0;
};

// One mention among the most read ones. Every string is remote text.
struct TopMention {
  std::string brand;
  std::string channel;
  std::string lang;
  std::string label;  // "negative", "neutral", "positive" or "unscored"
  std::string url;
  std::string author;
  std::string title;
  std::string text;
  int64_t published_ms = 0;
  double compound = 0;
  double reach = 0;
};

// One alert the rules raised.
struct AlertRow {
  uint64_t seq = 0;
  int64_t ts_ms = 0;
  std::string brand;
  std::string rule;
  std::string severity;
  std::string summary;
};

// One source's health as last committed: a source failing for a while is
// why a channel went quiet. Names and errors are local text, shown escaped.
struct SourceHealth {
  std::string name;
  int64_t failures = 0;         // consecutive failed polls; 0: healthy
  int64_t last_success_ms = 0;  // 0: never
  std::string last_error;       // empty when none
  int64_t last_error_ms = 0;    // 0: never
};

// Everything one report shows, for the brands over [since_ms, until_ms) in
// buckets of step_ms, computed at generated_ms.
struct ReportData {
  std::vector<std::string> brands;
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  int64_t step_ms = 0;
  int64_t generated_ms = 0;
  std::vector<BrandSeries> series;
  std::vector<Count> channels;
  std::vector<Count> languages;
  std::vector<TopMention> top;              // by reach, highest first
  std::vector<AlertRow> alerts;             // latest first
  std::vector<std::string> emerging_terms;  // of the latest emerging-terms alert
  std::vector<SourceHealth> sources;        // by name
};

}  // namespace brandmon::report

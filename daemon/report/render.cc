#include "daemon/report/render.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <string_view>

#include "daemon/report/format.h"

namespace brandmon::report {

Kpis Summarize(const ReportData& data) {
  Kpis k;
  double negative = 0;
  double compound = 0;
  for (const BrandSeries& s : data.series) {
    double n = NonNegative(static_cast<double>(s.total));
    k.mentions += n;
    negative += n * Clamp(s.pct_negative, 0, 100) / 100;
    compound += n * Clamp(s.mean_compound, -1, 1);
    k.reach += NonNegative(s.reach);
  }
  if (k.mentions > 0) {
    k.pct_negative = 100 * negative / k.mentions;
    k.mean_compound = compound / k.mentions;
  }
  return k;
}

namespace {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Str(JsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  std::string clean = CleanText(value);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void Int(JsonWriter& w, std::string_view key, int64_t value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Int64(value);
}

void Num(JsonWriter& w, std::string_view key, double value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  if (std::isfinite(value)) {
    w.Double(value);
  } else {
    w.Null();
  }
}

// A time as milliseconds (`<key>_ms`) and as RFC 3339 text (`<key>`, to the
// second, clamped to the years 1970 to 9999).
void Time(JsonWriter& w, std::string_view key, int64_t ms) {
  Int(w, std::string(key) + "_ms", ms);
  Str(w, key, FormatUtc(ms, UtcStyle::kRfc3339));
}

void WriteSeries(JsonWriter& w, const BrandSeries& s) {
  w.StartObject();
  Str(w, "brand", s.brand);
  Int(w, "total", s.total);
  if (s.unscored > 0) Int(w, "unscored", s.unscored);
  Num(w, "mean_compound", s.mean_compound);
  Num(w, "pct_negative", s.pct_negative);
  Num(w, "reach", s.reach);
  w.Key("buckets");
  w.StartArray();
  for (const Bucket& b : s.buckets) {
    w.StartObject();
    Time(w, "start", b.start_ms);
    Int(w, "negative", b.negative);
    Int(w, "neutral", b.neutral);
    Int(w, "positive", b.positive);
    if (b.unscored > 0) Int(w, "unscored", b.unscored);
    Num(w, "mean_compound", b.mean_compound);
    Num(w, "reach", b.reach);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteCounts(JsonWriter& w, std::string_view key, const std::vector<Count>& counts) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.StartArray();
  for (const Count& c : counts) {
    w.StartObject();
    Str(w, "key", c.key);
    Int(w, "mentions", c.mentions);
    w.EndObject();
  }
  w.EndArray();
}

void WriteTop(JsonWriter& w, const TopMention& m) {
  w.StartObject();
  Str(w, "brand", m.brand);
  Str(w, "channel", m.channel);
  Str(w, "lang", m.lang);
  Str(w, "label", m.label);
  Str(w, "url", m.url);
  Str(w, "author", m.author);
  Str(w, "title", m.title);
  Str(w, "text", m.text);
  Time(w, "published", m.published_ms);
  Num(w, "compound", m.compound);
  Num(w, "reach", m.reach);
  w.EndObject();
}

void WriteAlert(JsonWriter& w, const AlertRow& a) {
  w.StartObject();
  w.Key("seq");
  w.Uint64(a.seq);
  Time(w, "ts", a.ts_ms);
  Str(w, "brand", a.brand);
  Str(w, "rule", a.rule);
  Str(w, "severity", a.severity);
  Str(w, "summary", a.summary);
  w.EndObject();
}

// As Time, with both null for 0 ("never").
void OptionalTime(JsonWriter& w, std::string_view key, int64_t ms) {
  if (ms != 0) return Time(w, key, ms);
  w.Key((std::string(key) + "_ms").c_str());
  w.Null();
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Null();
}

void WriteSource(JsonWriter& w, const SourceHealth& h) {
  w.StartObject();
  Str(w, "name", h.name);
  Int(w, "failures", h.failures);
  OptionalTime(w, "last_success", h.last_success_ms);
  Str(w, "last_error", h.last_error);
  OptionalTime(w, "last_error_at", h.last_error_ms);
  w.EndObject();
}

void WriteStrings(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.StartArray();
  for (const std::string& v : values) {
    std::string clean = CleanText(v);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
  w.EndArray();
}

}  // namespace

std::string RenderJson(const ReportData& data) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  WriteStrings(w, "brands", data.brands);
  Time(w, "since", data.since_ms);
  Time(w, "until", data.until_ms);
  Int(w, "step_ms", data.step_ms);
  Time(w, "generated", data.generated_ms);
  w.Key("series");
  w.StartArray();
  for (const BrandSeries& s : data.series) WriteSeries(w, s);
  w.EndArray();
  WriteCounts(w, "channels", data.channels);
  WriteCounts(w, "languages", data.languages);
  w.Key("top");
  w.StartArray();
  for (const TopMention& m : data.top) WriteTop(w, m);
  w.EndArray();
  w.Key("alerts");
  w.StartArray();
  for (const AlertRow& a : data.alerts) WriteAlert(w, a);
  w.EndArray();
  WriteStrings(w, "emerging_terms", data.emerging_terms);
  w.Key("sources");
  w.StartArray();
  for (const SourceHealth& h : data.sources) WriteSource(w, h);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace brandmon::report

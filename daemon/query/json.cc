#include "daemon/query/json.h"

#include <rapidjson/document.h>

#include <cmath>

#include "daemon/base/scored_mention.h"
#include "daemon/base/units.h"

namespace brandmon::query {
namespace {

void Key(JsonWriter& w, std::string_view key) { w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }

void Str(JsonWriter& w, std::string_view value) {
  std::string valid = ValidUtf8(value);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void Num(JsonWriter& w, double value) {
  if (std::isfinite(value)) {
    w.Double(value);
  } else {
    w.Null();
  }
}

void Time(JsonWriter& w, std::string_view key, const std::optional<WallTime>& t) {
  Key(w, key);
  if (t) {
    w.String(FormatRfc3339(*t));
  } else {
    w.Null();
  }
}

void WriteTotals(JsonWriter& w, const Totals& t) {
  w.Key("mentions");
  w.Int64(t.mentions);
  w.Key("unscored");
  w.Int64(t.unscored);
  w.Key("mean_score");
  Num(w, t.mean_score);
  w.Key("negative_pct");
  Num(w, t.negative_pct);
  w.Key("reach");
  Num(w, t.reach);
}

void Raw(JsonWriter& w, const std::string& json) { w.RawValue(json.data(), json.size(), rapidjson::kObjectType); }

}  // namespace

std::string MentionJson(const MentionRow& row) {
  std::string json = ScoredMentionToJson(row.stored.scored);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  Time(w, "stored_at", row.stored.stored_at);
  w.Key("reach");
  Num(w, row.reach);
  w.EndObject();
  // Both are compact objects: the second's members follow the first's.
  json.pop_back();
  json += ',';
  json.append(buf.GetString() + 1, buf.GetSize() - 1);
  return json;
}

void WriteSeries(JsonWriter& w, const TimeSeriesResult& r) {
  w.StartObject();
  w.Key("start");
  w.String(FormatRfc3339(FromUnixMillis(r.start_ms)));
  w.Key("step");
  w.String(FormatDuration(r.step));
  if (r.split != Dimension::kNone) {
    w.Key("split");
    w.String(std::string(DimensionName(r.split)));
  }
  w.Key("series");
  w.StartArray();
  for (const Series& s : r.series) {
    w.StartObject();
    w.Key("brand");
    Str(w, s.brand);
    if (r.split != Dimension::kNone) {
      Key(w, DimensionName(r.split));
      Str(w, s.split);
    }
    w.Key("buckets");
    w.StartArray();
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      w.StartObject();
      w.Key("start");
      w.String(FormatRfc3339(FromUnixMillis(r.start_ms + static_cast<int64_t>(i) * r.step.count())));
      WriteTotals(w, s.buckets[i]);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteBreakdown(JsonWriter& w, Dimension by, const std::vector<BreakdownRow>& rows) {
  w.StartObject();
  w.Key("by");
  w.String(std::string(DimensionName(by)));
  w.Key("rows");
  w.StartArray();
  for (const BreakdownRow& row : rows) {
    w.StartObject();
    Key(w, DimensionName(by));
    Str(w, row.key);
    WriteTotals(w, row.totals);
    w.Key("share_pct");
    Num(w, row.share_pct);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteMentionPage(JsonWriter& w, const MentionPage& page) {
  w.StartObject();
  w.Key("mentions");
  w.StartArray();
  for (const MentionRow& row : page.mentions) Raw(w, MentionJson(row));
  w.EndArray();
  w.Key("next_cursor");
  if (page.next_cursor.empty()) {
    w.Null();
  } else {
    w.String(page.next_cursor);
  }
  w.EndObject();
}

void WriteAlertPage(JsonWriter& w, const AlertPage& page) {
  w.StartObject();
  w.Key("alerts");
  w.StartArray();
  for (const AlertRow& a : page.alerts) {
    w.StartObject();
    w.Key("seq");
    w.Uint64(a.seq);
    Time(w, "ts", a.ts);
    w.Key("topic");
    Str(w, a.topic);
    rapidjson::Document doc;
    doc.Parse(a.payload.data(), a.payload.size());
    if (!doc.HasParseError() && doc.IsObject()) {
      w.Key("alert");
      doc.Accept(w);
    } else {
      w.Key("payload");
      Str(w, a.payload);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("next_cursor");
  if (page.next_cursor.empty()) {
    w.Null();
  } else {
    w.String(page.next_cursor);
  }
  w.EndObject();
}

void WriteSources(JsonWriter& w, const std::vector<store::SourceState>& sources) {
  w.StartObject();
  w.Key("sources");
  w.StartArray();
  for (const store::SourceState& s : sources) {
    w.StartObject();
    w.Key("source");
    Str(w, s.source);
    w.Key("failures");
    w.Int64(s.failures);
    w.Key("backoff");
    w.String(FormatDuration(s.backoff));
    Time(w, "last_success", s.last_success);
    w.Key("last_error");
    Str(w, s.last_error);
    Time(w, "last_error_at", s.last_error_at);
    Time(w, "next_attempt", s.next_attempt);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace brandmon::query

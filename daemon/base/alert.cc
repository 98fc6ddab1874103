#include "daemon/base/alert.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <limits>
#include <tuple>

#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"

namespace brandmon {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

const double* Alert::Figure(std::string_view name) const {
  for (const auto& [key, value] : figures) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string AlertTopic(const Alert& alert) { return "alert." + alert.brand + "." + alert.rule; }

std::string AlertToJson(const Alert& alert) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  std::string repaired;
  auto string_value = [&](std::string_view value) {
    std::string_view valid = ValidUtf8(value, repaired);
    w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  };
  auto number_value = [&](double value) {
    if (std::isfinite(value)) {
      w.Double(value);
    } else {
      w.Null();
    }
  };
  auto str = [&](const char* key, std::string_view value) {
    w.Key(key);
    string_value(value);
  };
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("seq");
  w.Uint64(alert.seq);
  str("ts", FormatRfc3339(alert.ts));
  str("brand", alert.brand);
  str("rule", alert.rule);
  str("severity", SeverityName(alert.severity));
  str("summary", alert.summary);
  if (!alert.snippet.empty()) str("snippet", alert.snippet);
  if (!alert.channel.empty()) str("channel", alert.channel);
  str("dedupe_key", alert.dedupe_key);
  w.Key("mentions");
  w.StartArray();
  for (const auto& m : alert.mentions) {
    std::string json = ScoredMentionToJson(m);
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.Key("figures");
  w.StartObject();
  for (const auto& [name, value] : alert.figures) {
    std::string key = ValidUtf8(name);
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    number_value(value);
  }
  w.EndObject();
  if (!alert.terms.empty()) {
    w.Key("terms");
    w.StartArray();
    for (const auto& t : alert.terms) {
      w.StartObject();
      str("term", t.term);
      w.Key("count");
      number_value(t.count);
      w.Key("baseline");
      number_value(t.baseline);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {

using JsonValue = rapidjson::Value;

Status FieldError(std::string_view field, std::string_view want) {
  return Status::Corrupt("field '" + std::string(field) + "' must be " + std::string(want));
}

// Reads the string member `key` of `obj` into `out`. An absent (or null)
// member is an error only when `required`.
Status ReadString(const JsonValue& obj, const char* key, bool required, std::string& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    return required ? Status::Corrupt(std::string("missing field '") + key + "'") : Status::Ok();
  }
  if (!it->value.IsString()) return FieldError(key, "a string");
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return Status::Ok();
}

// A number, or NaN for null (AlertToJson writes non-finite numbers as null).
Status ReadNumber(const JsonValue& v, std::string_view field, double& out) {
  if (v.IsNull()) {
    out = std::numeric_limits<double>::quiet_NaN();
  } else if (v.IsNumber()) {
    out = v.GetDouble();
  } else {
    return FieldError(field, "a number or null");
  }
  return Status::Ok();
}

Status ReadSentiment(const JsonValue& m, Sentiment& out) {
  auto it = m.FindMember("sentiment");
  if (it == m.MemberEnd() || it->value.IsNull()) return Status::Ok();
  if (!it->value.IsObject()) return FieldError("sentiment", "an object");
  const JsonValue& s = it->value;
  for (auto [key, field] :
       {std::pair{"compound", &out.compound}, {"pos", &out.pos}, {"neu", &out.neu}, {"neg", &out.neg}}) {
    if (auto f = s.FindMember(key); f != s.MemberEnd()) {
      if (auto st = ReadNumber(f->value, std::string("sentiment.") + key, *field); !st.ok()) return st;
    }
  }
  if (auto f = s.FindMember("target"); f != s.MemberEnd() && !f->value.IsNull()) {
    double target = 0;
    if (auto st = ReadNumber(f->value, "sentiment.target", target); !st.ok()) return st;
    out.target = target;
  }
  if (auto f = s.FindMember("scored"); f != s.MemberEnd() && !f->value.IsNull()) {
    if (!f->value.IsBool()) return FieldError("sentiment.scored", "a boolean");
    out.scored = f->value.GetBool();
  }
  return ReadString(s, "label", false, out.label);
}

Result<ScoredMention> ReadScoredMention(const JsonValue& m) {
  if (!m.IsObject()) return FieldError("mentions", "an array of objects");
  // The Mention fields are read by the one Mention parser.
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  m.Accept(w);
  auto mention = MentionFromJson(std::string_view(buf.GetString(), buf.GetSize()));
  if (!mention.ok()) return Status::Corrupt("mention: " + mention.status().message());
  ScoredMention sm;
  sm.mention = std::move(*mention);
  if (auto s = ReadString(m, "brand", false, sm.brand); !s.ok()) return s;
  if (sm.mention.lang) sm.lang = *sm.mention.lang;
  if (auto it = m.FindMember("matched_terms"); it != m.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray()) return FieldError("matched_terms", "an array of strings");
    for (const auto& t : it->value.GetArray()) {
      if (!t.IsString()) return FieldError("matched_terms", "an array of strings");
      sm.matched_terms.emplace_back(t.GetString(), t.GetStringLength());
    }
  }
  if (auto s = ReadSentiment(m, sm.sentiment); !s.ok()) return s;
  return sm;
}

Status ReadMentions(const JsonValue& doc, Alert& alert) {
  auto it = doc.FindMember("mentions");
  if (it == doc.MemberEnd() || it->value.IsNull()) return Status::Ok();
  if (!it->value.IsArray()) return FieldError("mentions", "an array of objects");
  for (const auto& m : it->value.GetArray()) {
    auto sm = ReadScoredMention(m);
    if (!sm.ok()) return sm.status();
    alert.mentions.push_back(std::move(*sm));
  }
  return Status::Ok();
}

Status ReadFiguresAndTerms(const JsonValue& doc, Alert& alert) {
  if (auto it = doc.FindMember("figures"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsObject()) return FieldError("figures", "an object of numbers");
    for (const auto& f : it->value.GetObject()) {
      double value = 0;
      if (auto s = ReadNumber(f.value, "figures", value); !s.ok()) return s;
      alert.figures.emplace_back(std::string(f.name.GetString(), f.name.GetStringLength()), value);
    }
  }
  auto it = doc.FindMember("terms");
  if (it == doc.MemberEnd() || it->value.IsNull()) return Status::Ok();
  if (!it->value.IsArray()) return FieldError("terms", "an array of objects");
  for (const auto& t : it->value.GetArray()) {
    if (!t.IsObject()) return FieldError("terms", "an array of objects");
    TermCount term;
    if (auto s = ReadString(t, "term", true, term.term); !s.ok()) return s;
    for (auto [key, field] : {std::pair{"count", &term.count}, {"baseline", &term.baseline}}) {
      auto f = t.FindMember(key);
      if (f == t.MemberEnd()) continue;
      if (auto s = ReadNumber(f->value, std::string("terms.") + key, *field); !s.ok()) return s;
    }
    alert.terms.push_back(std::move(term));
  }
  return Status::Ok();
}

Status ReadHeader(const JsonValue& doc, Alert& alert) {
  if (auto v = doc.FindMember("v"); v != doc.MemberEnd() && !(v->value.IsInt() && v->value.GetInt() == 1)) {
    return Status::Corrupt("unsupported message version (field 'v' is not 1)");
  }
  auto seq = doc.FindMember("seq");
  if (seq == doc.MemberEnd()) return Status::Corrupt("missing field 'seq'");
  if (!seq->value.IsUint64() || seq->value.GetUint64() == 0) return FieldError("seq", "an integer of at least 1");
  alert.seq = seq->value.GetUint64();
  std::string ts, severity;
  if (auto s = ReadString(doc, "ts", true, ts); !s.ok()) return s;
  auto when = ParseRfc3339(ts);
  if (!when) return FieldError("ts", "an RFC 3339 time");
  alert.ts = *when;
  if (auto s = ReadString(doc, "severity", true, severity); !s.ok()) return s;
  auto level = ParseSeverity(severity);
  if (!level) return FieldError("severity", "info, warning or critical");
  alert.severity = *level;
  for (auto [key, field, required] : {std::tuple{"brand", &alert.brand, true},
                                      {"rule", &alert.rule, true},
                                      {"summary", &alert.summary, true},
                                      {"snippet", &alert.snippet, false},
                                      {"channel", &alert.channel, false},
                                      {"dedupe_key", &alert.dedupe_key, true}}) {
    if (auto s = ReadString(doc, key, required, *field); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Result<Alert> AlertFromJson(std::string_view json) {
  rapidjson::Document doc;
  // Iterative parsing: a deeply nested message cannot exhaust the stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Status::Corrupt("invalid json at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status::Corrupt("expected a json object");
  Alert alert;
  if (auto s = ReadHeader(doc, alert); !s.ok()) return s;
  if (auto s = ReadMentions(doc, alert); !s.ok()) return s;
  if (auto s = ReadFiguresAndTerms(doc, alert); !s.ok()) return s;
  return alert;
}

}  // namespace brandmon

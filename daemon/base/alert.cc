#include "daemon/base/alert.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

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
  auto string_value = [&](std::string_view value) {
    std::string valid = ValidUtf8(value);
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

}  // namespace brandmon

#include "daemon/base/mention.h"

#include <cmath>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"

namespace brandmon {

const double* Mention::Metric(std::string_view name) const {
  for (const auto& [key, value] : metrics) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Mention::SetMetric(std::string name, double value) {
  if (!std::isfinite(value)) return;  // JSON has no inf or NaN: MentionToJson could not write it
  for (auto& [key, existing] : metrics) {
    if (key == name) {
      existing = value;
      return;
    }
  }
  metrics.emplace_back(std::move(name), value);
}

std::string MentionToJson(const Mention& m) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  str("source", m.source);
  str("channel", m.channel);
  str("id", m.id);
  str("url", m.url);
  str("title", m.title);
  str("text", m.text);
  str("author", m.author);
  w.Key("published");
  if (m.published) {
    std::string ts = FormatRfc3339(*m.published);
    w.String(ts.data(), static_cast<rapidjson::SizeType>(ts.size()));
  } else {
    w.Null();
  }
  w.Key("lang");
  if (m.lang) {
    w.String(m.lang->data(), static_cast<rapidjson::SizeType>(m.lang->size()));
  } else {
    w.Null();
  }
  w.Key("metrics");
  w.StartObject();
  for (const auto& [key, value] : m.metrics) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.Double(value);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<Mention> MentionFromJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Status::Corrupt("invalid json at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status::Corrupt("expected a json object");
  Mention m;
  auto get = [&](const char* key, std::string& out) -> Status {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || it->value.IsNull()) return Status::Ok();
    if (!it->value.IsString()) return Status::Corrupt(std::string("field '") + key + "' must be a string");
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return Status::Ok();
  };
  for (auto [key, field] : {std::pair{"source", &m.source},
                            {"channel", &m.channel},
                            {"id", &m.id},
                            {"url", &m.url},
                            {"title", &m.title},
                            {"text", &m.text},
                            {"author", &m.author}}) {
    if (auto s = get(key, *field); !s.ok()) return s;
  }
  std::string published;
  if (auto s = get("published", published); !s.ok()) return s;
  if (!published.empty()) {
    auto t = ParseRfc3339(published);
    if (!t) return Status::Corrupt("field 'published' is not an RFC 3339 time: \"" + published + "\"");
    m.published = *t;
  }
  std::string lang;
  if (auto s = get("lang", lang); !s.ok()) return s;
  if (!lang.empty()) m.lang = lang;
  if (auto it = doc.FindMember("metrics"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsObject()) return Status::Corrupt("field 'metrics' must be an object");
    for (const auto& member : it->value.GetObject()) {
      if (!member.value.IsNumber()) continue;
      m.SetMetric(member.name.GetString(), member.value.GetDouble());
    }
  }
  return m;
}

}  // namespace brandmon

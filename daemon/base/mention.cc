#include "daemon/base/mention.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/base/safe_text.h"
#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"

namespace brandmon {

namespace {

constexpr std::string_view kKindNames[] = {"", "social", "review", "forum", "news", "blog", "video"};

// Well-known channel names (lower case) and their kinds.
constexpr std::pair<std::string_view, ChannelKind> kChannelKinds[] = {
    {"x", ChannelKind::kSocial},           {"twitter", ChannelKind::kSocial},    {"mastodon", ChannelKind::kSocial},
    {"bluesky", ChannelKind::kSocial},     {"threads", ChannelKind::kSocial},    {"facebook", ChannelKind::kSocial},
    {"instagram", ChannelKind::kSocial},   {"linkedin", ChannelKind::kSocial},   {"tiktok", ChannelKind::kSocial},
    {"appstore", ChannelKind::kReview},    {"googleplay", ChannelKind::kReview}, {"google_play", ChannelKind::kReview},
    {"trustpilot", ChannelKind::kReview},  {"yelp", ChannelKind::kReview},       {"g2", ChannelKind::kReview},
    {"reviews", ChannelKind::kReview},     {"reddit", ChannelKind::kForum},      {"hackernews", ChannelKind::kForum},
    {"forum", ChannelKind::kForum},        {"rss", ChannelKind::kNews},          {"atom", ChannelKind::kNews},
    {"google_alerts", ChannelKind::kNews}, {"news", ChannelKind::kNews},         {"blog", ChannelKind::kBlog},
    {"youtube", ChannelKind::kVideo},
};

bool EqualsLower(std::string_view s, std::string_view lower) {
  return s.size() == lower.size() && std::equal(s.begin(), s.end(), lower.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

}  // namespace

std::string_view ChannelKindName(ChannelKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<ChannelKind> ParseChannelKind(std::string_view name) {
  for (size_t i = 1; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<ChannelKind>(i);
  }
  return std::nullopt;
}

const std::vector<std::string>& ChannelKindNames() {
  static const std::vector<std::string> names(std::begin(kKindNames) + 1, std::end(kKindNames));
  return names;
}

ChannelKind KindOfChannel(std::string_view channel) {
  for (const auto& [name, kind] : kChannelKinds) {
    if (EqualsLower(channel, name)) return kind;
  }
  return ChannelKind::kUnknown;
}

bool SameAccount(std::string_view a, std::string_view b) {
  auto bare = [](std::string_view s) { return s.starts_with('@') ? s.substr(1) : s; };
  a = bare(a);
  b = bare(b);
  if (a.empty() || b.empty()) return false;
  size_t a_host = a.find('@'), b_host = b.find('@');
  if ((a_host == std::string_view::npos) != (b_host == std::string_view::npos)) {
    a = a.substr(0, a_host);
    b = b.substr(0, b_host);
  }
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

ChannelKind ResolveKind(const Mention& m) {
  if (m.kind != ChannelKind::kUnknown) return m.kind;
  ChannelKind by_channel = KindOfChannel(m.channel);
  return by_channel != ChannelKind::kUnknown ? by_channel : ChannelKind::kSocial;
}

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

double Reach(const Mention& mention) {
  double reach = 0;
  for (const char* name : {"followers", "likes", "shares", "replies"}) {
    if (const double* v = mention.Metric(name); v && std::isfinite(*v)) reach = std::max(reach, *v);
  }
  return reach;
}

namespace {

// The fields that can be marked truncated, in the contract's order.
constexpr std::string_view kCappedFields[] = {"source", "channel", "id",       "url", "title",
                                              "text",   "author",  "reply_to", "lang"};

size_t FieldRank(std::string_view field) {
  auto it = std::find(std::begin(kCappedFields), std::end(kCappedFields), field);
  return static_cast<size_t>(it - std::begin(kCappedFields));
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Replaces unsafe characters in *value and cuts it to `cap` bytes; returns
// whether it was cut.
bool Clean(std::string& value, size_t cap) {
  bool changed = false;
  std::string clean = ReplaceUnsafe(value, &changed);
  if (changed) value = std::move(clean);
  if (value.size() <= cap) return false;
  value.resize(Utf8PrefixLength(value, cap));
  return true;
}

// Like Clean, for an id that must stay distinct from every other id once
// changed. Returns whether it was cut (a replaced character alone is no cut).
bool CleanId(std::string& id, size_t cap) {
  constexpr size_t kSuffix = 17;  // '~' and 16 hex digits
  bool changed = false;
  std::string clean = ReplaceUnsafe(id, &changed);
  bool cut = clean.size() > cap;
  if (!changed && !cut) return false;
  char suffix[kSuffix + 1];
  std::snprintf(suffix, sizeof(suffix), "~%016llx", static_cast<unsigned long long>(Fnv1a(id)));
  size_t room = cap > kSuffix ? cap - kSuffix : 0;
  clean.resize(Utf8PrefixLength(clean, room));
  id = clean + suffix;
  return cut;
}

}  // namespace

void MarkTruncated(Mention& m, std::string_view field) {
  if (std::find(m.truncated.begin(), m.truncated.end(), field) != m.truncated.end()) return;
  size_t rank = FieldRank(field);
  auto pos = std::find_if(m.truncated.begin(), m.truncated.end(),
                          [rank](const std::string& f) { return FieldRank(f) > rank; });
  m.truncated.insert(pos, std::string(field));
}

void NormalizeMention(Mention& m, const MentionLimits& limits) {
  auto cap = [&m](const char* name, std::string& value, uint64_t limit) {
    if (Clean(value, static_cast<size_t>(limit))) MarkTruncated(m, name);
  };
  cap("source", m.source, kMaxShortField);
  cap("channel", m.channel, kMaxShortField);
  if (CleanId(m.id, static_cast<size_t>(limits.id))) MarkTruncated(m, "id");
  cap("url", m.url, limits.url);
  cap("title", m.title, limits.title);
  cap("text", m.text, limits.text);
  cap("author", m.author, limits.author);
  cap("reply_to", m.reply_to, limits.author);
  if (m.lang) {
    cap("lang", *m.lang, kMaxShortField);
    if (m.lang->empty()) m.lang.reset();
  }
  for (auto& [name, value] : m.metrics) Clean(name, kMaxShortField);
  std::erase_if(m.truncated, [](const std::string& f) { return FieldRank(f) == std::size(kCappedFields); });
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
  if (m.kind != ChannelKind::kUnknown) str("kind", std::string(ChannelKindName(m.kind)));
  str("id", m.id);
  str("url", m.url);
  str("title", m.title);
  str("text", m.text);
  str("author", m.author);
  if (!m.reply_to.empty()) str("reply_to", m.reply_to);
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
  if (!m.truncated.empty()) {
    w.Key("truncated");
    w.StartArray();
    for (const auto& field : m.truncated) w.String(field.data(), static_cast<rapidjson::SizeType>(field.size()));
    w.EndArray();
  }
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
                            {"author", &m.author},
                            {"reply_to", &m.reply_to}}) {
    if (auto s = get(key, *field); !s.ok()) return s;
  }
  std::string kind;
  if (auto s = get("kind", kind); !s.ok()) return s;
  if (!kind.empty()) {
    auto parsed = ParseChannelKind(kind);
    if (!parsed) {
      return Status::Corrupt("field 'kind' must be one of social, review, forum, news, blog or video, got \"" +
                             ReplaceUnsafe(kind.substr(0, 64)) + "\"");
    }
    m.kind = *parsed;
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
  // A source that cut fields itself says which; names outside the contract
  // are ignored.
  if (auto it = doc.FindMember("truncated"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray()) return Status::Corrupt("field 'truncated' must be an array of field names");
    for (const auto& field : it->value.GetArray()) {
      if (!field.IsString()) return Status::Corrupt("field 'truncated' must be an array of field names");
      std::string_view name(field.GetString(), field.GetStringLength());
      if (FieldRank(name) < std::size(kCappedFields)) MarkTruncated(m, name);
    }
  }
  return m;
}

}  // namespace brandmon

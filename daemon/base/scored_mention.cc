#include "daemon/base/scored_mention.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"

namespace brandmon {

std::string_view SentimentLabel(double compound) {
  if (compound >= 0.05) return "positive";
  if (compound <= -0.05) return "negative";
  return "neutral";
}

namespace {}  // namespace

std::string_view ValidUtf8(std::string_view text, std::string& repaired) {
  // ASCII is checked without decoding, and a valid text (most) is returned
  // as it is: exports and every alert's payload pass each stored field
  // through here.
  size_t run = 0;
  bool invalid = false;
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = DecodeUtf8At(text, i, &cp);
    if (len > 0) {
      i += len;
      continue;
    }
    if (!invalid) {
      repaired.clear();
      repaired.reserve(text.size() + 2);
      invalid = true;
    }
    repaired.append(text.substr(run, i - run));
    repaired += "\xEF\xBF\xBD";
    run = ++i;
  }
  if (!invalid) return text;
  repaired.append(text.substr(run));
  return repaired;
}

std::string ValidUtf8(std::string_view text) {
  std::string repaired;
  return std::string(ValidUtf8(text, repaired));
}

std::string ScoredMentionToJson(const ScoredMention& sm) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  std::string repaired;
  auto str = [&](const char* key, std::string_view value) {
    std::string_view valid = ValidUtf8(value, repaired);
    w.Key(key);
    w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  };
  auto num = [&](const char* key, double value) {
    w.Key(key);
    if (std::isfinite(value)) {
      w.Double(value);
    } else {
      w.Null();
    }
  };
  const Mention& m = sm.mention;
  w.StartObject();
  str("source", m.source);
  str("channel", m.channel);
  if (m.kind != ChannelKind::kUnknown) str("kind", ChannelKindName(m.kind));
  str("id", m.id);
  str("url", m.url);
  str("title", m.title);
  str("text", m.text);
  str("author", m.author);
  if (!m.reply_to.empty()) str("reply_to", m.reply_to);
  if (m.published) {
    str("published", FormatRfc3339(*m.published));
  } else {
    w.Key("published");
    w.Null();
  }
  w.Key("metrics");
  w.StartObject();
  for (const auto& [key, value] : m.metrics) num(ValidUtf8(key).c_str(), value);
  w.EndObject();
  str("brand", sm.brand);
  if (!sm.lang.empty()) {
    str("lang", sm.lang);
  } else if (m.lang) {
    str("lang", *m.lang);
  } else {
    w.Key("lang");
    w.Null();
  }
  w.Key("matched_terms");
  w.StartArray();
  for (const auto& t : sm.matched_terms) {
    std::string valid = ValidUtf8(t);
    w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  }
  w.EndArray();
  w.Key("sentiment");
  w.StartObject();
  num("compound", sm.sentiment.compound);
  num("pos", sm.sentiment.pos);
  num("neu", sm.sentiment.neu);
  num("neg", sm.sentiment.neg);
  str("label", sm.sentiment.label);
  if (sm.sentiment.target) num("target", *sm.sentiment.target);
  // Only when false, so that scored mentions read as they always have.
  if (!sm.sentiment.scored) {
    w.Key("scored");
    w.Bool(false);
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

}  // namespace brandmon

#include "daemon/store/fields.h"

#include <charconv>
#include <cstdio>

namespace brandmon::store {

namespace {

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out.append(field);
}

}  // namespace

std::string EncodeList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) AppendField(out, item);
  return out;
}

std::vector<std::string> DecodeList(std::string_view encoded) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < encoded.size()) {
    size_t colon = encoded.find(':', i);
    if (colon == std::string_view::npos) break;
    size_t len = 0;
    auto [end, ec] = std::from_chars(encoded.data() + i, encoded.data() + colon, len);
    if (ec != std::errc() || end != encoded.data() + colon || len > encoded.size() - colon - 1) break;
    out.emplace_back(encoded.substr(colon + 1, len));
    i = colon + 1 + len;
  }
  return out;
}

std::string EncodeMetrics(const std::vector<std::pair<std::string, double>>& metrics) {
  std::string out;
  for (const auto& [name, value] : metrics) {
    // As printf's "%.17g" writes it (the standard defines to_chars so), a
    // few times faster.
    char buf[32];
    auto written = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 17);
    AppendField(out, name);
    AppendField(out, std::string_view(buf, static_cast<size_t>(written.ptr - buf)));
  }
  return out;
}

std::vector<std::pair<std::string, double>> DecodeMetrics(std::string_view encoded) {
  std::vector<std::string> fields = DecodeList(encoded);
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    double value = 0;
    const std::string& text = fields[i + 1];
    (void)std::from_chars(text.data(), text.data() + text.size(), value);
    out.emplace_back(fields[i], value);
  }
  return out;
}

std::string_view StoredLang(const ScoredMention& sm) {
  if (!sm.lang.empty()) return sm.lang;
  if (sm.mention.lang) return *sm.mention.lang;
  return {};
}

std::string_view StoredLabel(const Sentiment& s) { return s.scored ? std::string_view(s.label) : kUnscoredLabel; }

void ReadStoredLabel(std::string_view stored, Sentiment& s) {
  s.scored = stored != kUnscoredLabel;
  s.label.assign(s.scored ? stored : std::string_view("neutral"));
}

}  // namespace brandmon::store

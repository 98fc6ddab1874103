#include "daemon/http/exposition.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace brandmon::http {

namespace {

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    // Counters up to 2^53 are exact in a double: written as integers.
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
    out.append(buf, end);
  } else {
    // The shortest text that reads back as the same double: bucket bounds
    // such as 0.1 stay "0.1".
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
  }
}

void AppendEscaped(std::string& out, std::string_view value) {
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.substr(start, i - start));
    out += c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\";
    start = i + 1;
  }
  out.append(value.substr(start));
}

}  // namespace

std::string FormatValue(double value) {
  std::string out;
  AppendValue(out, value);
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  AppendEscaped(out, value);
  return out;
}

namespace {

// HELP text escapes only backslash and newline.
std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Exposition::Family(std::string_view name, std::string_view type, std::string_view help) {
  // Format 0.0.4 names a family as its samples are named, "_total"
  // included (OpenMetrics would drop it).
  text_.append("# HELP ").append(name).append(" ").append(EscapeHelp(help)).append("\n");
  text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Exposition::Sample(std::string_view name, const Labels& labels, double value) {
  AppendSample(name, "", labels, "", value);
}

void Exposition::Histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                           std::span<const uint64_t> counts, double sum) {
  assert(counts.size() == bounds.size() + 1);
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    le.clear();
    AppendValue(le, bounds[i]);
    AppendSample(name, "_bucket", labels, le, static_cast<double>(cumulative));
  }
  cumulative += counts.back();
  AppendSample(name, "_bucket", labels, "+Inf", static_cast<double>(cumulative));
  AppendSample(name, "_sum", labels, "", sum);
  AppendSample(name, "_count", labels, "", static_cast<double>(cumulative));
}

void Exposition::AppendSample(std::string_view name, std::string_view suffix, const Labels& labels, std::string_view le,
                              double value) {
  text_.append(name).append(suffix);
  if (labels.size() > 0 || !le.empty()) {
    text_ += '{';
    bool first = true;
    for (const auto& [label, raw] : labels) {
      if (!first) text_ += ',';
      first = false;
      text_.append(label).append("=\"");
      AppendEscaped(text_, raw);
      text_ += '"';
    }
    if (!le.empty()) text_.append(first ? "" : ",").append("le=\"").append(le).append("\"");
    text_ += '}';
  }
  text_ += ' ';
  AppendValue(text_, value);
  text_ += '\n';
}

void Exposition::Single(std::string_view name, std::string_view type, std::string_view help, double value) {
  Family(name, type, help);
  Sample(name, value);
}

}  // namespace brandmon::http

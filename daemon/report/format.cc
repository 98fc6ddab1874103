#include "daemon/report/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"

namespace brandmon::report {

std::string CleanText(std::string_view text) {
  // Most of a report (numbers, labels, keys) is printable ASCII: nothing to replace.
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; })) return std::string(text);
  std::string safe = ReplaceUnsafe(text);
  std::string out;
  out.reserve(safe.size());
  for (size_t i = 0; i < safe.size();) {
    char32_t cp = 0;
    size_t len = DecodeUtf8At(safe, i, &cp);
    if (len == 0) len = 1;  // cannot happen after ReplaceUnsafe; keeps the loop finite
    if (cp == 0xFFFE || cp == 0xFFFF) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(safe, i, len);
    }
    i += len;
  }
  return out;
}

std::string EscapeXml(std::string_view text) {
  std::string clean = CleanText(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Shorten(std::string_view text, size_t max_chars) {
  std::string clean = CleanText(text);
  size_t i = 0;
  for (size_t n = 0; i < clean.size(); ++n) {
    if (n == max_chars) return clean.substr(0, i) + "\xE2\x80\xA6";
    char32_t cp = 0;
    size_t len = DecodeUtf8At(clean, i, &cp);
    i += len == 0 ? 1 : len;
  }
  return clean;
}

bool IsWebUrl(std::string_view url) {
  auto starts = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  size_t host = starts("https://") ? 8 : starts("http://") ? 7 : 0;
  if (host == 0 || host >= url.size() || url[host] == '/') return false;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`') {
      return false;
    }
  }
  return true;
}

double Finite(double v) { return std::isfinite(v) ? v : 0; }

double NonNegative(double v) { return std::isfinite(v) && v > 0 ? v : 0; }

double Clamp(double v, double lo, double hi) {
  if (std::isnan(v)) return lo;
  return std::min(hi, std::max(lo, v));
}

std::string FormatLabel(std::string_view label, double score) {
  if (label == "unscored") return std::string(label);
  double v = Clamp(score, -1, 1);
  return std::string(label) + " (" + (v > 0.0005 ? "+" : "") + FormatFixed(v, 2) + ")";
}

std::string FormatFixed(double v, int decimals) {
  v = Finite(v);
  char buf[64];
  // Values beyond 1e15 print in full with %f; clamp so the buffer always holds them.
  std::snprintf(buf, sizeof buf, "%.*f", decimals, Clamp(v, -1e18, 1e18));
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string FormatSigned(double v) { return (v > 0.0005 ? "+" : "") + FormatFixed(v, 2); }

std::string FormatCount(double v) {
  std::string digits = FormatFixed(std::round(Finite(v)), 0);
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string FormatShort(double v) {
  v = Finite(v);
  const char* sign = v < 0 ? "-" : "";
  double a = std::fabs(v);
  static const struct {
    double scale;
    const char* suffix;
  } kUnits[] = {{1e15, "P"}, {1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& u : kUnits) {
    // 999,950 rounds to "1000k": move to the next unit first.
    if (a >= u.scale * 0.99995) {
      double x = a / u.scale;
      if (x >= 1e5) return sign + FormatFixed(x, 0) + u.suffix;
      return sign + FormatFixed(x, x < 9.995 && std::fabs(x - std::round(x)) >= 0.05 ? 1 : 0) + u.suffix;
    }
  }
  if (a < 1 && a > 0) return sign + FormatFixed(a, 2);
  if (a < 10 && std::fabs(a - std::round(a)) >= 0.05) return sign + FormatFixed(a, 1);
  return sign + FormatFixed(a, 0);
}

std::string FormatStep(int64_t step_ms) {
  if (step_ms == 3600000) return "hour";
  if (step_ms == 86400000) return "day";
  if (step_ms == 7 * 86400000) return "week";
  return FormatDuration(Duration(step_ms));
}

std::string FormatUtc(int64_t ms, UtcStyle style) {
  constexpr int64_t kMaxMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
  ms = std::min(kMaxMs, std::max<int64_t>(0, ms));
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  switch (style) {
    case UtcStyle::kRfc3339:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
      break;
    case UtcStyle::kDateTime:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min);
      break;
    case UtcStyle::kDate:
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
      break;
    case UtcStyle::kDayHour:
      std::snprintf(buf, sizeof buf, "%s %d %02d:%02d", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min);
      break;
    case UtcStyle::kDay: std::snprintf(buf, sizeof buf, "%s %d", kMonths[tm.tm_mon], tm.tm_mday); break;
  }
  return buf;
}

}  // namespace brandmon::report

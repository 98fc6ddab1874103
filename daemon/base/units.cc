#include "daemon/base/units.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

namespace brandmon {
namespace {

// Reads the unsigned integer at the front of `text`, advancing it.
std::optional<uint64_t> TakeNumber(std::string_view& text) {
  uint64_t value = 0;
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  text.remove_prefix(i);
  return value;
}

std::string_view TakeUnit(std::string_view& text) {
  size_t i = 0;
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
  std::string_view unit = text.substr(0, i);
  text.remove_prefix(i);
  return unit;
}

std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t total_ms = 0;
  while (!text.empty()) {
    auto number = TakeNumber(text);
    if (!number) return std::nullopt;
    std::string_view unit = TakeUnit(text);
    uint64_t scale;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else if (unit == "d")
      scale = 86'400'000;
    else
      return std::nullopt;
    auto part = CheckedMul(*number, scale);
    if (!part || *part > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - total_ms) {
      return std::nullopt;
    }
    total_ms += *part;
  }
  return Duration(static_cast<int64_t>(total_ms));
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0) return out + std::to_string(ms) + "ms";
  int64_t s = ms / 1000;
  const struct {
    int64_t secs;
    const char* unit;
  } kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& u : kUnits) {
    if (s >= u.secs) {
      out += std::to_string(s / u.secs) + u.unit;
      s %= u.secs;
    }
  }
  return out;
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  auto number = TakeNumber(text);
  if (!number) return std::nullopt;
  std::string_view unit = TakeUnit(text);
  if (!text.empty()) return std::nullopt;
  uint64_t scale;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KiB")
    scale = 1ull << 10;
  else if (unit == "MiB")
    scale = 1ull << 20;
  else if (unit == "GiB")
    scale = 1ull << 30;
  else if (unit == "kB" || unit == "KB")
    scale = 1000;
  else if (unit == "MB")
    scale = 1000 * 1000;
  else if (unit == "GB")
    scale = 1000 * 1000 * 1000;
  else
    return std::nullopt;
  return CheckedMul(*number, scale);
}

std::string FormatSize(uint64_t bytes) {
  const struct {
    uint64_t scale;
    const char* unit;
  } kUnits[] = {{1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& u : kUnits) {
    if (bytes >= u.scale && bytes % u.scale == 0) return std::to_string(bytes / u.scale) + u.unit;
  }
  return std::to_string(bytes);
}

std::string FormatRfc3339(WallTime t) {
  std::string out;
  AppendRfc3339(out, t);
  return out;
}

namespace {

// The civil date of a count of days since 1970-01-01 (Howard Hinnant's
// days_from_civil, inverted), for any day.
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719'468;
  int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  int64_t doe = days - era * 146'097;
  int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

void AppendDigits(char*& at, int64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i, value /= 10) at[i] = static_cast<char>('0' + value % 10);
  at += digits;
}

}  // namespace

void AppendRfc3339(std::string& out, WallTime t) {
  int64_t ms = ToUnixMillis(t);
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86'400 : (secs - 86'399) / 86'400;
  int64_t in_day = secs - days * 86'400;
  int64_t year = 0;
  int month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  int frac = static_cast<int>(ms - secs * 1000);
  if (year < 0 || year > 9999) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(year), month, day,
                  static_cast<int>(in_day / 3600), static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
    out += buf;
  } else {
    char buf[20];
    char* at = buf;
    AppendDigits(at, year, 4);
    *at++ = '-';
    AppendDigits(at, month, 2);
    *at++ = '-';
    AppendDigits(at, day, 2);
    *at++ = 'T';
    AppendDigits(at, in_day / 3600, 2);
    *at++ = ':';
    AppendDigits(at, in_day / 60 % 60, 2);
    *at++ = ':';
    AppendDigits(at, in_day % 60, 2);
    out.append(buf, at);
  }
  if (frac != 0) {
    char buf[4] = {'.'};
    char* at = buf + 1;
    AppendDigits(at, frac, 3);
    out.append(buf, 4);
  }
  out += 'Z';
}

}  // namespace brandmon

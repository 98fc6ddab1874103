#include "daemon/feedparse/feed_date.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>

#include "daemon/base/time_parse.h"

namespace brandmon::feedparse {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A tokenizer over the date text that skips the separators seen in the wild.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSeparators() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == ',' || s_[pos_] == '\t' || s_[pos_] == '-' ||
                                s_[pos_] == '.' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void SkipSpaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  std::string_view Word() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsAlpha(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // Reads 1..max_digits digits; returns the count read (0 when none).
  int Number(int max_digits, int& out) {
    int n = 0;
    int v = 0;
    while (pos_ < s_.size() && IsDigit(s_[pos_]) && n < max_digits) {
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (n > 0) out = v;
    return n;
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  std::string_view Rest() const { return s_.substr(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// 1..12 for an English month name or its 3-letter abbreviation; 0 otherwise.
int MonthFromName(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  char w[3] = {Lower(word[0]), Lower(word[1]), Lower(word[2])};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (w[0] == kMonths[i][0] && w[1] == kMonths[i][1] && w[2] == kMonths[i][2]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool EqualsLower(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(word[i]) != lower[i]) return false;
  }
  return true;
}

// Offset in minutes east of UTC for a named zone; nullopt when unknown.
std::optional<int> NamedZone(std::string_view word) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"ut", 0},      {"utc", 0},     {"gmt", 0},    {"z", 0},      {"est", -300}, {"edt", -240},
      {"cst", -360},  {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
      {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"bst", 60},   {"cet", 60},   {"cest", 120},
      {"met", 60},    {"mest", 120},  {"eet", 120},  {"eest", 180}, {"wet", 0},    {"west", 60},
      {"ist", 330},   {"jst", 540},   {"kst", 540},  {"aest", 600}, {"aedt", 660}, {"nzst", 720},
  };
  for (const auto& z : kZones) {
    if (EqualsLower(word, z.name)) return z.minutes;
  }
  return std::nullopt;
}

std::optional<WallTime> Build(int year, int month, int day, int hour, int minute, int second, int offset_minutes) {
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  if (year < 1000 || year > 9999) return std::nullopt;
  auto days = DaysFromCivil(year, month, day);
  if (!days) return std::nullopt;
  int64_t secs = *days * 86400 + hour * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
  return WallTime(std::chrono::seconds(secs));
}

// Reads a numeric zone "+hhmm", "+hh:mm" or "+hh" after the sign.
bool NumericZone(Scanner& sc, int& offset_minutes) {
  int sign = sc.Peek() == '-' ? -1 : 1;
  if (!sc.Eat('+') && !sc.Eat('-')) return false;
  int hh = 0, mm = 0;
  int n = sc.Number(4, hh);
  if (n == 4) {
    mm = hh % 100;
    hh /= 100;
  } else if (n == 2 || n == 1) {
    if (sc.Eat(':') && sc.Number(2, mm) != 2) return false;
  } else {
    return false;
  }
  if (hh > 23 || mm > 59) return false;
  offset_minutes = sign * (hh * 60 + mm);
  return true;
}

// "hh:mm[:ss]"; returns false when the text there is not a time.
bool ClockTime(Scanner& sc, int& hour, int& minute, int& second) {
  if (sc.Number(2, hour) == 0 || !sc.Eat(':') || sc.Number(2, minute) != 2) return false;
  second = 0;
  if (sc.Eat(':') && sc.Number(2, second) != 2) return false;
  if (sc.Eat('.')) {  // fractional seconds are dropped
    int ignored;
    while (sc.Number(9, ignored) > 0) {
    }
  }
  return true;
}

// The zone after an RFC 822 time; a missing one means UTC.
bool Rfc822Zone(Scanner& sc, int& offset_minutes) {
  offset_minutes = 0;
  sc.SkipSpaces();
  if (sc.AtEnd()) return true;
  if (sc.Peek() == '+' || sc.Peek() == '-') return NumericZone(sc, offset_minutes);
  std::string_view zone = sc.Word();
  if (zone.empty()) return false;
  auto named = NamedZone(zone);
  if (!named) {
    // Single military letters other than Z are too ambiguous in practice.
    return false;
  }
  offset_minutes = *named;
  // "GMT+2" / "UTC-05:00"
  if (sc.Peek() == '+' || sc.Peek() == '-') {
    int extra = 0;
    if (!NumericZone(sc, extra)) return false;
    offset_minutes += extra;
  }
  return true;
}

std::optional<WallTime> ParseRfc822(std::string_view text) {
  Scanner sc(text);
  sc.SkipSeparators();
  int day = 0, month = 0, year = 0;
  std::string_view word = sc.Word();
  if (!word.empty()) {
    month = MonthFromName(word);
    bool weekday = month == 0;
    if (weekday) {  // "Mon," / "Monday," — the weekday itself is not checked, as in the wild it is often wrong
      sc.SkipSeparators();
      word = sc.Word();
      if (!word.empty()) month = MonthFromName(word);
    }
  }
  sc.SkipSeparators();
  if (month == 0) {
    // "02 Jan 2006"
    if (sc.Number(2, day) == 0) return std::nullopt;
    sc.SkipSeparators();
    month = MonthFromName(sc.Word());
    if (month == 0) return std::nullopt;
  } else {
    // "Jan 02 2006" (asctime-like) or "Jan 02, 2006"
    if (sc.Number(2, day) == 0) return std::nullopt;
  }
  sc.SkipSeparators();
  int ydigits = sc.Number(4, year);
  if (ydigits == 2) {
    year += year < 50 ? 2000 : 1900;
  } else if (ydigits != 4) {
    return std::nullopt;
  }
  sc.SkipSpaces();
  int hour = 0, minute = 0, second = 0, offset = 0;
  if (!sc.AtEnd()) {
    if (!ClockTime(sc, hour, minute, second)) return std::nullopt;
    if (!Rfc822Zone(sc, offset)) return std::nullopt;
    sc.SkipSpaces();
    if (!sc.AtEnd()) {
      // A trailing parenthesized comment such as "(PST)" is allowed.
      if (sc.Peek() != '(') return std::nullopt;
    }
  }
  return Build(year, month, day, hour, minute, second, offset);
}

// ISO 8601 forms ParseRfc3339 does not take: "2006-01-02T15:04Z",
// "2006-01-02T15:04:05+0800", "20060102T150405Z", "2006-01-02T15:04:05 GMT".
std::optional<WallTime> ParseIso8601(std::string_view text) {
  Scanner sc(text);
  sc.SkipSpaces();
  int year = 0, month = 0, day = 0;
  if (sc.Number(4, year) != 4) return std::nullopt;
  bool dashed = sc.Eat('-');
  if (sc.Number(2, month) != 2) return std::nullopt;
  if (dashed && !sc.Eat('-')) return std::nullopt;
  if (sc.Number(2, day) != 2) return std::nullopt;
  int hour = 0, minute = 0, second = 0, offset = 0;
  if (sc.Eat('T') || sc.Eat('t') || sc.Eat(' ')) {
    if (dashed) {
      if (!ClockTime(sc, hour, minute, second)) return std::nullopt;
    } else {
      if (sc.Number(2, hour) != 2 || sc.Number(2, minute) != 2) return std::nullopt;
      sc.Number(2, second);
    }
    sc.SkipSpaces();
    if (sc.Eat('Z') || sc.Eat('z')) {
      offset = 0;
    } else if (sc.Peek() == '+' || sc.Peek() == '-') {
      if (!NumericZone(sc, offset)) return std::nullopt;
    } else if (!sc.AtEnd()) {
      auto named = NamedZone(sc.Word());
      if (!named) return std::nullopt;
      offset = *named;
    }
  }
  sc.SkipSpaces();
  if (!sc.AtEnd()) return std::nullopt;
  return Build(year, month, day, hour, minute, second, offset);
}

}  // namespace

std::optional<WallTime> ParseFeedDate(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (IsDigit(text[0]) && text.size() >= 8 && IsDigit(text[1]) && IsDigit(text[2]) && IsDigit(text[3])) {
    if (auto t = ParseRfc3339(text)) return t;
    if (auto t = ParseIso8601(text)) return t;
  }
  return ParseRfc822(text);
}

}  // namespace brandmon::feedparse

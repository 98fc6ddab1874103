#include "daemon/feedparse/feed_date.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>

#include "daemon/base/time_parse.h"

namespace brandmon::feedparse {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Korea's time, which the Korean date forms imply.
constexpr int kKoreaMinutes = 9 * 60;

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
    while (pos_ < s_.size() && IsAsciiLetter(s_[pos_])) ++pos_;
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
  bool EatText(std::string_view text) {
    if (s_.substr(pos_, text.size()) != text) return false;
    pos_ += text.size();
    return true;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// 1..12 for an English month name or its 3-letter abbreviation; 0 otherwise.
int MonthFromName(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  char w[3] = {LowerAscii(word[0]), LowerAscii(word[1]), LowerAscii(word[2])};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (w[0] == kMonths[i][0] && w[1] == kMonths[i][1] && w[2] == kMonths[i][2]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool EqualsLower(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (LowerAscii(word[i]) != lower[i]) return false;
  }
  return true;
}

// Offset in minutes east of UTC for a named zone; nullopt when unknown. RFC
// 822's names and military letters (A, M, N, Y with RFC 822's signs, as
// feedparser reads them), the North American and Atlantic zones feedparser
// knows without their standard/daylight letter (ET, CT, MT, PT, AT), and
// common European, Asian and Pacific ones.
std::optional<int> NamedZone(std::string_view word) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"ut", 0},     {"utc", 0},    {"gmt", 0},     {"z", 0},       {"est", -300}, {"edt", -240}, {"cst", -360},
      {"cdt", -300}, {"mst", -420}, {"mdt", -360},  {"pst", -480},  {"pdt", -420}, {"et", -300},  {"ct", -360},
      {"mt", -420},  {"pt", -480},  {"at", -240},   {"ast", -240},  {"adt", -180}, {"a", -60},    {"n", 60},
      {"m", -720},   {"y", 720},    {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"bst", 60},   {"cet", 60},
      {"cest", 120}, {"met", 60},   {"mest", 120},  {"eet", 120},   {"eest", 180}, {"wet", 0},    {"west", 60},
      {"ist", 330},  {"jst", 540},  {"kst", 540},   {"aest", 600},  {"aedt", 660}, {"nzst", 720},
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

// "hh:mm[:ss[.fff]]"; returns false when the text there is not a time.
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

// A zone name: "GMT", "Etc/GMT", "GMT+2", "UTC-05:00". A name no table
// knows reads as UTC, as feedparser reads it, rather than losing the date.
bool ZoneName(Scanner& sc, int& offset_minutes) {
  std::string_view zone = sc.Word();
  if (zone.empty()) return false;
  if (EqualsLower(zone, "etc") && sc.Eat('/')) zone = sc.Word();
  offset_minutes = NamedZone(zone).value_or(0);
  if (sc.Peek() == '+' || sc.Peek() == '-') {
    int extra = 0;
    if (!NumericZone(sc, extra)) return false;
    offset_minutes += extra;
  }
  return true;
}

// The zone after an RFC 822 time, and what may follow it (a comment such as
// "(PST)", or words after a space, which are ignored); no zone means UTC.
bool Rfc822Zone(Scanner& sc, int& offset_minutes) {
  offset_minutes = 0;
  sc.SkipSpaces();
  if (sc.AtEnd() || sc.Peek() == '(') return true;
  bool ok = (sc.Peek() == '+' || sc.Peek() == '-') ? NumericZone(sc, offset_minutes) : ZoneName(sc, offset_minutes);
  if (!ok) return false;
  char next = sc.Peek();
  return next == '\0' || next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '(';
}

// A 2- or 4-digit year; two digits are 1950-2049, as RFC 2822 reads them.
bool Year(Scanner& sc, int& year) {
  int digits = sc.Number(4, year);
  if (digits == 2) year += year < 50 ? 2000 : 1900;
  return digits == 2 || digits == 4;
}

// The optional "hh:mm[:ss] [zone]" that ends an RFC 822 date.
std::optional<WallTime> Rfc822Rest(Scanner& sc, int year, int month, int day) {
  sc.SkipSpaces();
  int hour = 0, minute = 0, second = 0, offset = 0;
  if (!sc.AtEnd()) {
    if (!ClockTime(sc, hour, minute, second) || !Rfc822Zone(sc, offset)) return std::nullopt;
  }
  return Build(year, month, day, hour, minute, second, offset);
}

// After the month name: "02 2006 [time zone]", "02, 2006 ...", or asctime's
// "4 16:29:06 [zone] 2004".
std::optional<WallTime> MonthFirst(Scanner& sc, int month) {
  int day = 0, year = 0;
  if (sc.Number(2, day) == 0) return std::nullopt;
  sc.SkipSeparators();
  if (sc.Peek(1) == ':' || sc.Peek(2) == ':') {
    int hour = 0, minute = 0, second = 0, offset = 0;
    if (!ClockTime(sc, hour, minute, second)) return std::nullopt;
    sc.SkipSpaces();
    if (sc.Peek() == '+' || sc.Peek() == '-') {
      if (!NumericZone(sc, offset)) return std::nullopt;
    } else if (IsAsciiLetter(sc.Peek()) && !ZoneName(sc, offset)) {
      return std::nullopt;
    }
    sc.SkipSpaces();
    if (!Year(sc, year)) return std::nullopt;
    sc.SkipSpaces();
    if (!sc.AtEnd()) return std::nullopt;
    return Build(year, month, day, hour, minute, second, offset);
  }
  if (!Year(sc, year)) return std::nullopt;
  return Rfc822Rest(sc, year, month, day);
}

// "02 Jan 2006 [time zone]", or Perforce's "2006/09/15 08:19:53 EDT".
std::optional<WallTime> DayFirst(Scanner& sc) {
  int first = 0, month = 0, day = 0, year = 0;
  int digits = sc.Number(4, first);
  if (digits == 4 && sc.Eat('/')) {
    if (sc.Number(2, month) == 0 || !sc.Eat('/') || sc.Number(2, day) == 0) return std::nullopt;
    return Rfc822Rest(sc, first, month, day);
  }
  if (digits == 0 || digits > 2) return std::nullopt;
  sc.SkipSeparators();
  month = MonthFromName(sc.Word());
  if (month == 0) return std::nullopt;
  sc.SkipSeparators();
  if (!Year(sc, year)) return std::nullopt;
  return Rfc822Rest(sc, year, month, first);
}

// RFC 822 and its wild relatives: an optional weekday, then day and month
// in either order, full or abbreviated month names, asctime and Perforce.
std::optional<WallTime> ParseRfc822(std::string_view text) {
  Scanner sc(text);
  sc.SkipSeparators();
  std::string_view word = sc.Word();
  int month = MonthFromName(word);
  if (!word.empty() && month == 0) {
    // A weekday; not checked, as in the wild it is often wrong.
    sc.SkipSeparators();
    word = sc.Word();
    month = MonthFromName(word);
    if (!word.empty() && month == 0) return std::nullopt;
  }
  sc.SkipSeparators();
  return month != 0 ? MonthFirst(sc, month) : DayFirst(sc);
}

// The month and day of day `ordinal` of `year`.
bool FromOrdinal(int year, int ordinal, int& month, int& day) {
  auto jan1 = DaysFromCivil(year, 1, 1);
  auto dec31 = DaysFromCivil(year, 12, 31);
  if (!jan1 || !dec31 || ordinal < 1 || ordinal > *dec31 - *jan1 + 1) return false;
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(*jan1 + ordinal - 1))};
  month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  return true;
}

// An ISO 8601 date without separators: YYYYMMDD, YYYYDDD, YYMMDD, YYDDD or
// YYYY (`value` holds its `digits` digits). Two-digit years are 20YY.
bool CompactIsoDate(int value, int digits, int& year, int& month, int& day) {
  month = 1;
  day = 1;
  if (digits == 8 || digits == 6) {
    year = (digits == 6 ? 2000 : 0) + value / 10000;
    month = value / 100 % 100;
    day = value % 100;
    return true;
  }
  if (digits == 7 || digits == 5) {
    year = (digits == 5 ? 2000 : 0) + value / 1000;
    return FromOrdinal(year, value % 1000, month, day);
  }
  year = value;
  return digits == 4;
}

// An ISO 8601 date, whole or cut short: "2006-01-02", "2003-12", "2003",
// "2003-335" (ordinal), "20060102", "03-12-31", "031231", "03335", "-03-12",
// "-0312", and Google's "2003-012-31". Sets *compact when written without
// separators (its time is then "hhmm[ss]" too).
bool IsoDate(Scanner& sc, int& year, int& month, int& day, bool& compact) {
  bool no_century = sc.Eat('-');  // "-YY-MM" / "-YYMM"
  int first = 0, part = 0;
  int digits = sc.Number(8, first);
  day = 1;
  if (no_century) {
    year = 2000 + (digits == 4 ? first / 100 : first);
    month = first % 100;
    if (digits == 4) return sc.Peek() != '-';
    return digits == 2 && sc.Eat('-') && sc.Number(2, month) == 2;
  }
  if (!sc.Eat('-')) {
    compact = true;
    return CompactIsoDate(first, digits, year, month, day);
  }
  if (digits != 4 && digits != 2) return false;
  year = digits == 2 ? 2000 + first : first;
  int n = sc.Number(3, part);
  bool dash = sc.Eat('-');
  if (n == 3 && !dash) return FromOrdinal(year, part, month, day);
  if (n != 2 && !(n == 3 && part < 100)) return false;  // two digits, or "012"
  month = part;
  if (!dash) return digits == 4;  // "YYYY-MM"; "YY-MM" is no date
  return sc.Number(2, day) == 2;
}

// The time after an ISO date's "T" (or space): "hh:mm[:ss[.fff]]", or
// "hhmm[ss]" after a compact date.
bool IsoTime(Scanner& sc, bool compact, int& hour, int& minute, int& second) {
  if (!compact || sc.Peek(2) == ':') return ClockTime(sc, hour, minute, second);
  if (sc.Number(2, hour) != 2 || sc.Number(2, minute) != 2) return false;
  sc.Number(2, second);
  return true;
}

// ISO 8601 forms ParseRfc3339 does not take: partial and compact dates,
// "2006-01-02T15:04Z", "2006-01-02T15:04:05+0800", "2006-01-02 15:04:05 GMT".
std::optional<WallTime> ParseIso8601(std::string_view text) {
  Scanner sc(text);
  int year = 0, month = 0, day = 0;
  bool compact = false;
  if (!IsoDate(sc, year, month, day, compact)) return std::nullopt;
  int hour = 0, minute = 0, second = 0, offset = 0;
  if (sc.Eat('T') || sc.Eat('t') || sc.Eat(' ')) {
    if (!IsoTime(sc, compact, hour, minute, second)) return std::nullopt;
    sc.SkipSpaces();
    if (sc.Eat('Z') || sc.Eat('z')) {
      offset = 0;
    } else if (sc.Peek() == '+' || sc.Peek() == '-') {
      if (!NumericZone(sc, offset)) return std::nullopt;
    } else if (!sc.AtEnd() && !ZoneName(sc, offset)) {
      return std::nullopt;
    }
  }
  sc.SkipSpaces();
  if (!sc.AtEnd()) return std::nullopt;
  return Build(year, month, day, hour, minute, second, offset);
}

// --- localized dates: the forms feedparser has handlers for ----------------

// Korean, OnBlog's "2004년 05월 28일 01:31:15", in Korea's time.
std::optional<WallTime> ParseKoreanOnBlog(std::string_view text) {
  Scanner sc(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (sc.Number(4, year) != 4 || !sc.EatText("년")) return std::nullopt;
  sc.SkipSpaces();
  if (sc.Number(2, month) == 0 || !sc.EatText("월")) return std::nullopt;
  sc.SkipSpaces();
  if (sc.Number(2, day) == 0 || !sc.EatText("일")) return std::nullopt;
  sc.SkipSpaces();
  if (!ClockTime(sc, hour, minute, second)) return std::nullopt;
  sc.SkipSpaces();
  if (!sc.AtEnd()) return std::nullopt;
  return Build(year, month, day, hour, minute, second, kKoreaMinutes);
}

// Korean, Nate's "2004-05-25 오후 11:23:17" (오전 a.m., 오후 p.m.), in Korea's time.
std::optional<WallTime> ParseKoreanNate(std::string_view text) {
  Scanner sc(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (sc.Number(4, year) != 4 || !sc.Eat('-') || sc.Number(2, month) != 2 || !sc.Eat('-') || sc.Number(2, day) != 2) {
    return std::nullopt;
  }
  sc.SkipSpaces();
  bool pm = sc.EatText("오후");
  if (!pm && !sc.EatText("오전")) return std::nullopt;
  sc.SkipSpaces();
  if (!ClockTime(sc, hour, minute, second) || hour > 12) return std::nullopt;
  sc.SkipSpaces();
  if (!sc.AtEnd()) return std::nullopt;
  if (pm && hour < 12) hour += 12;
  if (!pm && hour == 12) hour = 0;
  return Build(year, month, day, hour, minute, second, kKoreaMinutes);
}

struct Translation {
  std::string_view local;
  std::string_view english;
};

// Greek day and month abbreviations (feedparser's table, with its variant
// spellings), as in "Κυρ, 11 Ιούλ 2004 12:00:00 EST".
constexpr Translation kGreek[] = {
    {"Ιαν", "Jan"}, {"Φεβ", "Feb"},  {"Μάώ", "Mar"}, {"Μαώ", "Mar"},  {"Απρ", "Apr"}, {"Μάι", "May"}, {"Μαϊ", "May"},
    {"Μαι", "May"}, {"Ιούν", "Jun"}, {"Ιον", "Jun"}, {"Ιούλ", "Jul"}, {"Ιολ", "Jul"}, {"Αύγ", "Aug"}, {"Αυγ", "Aug"},
    {"Σεπ", "Sep"}, {"Οκτ", "Oct"},  {"Νοέ", "Nov"}, {"Νοε", "Nov"},  {"Δεκ", "Dec"}, {"Κυρ", "Sun"}, {"Δευ", "Mon"},
    {"Τρι", "Tue"}, {"Τετ", "Wed"},  {"Πεμ", "Thu"}, {"Παρ", "Fri"},  {"Σαβ", "Sat"},
};

// Hungarian month names, as in "2004-július-13T9:15-05:00" (with
// feedparser's variant spellings "februári" and "máujus").
constexpr Translation kHungarian[] = {
    {"január", "01"},     {"február", "02"}, {"februári", "02"}, {"március", "03"},  {"április", "04"},
    {"május", "05"},      {"máujus", "05"},  {"június", "06"},   {"július", "07"},   {"augusztus", "08"},
    {"szeptember", "09"}, {"október", "10"}, {"november", "11"}, {"december", "12"},
};

// `text` with each word (a run between spaces, commas and dashes) found in
// `table` replaced by its English; nullopt when none was.
template <size_t N>
std::optional<std::string> Translate(std::string_view text, const Translation (&table)[N]) {
  std::string out;
  bool replaced = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(" ,-\t", i);
    if (end == i) {
      out.push_back(text[i++]);
      continue;
    }
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(i, end - i);
    std::string_view english = word;
    for (const Translation& t : table) {
      if (t.local == word) english = t.english, replaced = true;
    }
    out.append(english);
    i = end;
  }
  if (!replaced) return std::nullopt;
  return out;
}

std::optional<WallTime> ParseLocalized(std::string_view text) {
  if (auto t = ParseKoreanOnBlog(text)) return t;
  if (auto t = ParseKoreanNate(text)) return t;
  if (auto greek = Translate(text, kGreek)) return ParseRfc822(*greek);
  if (auto hungarian = Translate(text, kHungarian)) {
    // "2004-07-3T9:15": the day may have one digit (the hour may too, which
    // ParseIso8601 reads).
    const std::string& s = *hungarian;
    if (s.size() > 9 && s[9] == 'T') return ParseIso8601(s.substr(0, 8) + '0' + s.substr(8));
    return ParseIso8601(s);
  }
  return std::nullopt;
}

bool HasNonAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace

std::optional<WallTime> ParseFeedDate(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (IsDigit(text[0]) || text[0] == '-') {
    if (auto t = ParseRfc3339(text)) return t;
    if (auto t = ParseIso8601(text)) return t;
  }
  if (auto t = ParseRfc822(text)) return t;
  if (HasNonAscii(text)) return ParseLocalized(text);
  return std::nullopt;
}

}  // namespace brandmon::feedparse

#include "daemon/notify/quiet_hours.h"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/strenum.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>

#include "daemon/config/diagnostics.h"

namespace brandmon::notify {

using config::ApplyContext;
using config::ConfigValue;

const config::OptionTable<QuietHoursOptions>& QuietHoursOptionTable() {
  using Q = QuietHoursOptions;
  static const config::OptionTable<Q> table = {
      config::Str<Q>("from", config::kRequired, &Q::from,
                     "When the quiet hours start each day, \"HH:MM\" (24-hour clock, local time of `time_zone`)."),
      config::Str<Q>("to", config::kRequired, &Q::to,
                     "When they end, \"HH:MM\"; before `from` when they span midnight (\"22:00\" to \"07:00\")."),
      config::Str<Q>("time_zone", "", &Q::time_zone,
                     "The IANA time zone of `from` and `to`, e.g. \"Europe/Berlin\" (daylight saving time "
                     "included). Empty: the host's time zone."),
      config::StrList<Q>("break_through", &Q::break_through,
                         "Severities sent at once even in quiet hours, e.g. [\"critical\"]; absent: none."),
  };
  return table;
}

std::optional<int> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// The zone named `id` (empty: the host's), or nullptr when ICU does not
// know it. ICU answers an unknown ID with "Etc/Unknown" instead of failing;
// a host without a zone of its own keeps UTC.
std::shared_ptr<const icu::TimeZone> FindZone(const std::string& id) {
  std::unique_ptr<icu::TimeZone> zone(id.empty() ? icu::TimeZone::createDefault()
                                                 : icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(id)));
  if (!zone) return nullptr;
  icu::UnicodeString got;
  zone->getID(got);
  if (got == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID)) {
    if (!id.empty()) return nullptr;
    zone.reset(icu::TimeZone::getGMT()->clone());
  }
  return std::shared_ptr<const icu::TimeZone>(std::move(zone));
}

// The known zone closest to `id` (a typo), or "".
std::string ClosestZone(const std::string& id) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::StringEnumeration> ids(icu::TimeZone::createEnumeration(status));
  if (U_FAILURE(status) || !ids) return "";
  std::vector<std::string> names;
  while (const icu::UnicodeString* s = ids->snext(status)) {
    if (U_FAILURE(status)) break;
    names.push_back(ToUtf8(*s));
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  return config::ClosestKey(id, views);
}

std::unique_ptr<icu::Calendar> CalendarIn(const icu::TimeZone& zone) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(zone.clone(), icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !cal) return nullptr;
  cal->setSkippedWallTimeOption(UCAL_WALLTIME_NEXT_VALID);
  return cal;
}

// The instant the zone's clocks show `minute` on the local day of `t` plus
// `days`; of a time shown twice, the first or the last.
std::optional<WallTime> LocalTimeOfDay(icu::Calendar& cal, WallTime t, int days, int minute, bool last) {
  UErrorCode status = U_ZERO_ERROR;
  cal.setRepeatedWallTimeOption(last ? UCAL_WALLTIME_LAST : UCAL_WALLTIME_FIRST);
  cal.setTime(static_cast<UDate>(ToUnixMillis(t)), status);
  if (days != 0) cal.add(UCAL_DATE, days, status);
  cal.set(UCAL_HOUR_OF_DAY, minute / 60);
  cal.set(UCAL_MINUTE, minute % 60);
  cal.set(UCAL_SECOND, 0);
  cal.set(UCAL_MILLISECOND, 0);
  UDate at = cal.getTime(status);
  if (U_FAILURE(status)) return std::nullopt;
  return FromUnixMillis(static_cast<int64_t>(at));
}

}  // namespace

Result<QuietHours> QuietHours::Make(QuietHoursOptions options) {
  QuietHours q;
  auto from = ParseTimeOfDay(options.from);
  if (!from) return Status::InvalidArgument("from: expected a time of day HH:MM, got " + Quoted(options.from));
  auto to = ParseTimeOfDay(options.to);
  if (!to) return Status::InvalidArgument("to: expected a time of day HH:MM, got " + Quoted(options.to));
  if (*from == *to) return Status::InvalidArgument("to: must differ from from (" + Quoted(options.from) + ")");
  q.zone_ = FindZone(options.time_zone);
  if (!q.zone_) {
    std::string hint = ClosestZone(options.time_zone);
    return Status::InvalidArgument("time_zone: unknown time zone " + Quoted(options.time_zone) +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  for (const auto& s : options.break_through) {
    auto severity = ParseSeverity(s);
    if (!severity) {
      return Status::InvalidArgument("break_through: unknown severity " + Quoted(s) +
                                     "; expected info, warning or critical");
    }
    q.break_through_.push_back(*severity);
  }
  q.from_ = *from;
  q.to_ = *to;
  q.options_ = std::move(options);
  return q;
}

int QuietHours::LocalMinute(WallTime t) const {
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone_->getOffset(static_cast<UDate>(ToUnixMillis(t)), false, raw, dst, status);
  if (U_FAILURE(status)) raw = dst = 0;
  int64_t local_ms = ToUnixMillis(t) + raw + dst;
  constexpr int64_t kDayMs = 86400000;
  int64_t of_day = ((local_ms % kDayMs) + kDayMs) % kDayMs;
  return static_cast<int>(of_day / 60000);
}

std::optional<WallTime> QuietHours::HeldUntil(WallTime t) const {
  int m = LocalMinute(t);
  bool quiet = from_ < to_ ? (m >= from_ && m < to_) : (m >= from_ || m < to_);
  if (!quiet) return std::nullopt;
  std::unique_ptr<icu::Calendar> cal = CalendarIn(*zone_);
  if (!cal) return std::nullopt;
  // Today's `to`, or its second showing when the clocks went back past it
  // (quiet again in the repeated hour), else tomorrow's.
  for (auto [days, last] : {std::pair{0, false}, std::pair{0, true}, std::pair{1, false}}) {
    auto end = LocalTimeOfDay(*cal, t, days, to_, last);
    if (!end) return std::nullopt;
    if (*end > t) return end;
  }
  return std::nullopt;
}

bool QuietHours::BreaksThrough(Severity severity) const {
  return std::find(break_through_.begin(), break_through_.end(), severity) != break_through_.end();
}

namespace {

// The member of `obj` an error of QuietHours::Make() names ("time_zone: …").
const ConfigValue& FaultAt(const ConfigValue& obj, const std::string& message, std::string& key) {
  key = message.substr(0, message.find(':'));
  const ConfigValue* member = obj.Find(key);
  return member != nullptr ? *member : obj;
}

}  // namespace

void ApplyQuietHours(const ConfigValue& value, const std::string& path, ApplyContext& ctx,
                     std::optional<QuietHours>& out) {
  QuietHoursOptions options;
  size_t errors = ctx.diag.errors().size();
  config::ApplyTable(QuietHoursOptionTable(), value, path, ctx, options);
  if (ctx.diag.errors().size() != errors) return;
  auto made = QuietHours::Make(std::move(options));
  if (!made.ok()) {
    std::string key;
    const ConfigValue& at = FaultAt(value, made.status().message(), key);
    std::string message = made.status().message().substr(key.size() + 2);
    ctx.diag.Error(at.pos(), config::JoinPath(path, key), message);
    return;
  }
  out = std::move(*made);
}

void DumpQuietHours(const std::optional<QuietHours>& in, config::JsonWriter& w, const config::Redactor* redactor) {
  if (!in) {
    w.Null();
    return;
  }
  config::DumpTable(QuietHoursOptionTable(), in->options(), w, redactor);
}

}  // namespace brandmon::notify

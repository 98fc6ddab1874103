#pragma once

// Quiet hours of a route: a daily period, in a time zone, during which the
// route's alerts are held and go out as one digest when it ends.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/uversion.h>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/config/options.h"

U_NAMESPACE_BEGIN
class TimeZone;
U_NAMESPACE_END

namespace brandmon::notify {

// "quiet_hours" of a route as written in the config.
struct QuietHoursOptions {
  std::string from;                        // "22:00"
  std::string to;                          // "07:00"
  std::string time_zone;                   // an IANA zone ("Europe/Berlin"); empty: the host's
  std::vector<std::string> break_through;  // severities sent at once even in quiet hours
};
const config::OptionTable<QuietHoursOptions>& QuietHoursOptionTable();

// The minutes since midnight of a time of day written "HH:MM" (00:00 to
// 23:59); nullopt for anything else.
std::optional<int> ParseTimeOfDay(std::string_view text);

// A validated daily quiet period. Immutable and thread-safe; copies share
// the time zone.
class QuietHours {
 public:
  // Errors: InvalidArgument naming the value at fault (a time that is not
  // HH:MM, `from` equal to `to`, an unknown time zone or severity).
  static Result<QuietHours> Make(QuietHoursOptions options);

  // When `t` falls in the quiet hours (from `from` included to `to`
  // excluded, local time of the zone; a period may span midnight): the end
  // of that period, the first instant after `t` the zone's clocks show
  // `to` (the next valid time when a DST change skips it, the first when a
  // DST change repeats it). nullopt when `t` is outside.
  std::optional<WallTime> HeldUntil(WallTime t) const;

  // Whether alerts of `severity` are sent at once even in quiet hours.
  bool BreaksThrough(Severity severity) const;

  const QuietHoursOptions& options() const { return options_; }

 private:
  QuietHours() = default;
  // The minutes since local midnight at `t`.
  int LocalMinute(WallTime t) const;

  QuietHoursOptions options_;
  int from_ = 0;  // minutes since midnight
  int to_ = 0;
  std::vector<Severity> break_through_;
  std::shared_ptr<const icu::TimeZone> zone_;
};

// The "quiet_hours" option of a struct holding `std::optional<QuietHours>`:
// absent, no quiet hours; present, an object by QuietHoursOptionTable()
// whose values are checked with their position in the file.
template <typename T>
config::OptionSpec<T> QuietHoursOption(std::optional<QuietHours> T::*field, std::string doc);

// Applies a "quiet_hours" object (not null) to `out`, reporting errors to
// `ctx`: what QuietHoursOption() does with a value.
void ApplyQuietHours(const config::ConfigValue& value, const std::string& path, config::ApplyContext& ctx,
                     std::optional<QuietHours>& out);
void DumpQuietHours(const std::optional<QuietHours>& in, config::JsonWriter& w, const config::Redactor* redactor);

template <typename T>
config::OptionSpec<T> QuietHoursOption(std::optional<QuietHours> T::*field, std::string doc) {
  config::OptionInfo info{"quiet_hours", config::OptionType::kObject, false, "", "", std::move(doc), {}, [] {
                            return config::Infos(QuietHoursOptionTable());
                          }};
  return config::detail::Make<T>(
      std::move(info),
      [field](T& out, const config::ConfigValue* v, const std::string& path, config::ApplyContext& ctx) {
        (out.*field).reset();
        if (v != nullptr) ApplyQuietHours(*v, path, ctx, out.*field);
      },
      [field](const T& in, config::JsonWriter& w, const config::Redactor* r) { DumpQuietHours(in.*field, w, r); });
}

}  // namespace brandmon::notify

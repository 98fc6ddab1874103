#include "daemon/query/filter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"

namespace brandmon::query {
namespace {

// Each value is one bound parameter; SQLite allows 32766 in a statement.
constexpr size_t kMaxValues = 100;
constexpr size_t kMaxQueryBytes = 1000;
constexpr std::string_view kLabels[] = {"positive", "neutral", "negative", "unscored"};

Status Bad(std::string_view name, std::string_view why) {
  return Status::InvalidArgument(std::string(name) + ": " + std::string(why));
}

std::string Quoted(std::string_view value) {
  // Enough of a hostile value to recognize it, never a megabyte of it.
  constexpr size_t kShown = 60;
  if (value.size() <= kShown) return "'" + std::string(value) + "'";
  return "'" + std::string(value.substr(0, kShown)) + "...'";
}

// Every value of `name`, comma lists split, blanks dropped.
Result<std::vector<std::string>> List(const Params& params, std::string_view name) {
  std::vector<std::string> out;
  auto [begin, end] = params.equal_range(std::string(name));
  for (auto it = begin; it != end; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (out.size() > kMaxValues) return Bad(name, "at most " + std::to_string(kMaxValues) + " values");
  return out;
}

// An RFC 3339 time, "now", or a duration back from `now` ("7d").
Result<int64_t> ParseTime(std::string_view name, std::string_view text, WallTime now) {
  if (text == "now") return ToUnixMillis(now);
  if (auto t = ParseRfc3339(text)) return ToUnixMillis(*t);
  if (auto d = ParseDuration(text); d && d->count() >= 0) return ToUnixMillis(now) - d->count();
  return Bad(name, "not a time: " + Quoted(text) +
                       " (RFC 3339 such as 2026-01-02T03:04:05Z or 2026-01-02, or a duration back from now "
                       "such as 7d or 12h)");
}

Result<int64_t> ParseCount(std::string_view name, std::string_view text, int64_t low, int64_t high) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string range = "must be an integer between " + std::to_string(low) + " and " + std::to_string(high);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return Bad(name, range + ", got " + Quoted(text));
  }
  return value;
}

}  // namespace

std::optional<Dimension> ParseDimension(std::string_view name) {
  if (name.empty()) return Dimension::kNone;
  if (name == "brand") return Dimension::kBrand;
  if (name == "channel") return Dimension::kChannel;
  if (name == "lang") return Dimension::kLang;
  if (name == "label") return Dimension::kLabel;
  return std::nullopt;
}

std::string_view DimensionName(Dimension d) {
  switch (d) {
    case Dimension::kBrand: return "brand";
    case Dimension::kChannel: return "channel";
    case Dimension::kLang: return "lang";
    case Dimension::kLabel: return "label";
    case Dimension::kNone: break;
  }
  return "";
}

Result<std::optional<std::string>> Single(const Params& params, std::string_view name) {
  auto [begin, end] = params.equal_range(std::string(name));
  if (begin == end) return std::optional<std::string>();
  if (std::next(begin) != end) return Bad(name, "given more than once");
  return std::optional<std::string>(begin->second);
}

Status CheckKnown(const Params& params, const std::vector<std::string_view>& known) {
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return Status::InvalidArgument("unknown parameter " + Quoted(name) + " (known: " + list + ")");
  }
  return Status::Ok();
}

Result<Filter> ParseFilter(const Params& params, WallTime now) {
  Filter f;
  struct ListParam {
    std::string_view name;
    std::vector<std::string>* out;
  };
  for (const ListParam& p : {ListParam{"brand", &f.brands}, ListParam{"channel", &f.channels},
                             ListParam{"lang", &f.langs}, ListParam{"label", &f.labels}}) {
    auto values = List(params, p.name);
    if (!values.ok()) return values.status();
    *p.out = std::move(*values);
  }
  for (const std::string& label : f.labels) {
    if (std::find(std::begin(kLabels), std::end(kLabels), label) == std::end(kLabels)) {
      return Bad("label", "unknown label " + Quoted(label) + " (positive, neutral, negative, unscored)");
    }
  }
  auto until = Single(params, "until");
  if (!until.ok()) return until.status();
  f.until_ms = ToUnixMillis(now);
  if (*until) {
    auto t = ParseTime("until", **until, now);
    if (!t.ok()) return t.status();
    f.until_ms = *t;
  }
  auto since = Single(params, "since");
  if (!since.ok()) return since.status();
  f.since_ms = f.until_ms - kDefaultRange.count();
  if (*since) {
    auto t = ParseTime("since", **since, now);
    if (!t.ok()) return t.status();
    f.since_ms = *t;
  }
  if (f.since_ms > f.until_ms) {
    return Bad("since", "is after until (" + FormatRfc3339(FromUnixMillis(f.since_ms)) + " > " +
                            FormatRfc3339(FromUnixMillis(f.until_ms)) + ")");
  }
  auto reach = Single(params, "min_reach");
  if (!reach.ok()) return reach.status();
  if (*reach) {
    char* end = nullptr;
    f.min_reach = std::strtod((*reach)->c_str(), &end);
    if ((*reach)->empty() || *end != '\0' || !std::isfinite(f.min_reach) || f.min_reach < 0) {
      return Bad("min_reach", "must be a number >= 0, got " + Quoted(**reach));
    }
  }
  auto q = Single(params, "q");
  if (!q.ok()) return q.status();
  if (*q) {
    if ((*q)->size() > kMaxQueryBytes) return Bad("q", "longer than " + std::to_string(kMaxQueryBytes) + " bytes");
    f.q = **q;
  }
  return f;
}

Result<Duration> ParseStep(const Params& params, const Filter& filter) {
  auto text = Single(params, "step");
  if (!text.ok()) return text.status();
  Duration step = std::chrono::hours(1);
  if (*text) {
    auto d = ParseDuration(**text);
    if (!d || d->count() <= 0 || d->count() % kHourMs != 0) {
      return Bad("step", "must be a whole number of hours such as 1h, 6h or 1d, got " + Quoted(**text));
    }
    step = *d;
  }
  int64_t first = filter.since_ms - filter.since_ms % step.count();
  int64_t buckets = (filter.until_ms - first + step.count() - 1) / step.count();
  if (buckets > kMaxBuckets) {
    return Bad("step", "too many buckets (" + std::to_string(buckets) + " of " + FormatDuration(step) +
                           " between since and until; at most " + std::to_string(kMaxBuckets) +
                           "): use a larger step or a shorter range");
  }
  return step;
}

Result<Page> ParsePage(const Params& params, int64_t default_limit, int64_t max_limit) {
  Page page;
  page.limit = default_limit;
  auto limit = Single(params, "limit");
  if (!limit.ok()) return limit.status();
  if (*limit) {
    auto n = ParseCount("limit", **limit, 1, max_limit);
    if (!n.ok()) return n.status();
    page.limit = *n;
  }
  auto cursor = Single(params, "cursor");
  if (!cursor.ok()) return cursor.status();
  if (*cursor) page.cursor = **cursor;
  return page;
}

}  // namespace brandmon::query

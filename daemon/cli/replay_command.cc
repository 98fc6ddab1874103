// brandmonctl replay: the stored mentions of a period run through another
// config's brands and rules, and the alerts it would raise next to those
// that were raised.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/cli/mention_reader.h"
#include "daemon/cli/state_database.h"
#include "daemon/query/filter.h"
#include "daemon/query/reader.h"

namespace brandmon::cli {
namespace {

constexpr char kReplayUsage[] =
    "usage: brandmonctl replay --config NEW.json [--since T] [--until T] [--brand B] [--warm-up D] "
    "[--database FILE] [--format text|json]";

// --config is the new config; --brand and --warm-up are kept apart from the
// period's filter (one brand, also the brand the new config is read for).
const ReadSideSpec& ReplaySpec() {
  static const ReadSideSpec spec{"replay",
                                 kReplayUsage,
                                 {{"--since", "since"}, {"--until", "until"}},
                                 {"text", "json"},
                                 {},
                                 {},
                                 {"--brand", "--warm-up"}};
  return spec;
}

// Returns nullopt (after saying why on `err`) for a usage error.
std::optional<ReadSideArgs> ParseReplayArgs(const std::vector<std::string>& args, std::ostream& err) {
  ReadSideArgs out;
  if (!ParseReadSideArgs(args, ReplaySpec(), out, err)) return std::nullopt;
  if (out.config_path.empty()) {
    err << "brandmonctl replay: --config NEW.json is required (" << kReplayUsage << ")\n";
    return std::nullopt;
  }
  return out;
}

// How far back a trend rule of `o` looks: the buckets of its baseline, or
// those it observes before it may fire.
Duration LookBack(const rules::RulesOptions& o) {
  Duration most{0};
  for (const rules::SpikeOptions* s : {&o.volume_spike, &o.negative_spike}) {
    if (s->enabled) most = std::max(most, s->bucket * (std::max(s->window, s->warm_up) + 1));
  }
  const rules::SentimentShiftOptions& shift = o.sentiment_shift;
  if (shift.enabled) most = std::max(most, shift.bucket * (shift.recent_buckets + shift.baseline_buckets + 1));
  const rules::EmergingTermsOptions& terms = o.emerging_terms;
  if (terms.enabled) most = std::max(most, terms.bucket * (terms.warm_up + 1));
  return most;
}

// --warm-up, else the longest look-back of the brands' trend rules.
// Errors: InvalidArgument naming --warm-up.
Result<Duration> WarmUp(const ReadSideArgs& args, const settings::Settings& settings) {
  if (auto warm_up = args.Value("--warm-up")) {
    auto d = ParseDuration(*warm_up);
    if (!d || d->count() < 0) return Status::InvalidArgument("--warm-up: not a duration: '" + *warm_up + "'");
    return *d;
  }
  Duration most{0};
  for (const auto& b : settings.brands) most = std::max(most, LookBack(b.rules));
  return most;
}

// One alert as replay compares and prints it.
struct AlertLine {
  WallTime ts;
  std::string brand;
  std::string rule;
  std::string source;  // of the triggering mention; empty for a trend alert
  std::string id;
  std::string summary;
  std::string dedupe_key;  // the same event raised by either config has the same key
};

AlertLine LineOf(const Alert& a) {
  AlertLine line{a.ts, a.brand, a.rule, "", "", a.summary, a.dedupe_key};
  // A mention rule's alert carries its one mention; a trend alert's are examples.
  if (a.mentions.size() == 1 &&
      a.dedupe_key.ends_with("|" + a.mentions[0].mention.source + "|" + a.mentions[0].mention.id)) {
    line.source = a.mentions[0].mention.source;
    line.id = a.mentions[0].mention.id;
  }
  return line;
}

// The alerts raised by the replay, and how many mentions it read.
struct Replayed {
  std::vector<AlertLine> alerts;
  int64_t mentions = 0;          // in [since, until)
  int64_t matched = 0;           // of those, the mentions that name a brand of the new config
  int64_t warm_up_mentions = 0;  // before since, counted but not compared
};

// Runs the stored mentions of [since - warm_up, until) through `r`'s rules,
// in the order they were stored, each at the time it was stored.
class Replay {
 public:
  Replay(MentionReader& r, FakeClock& clock, const query::Filter& period, bool progress, std::ostream& err)
      : r_(r), clock_(clock), period_(period), progress_(progress), err_(err) {}

  Result<Replayed> Run(query::Reader& db, Duration warm_up) {
    query::Filter read = period_;
    read.since_ms = period_.since_ms - warm_up.count();
    // Every stored mention, whichever brand it was stored for: the new
    // config's queries decide which brands it names.
    read.brands.clear();
    Status s = db.ForEachMentionOldestFirst(read, [&](const query::MentionRow& row) {
      Visit(row.stored);
      return true;
    });
    if (!s.ok()) return s.WithContext(db.path());
    EnterPeriod();
    clock_.SetNow(FromUnixMillis(period_.until_ms));
    Keep(r_.rules->Tick());
    if (progress_ && out_.mentions + out_.warm_up_mentions >= kProgressEvery) err_ << "\n";
    return std::move(out_);
  }

 private:
  static constexpr int64_t kProgressEvery = 1000;

  void Visit(const store::StoredMention& stored) {
    // One row per brand the mention was stored for: it is read once.
    std::string key = stored.scored.mention.source + '\0' + stored.scored.mention.id;
    if (!seen_.insert(std::move(key)).second) return;
    bool warming = ToUnixMillis(stored.stored_at) < period_.since_ms;
    if (!warming) EnterPeriod();
    Mention m = stored.scored.mention;
    AsTheEngineWould(r_.settings, m);
    std::vector<ScoredMention> scored;
    std::vector<rules::PreparedMention> prepared;
    for (BrandReading& reading : ReadMention(r_, m)) {
      scored.push_back(std::move(reading.scored));
      prepared.push_back(std::move(reading.prepared));
    }
    clock_.SetNow(stored.stored_at);
    std::vector<Alert> alerts = r_.rules->Process(scored, prepared);
    if (!warming) {
      Keep(alerts);
      if (!scored.empty()) ++out_.matched;
    }
    ++(warming ? out_.warm_up_mentions : out_.mentions);
    int64_t read = out_.mentions + out_.warm_up_mentions;
    if (progress_ && read % kProgressEvery == 0) err_ << "\rreplayed " << read << " mentions" << std::flush;
  }

  // The buckets that closed before the period began raised their alerts
  // before it too: they are not compared.
  void EnterPeriod() {
    if (in_period_) return;
    in_period_ = true;
    clock_.SetNow(FromUnixMillis(period_.since_ms));
    (void)r_.rules->Tick();
  }

  // The alerts, as the store journals them: the first of each dedupe key.
  void Keep(const std::vector<Alert>& alerts) {
    for (const Alert& a : alerts) {
      if (keys_.insert(a.dedupe_key).second) out_.alerts.push_back(LineOf(a));
    }
  }

  MentionReader& r_;
  FakeClock& clock_;
  const query::Filter& period_;
  bool progress_;
  std::ostream& err_;
  std::unordered_set<std::string> seen_;
  std::unordered_set<std::string> keys_;
  bool in_period_ = false;
  Replayed out_;
};

// The alerts journaled in the period (of the brand, with --brand), oldest
// first. Errors: the reader's, and Corrupt naming the alert that cannot be
// read.
Result<std::vector<AlertLine>> RaisedAlerts(query::Reader& db, const query::Filter& period) {
  std::vector<AlertLine> out;
  query::Page page{"", query::kMaxLimit};
  for (;;) {
    auto rows = db.Alerts(period, page);
    if (!rows.ok()) return rows.status().WithContext(db.path());
    for (const query::AlertRow& row : rows->alerts) {
      auto alert = AlertFromJson(row.payload);
      if (!alert.ok()) return alert.status().WithContext("alert #" + std::to_string(row.seq) + " in " + db.path());
      out.push_back(LineOf(*alert));
    }
    if (rows->next_cursor.empty()) break;
    page.cursor = rows->next_cursor;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// The two sets of alerts side by side.
struct Comparison {
  // (brand, rule) -> {raised, replayed}
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> counts;
  std::vector<AlertLine> only_raised;
  std::vector<AlertLine> only_replayed;
};

std::vector<AlertLine> Missing(const std::vector<AlertLine>& from, const std::vector<AlertLine>& in) {
  std::set<std::string> keys;
  for (const AlertLine& a : in) keys.insert(a.dedupe_key);
  std::vector<AlertLine> out;
  for (const AlertLine& a : from) {
    if (!keys.contains(a.dedupe_key)) out.push_back(a);
  }
  return out;
}

Comparison Compare(const std::vector<AlertLine>& raised, const std::vector<AlertLine>& replayed) {
  Comparison c;
  for (const AlertLine& a : raised) ++c.counts[{a.brand, a.rule}].first;
  for (const AlertLine& a : replayed) ++c.counts[{a.brand, a.rule}].second;
  c.only_raised = Missing(raised, replayed);
  c.only_replayed = Missing(replayed, raised);
  return c;
}

// What the output says besides the comparison.
struct ReplayInfo {
  std::string config;
  std::string database;
  const query::Filter& period;
  Duration warm_up;
  const Replayed& replayed;
  size_t raised = 0;
};

void TextAlerts(std::ostream& out, const char* title, const std::vector<AlertLine>& alerts) {
  out << "\n" << title << " (" << alerts.size() << ")" << (alerts.empty() ? "" : ":") << "\n";
  for (const AlertLine& a : alerts) {
    std::string mention = a.source.empty() ? "-" : a.source + "/" + a.id;
    out << "  " << FormatRfc3339(a.ts) << "  " << ReplaceUnsafe(a.brand) << "  " << a.rule << "  "
        << ReplaceUnsafe(mention) << "  " << ReplaceUnsafe(a.summary) << "\n";
  }
}

std::string Text(const ReplayInfo& info, const Comparison& c) {
  std::ostringstream out;
  out << "replay of " << FormatRfc3339(FromUnixMillis(info.period.since_ms)) << " to "
      << FormatRfc3339(FromUnixMillis(info.period.until_ms)) << " through " << ReplaceUnsafe(info.config) << ": "
      << info.replayed.mentions << " stored mentions, " << info.replayed.matched << " of them naming its brands (and "
      << info.replayed.warm_up_mentions << " of the " << FormatDuration(info.warm_up)
      << " before, to warm up the trend rules)\n"
      << "alerts raised: " << info.raised << "; with " << ReplaceUnsafe(info.config) << ": "
      << info.replayed.alerts.size() << "\n\n";
  size_t brand_w = 5, rule_w = 4;
  for (const auto& [key, n] : c.counts) {
    brand_w = std::max(brand_w, key.first.size());
    rule_w = std::max(rule_w, key.second.size());
  }
  auto row = [&](const std::string& brand, const std::string& rule, const std::string& was, const std::string& now) {
    out << brand << std::string(brand_w + 2 - brand.size(), ' ') << rule << std::string(rule_w + 2 - rule.size(), ' ')
        << std::string(8 - std::min<size_t>(8, was.size()), ' ') << was
        << std::string(10 - std::min<size_t>(10, now.size()), ' ') << now << "\n";
  };
  row("brand", "rule", "raised", "replayed");
  for (const auto& [key, n] : c.counts) {
    row(ReplaceUnsafe(key.first), key.second, std::to_string(n.first), std::to_string(n.second));
  }
  TextAlerts(out, "raised, not replayed", c.only_raised);
  TextAlerts(out, "replayed, not raised", c.only_replayed);
  return out.str();
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const char* key, std::string_view value) {
  std::string valid = ValidUtf8(value);
  w.Key(key);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void JsonAlerts(Writer& w, const char* key, const std::vector<AlertLine>& alerts) {
  w.Key(key);
  w.StartArray();
  for (const AlertLine& a : alerts) {
    w.StartObject();
    Str(w, "ts", FormatRfc3339(a.ts));
    Str(w, "brand", a.brand);
    Str(w, "rule", a.rule);
    if (!a.source.empty()) {
      Str(w, "source", a.source);
      Str(w, "id", a.id);
    }
    Str(w, "summary", a.summary);
    Str(w, "dedupe_key", a.dedupe_key);
    w.EndObject();
  }
  w.EndArray();
}

std::string Json(const ReplayInfo& info, const Comparison& c) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "since", FormatRfc3339(FromUnixMillis(info.period.since_ms)));
  Str(w, "until", FormatRfc3339(FromUnixMillis(info.period.until_ms)));
  Str(w, "config", info.config);
  Str(w, "database", info.database);
  Str(w, "warm_up", FormatDuration(info.warm_up));
  w.Key("mentions");
  w.Int64(info.replayed.mentions);
  w.Key("matched");
  w.Int64(info.replayed.matched);
  w.Key("warm_up_mentions");
  w.Int64(info.replayed.warm_up_mentions);
  w.Key("rules");
  w.StartArray();
  for (const auto& [key, n] : c.counts) {
    w.StartObject();
    Str(w, "brand", key.first);
    Str(w, "rule", key.second);
    w.Key("raised");
    w.Int64(n.first);
    w.Key("replayed");
    w.Int64(n.second);
    w.EndObject();
  }
  w.EndArray();
  JsonAlerts(w, "only_raised", c.only_raised);
  JsonAlerts(w, "only_replayed", c.only_replayed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

// The period of --since and --until, for --brand's alerts (all brands'
// without). Errors: InvalidArgument naming the option.
Result<query::Filter> Period(const ReadSideArgs& args) {
  auto filter = query::ParseFilter(args.params, SystemClock::Instance().Now());
  if (!filter.ok()) return Status::InvalidArgument(OptionError(filter.status().message()));
  if (auto brand = args.Value("--brand"); brand && !brand->empty()) filter->brands = {*brand};
  return filter;
}

int Fail(Invocation& inv, const Status& s, int code = 1) {
  inv.err << "brandmonctl replay: " << s.message() << "\n";
  return code;
}

}  // namespace

int RunReplay(Invocation& inv) {
  auto args = ParseReplayArgs(inv.args, inv.err);
  if (!args) return 2;
  auto period = Period(*args);
  if (!period.ok()) return Fail(inv, period.status(), 2);
  FakeClock clock;
  auto reader = LoadMentionReader(args->config_path, clock, args->Value("--brand").value_or(""));
  if (!reader.ok()) return Fail(inv, reader.status());
  auto warm_up = WarmUp(*args, (*reader)->settings);
  if (!warm_up.ok()) return Fail(inv, warm_up.status(), 2);
  auto where = FindStateDatabase(args->database, args->config_path);
  if (!where.ok()) return Fail(inv, where.status());
  auto db = OpenStateDatabase(*where);
  if (!db.ok()) return Fail(inv, db.status());
  auto raised = RaisedAlerts(*db, *period);
  if (!raised.ok()) return Fail(inv, raised.status());
  // Progress only for a person watching: never into a pipe or a log.
  bool progress = &inv.err == &std::cerr && isatty(STDERR_FILENO);
  auto replayed = Replay(**reader, clock, *period, progress, inv.err).Run(*db, *warm_up);
  if (!replayed.ok()) return Fail(inv, replayed.status());
  ReplayInfo info{args->config_path, db->path(), *period, *warm_up, *replayed, raised->size()};
  Comparison c = Compare(*raised, replayed->alerts);
  inv.out << (args->format == "json" ? Json(info, c) : Text(info, c));
  inv.out.flush();
  return 0;
}

}  // namespace brandmon::cli

// The Alertmanager receiver: alerts posted to /api/v2/alerts as Prometheus
// would, so that Alertmanager's routing, grouping, silences and inhibitions
// apply to them. An all-clear (`<rule>_clear`) resolves the alert of its rule.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

#include "daemon/base/units.h"
#include "daemon/notify/receiver_kinds.h"
#include "daemon/notify/reminders.h"
#include "daemon/notify/render_text.h"

namespace brandmon::notify {

namespace {

struct AlertmanagerOptions {
  std::string url;
  std::map<std::string, std::string> headers;
  std::vector<std::string> open_rules;
  Duration open_for{};
  Duration timeout{};
  Duration connect_timeout{};
  std::string ca_file;
};

config::OptionSpec<AlertmanagerOptions> OpenRulesOption() {
  config::OptionSpec<AlertmanagerOptions> spec = config::StrList<AlertmanagerOptions>(
      "open_rules", &AlertmanagerOptions::open_rules,
      "Rules whose alerts stay firing until their all-clear (`<rule>_clear`) resolves them, or `open_for` passes; "
      "the alerts of other rules are events, which Alertmanager resolves after its resolve_timeout.");
  spec.info.default_text = "[\"volume_spike\", \"volume_dip\", \"negative_spike\", \"negative_dip\"]";
  auto apply = spec.apply;
  spec.apply = [apply](AlertmanagerOptions& out, const config::ConfigValue* v, const std::string& path,
                       config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr) out.open_rules = TrendRules();
  };
  return spec;
}

const config::OptionTable<AlertmanagerOptions>& AlertmanagerTable() {
  static const config::OptionTable<AlertmanagerOptions> table = [] {
    config::OptionTable<AlertmanagerOptions> t = {
        UrlOption<AlertmanagerOptions>("url", &AlertmanagerOptions::url, /*secret=*/false, {"http", "https"},
                                       "Alertmanager's base URL, e.g. \"http://127.0.0.1:9093\"; alerts go to "
                                       "<url>/api/v2/alerts. Required."),
        HeadersOption<AlertmanagerOptions>(
            "headers", &AlertmanagerOptions::headers, {"content-type"},
            "Extra request headers, e.g. {\"Authorization\": \"Basic ${credential:am-basic}\"} for an Alertmanager "
            "behind an authenticating proxy; the values of credential headers are never shown."),
        OpenRulesOption(),
        config::Dur<AlertmanagerOptions>("open_for", "24h", {"5m", "30d"}, &AlertmanagerOptions::open_for,
                                         "How long an alert of `open_rules` stays firing when no all-clear comes "
                                         "(its endsAt)."),
    };
    AddHttpOptions(t, &AlertmanagerOptions::timeout, &AlertmanagerOptions::connect_timeout,
                   &AlertmanagerOptions::ca_file);
    return t;
  }();
  return table;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Pair(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// One element of the posted array. `rule` and `severity` are the labels'
// (for an all-clear: those of the alert it resolves).
struct AmAlert {
  const Alert* alert;
  std::string rule;
  Severity severity;
  std::optional<WallTime> starts;
  std::optional<WallTime> ends;
};

void WriteAlert(Writer& w, const AmAlert& am) {
  const Alert& a = *am.alert;
  w.StartObject();
  w.Key("labels");
  w.StartObject();
  Pair(w, "alertname", "brandmon_" + am.rule);
  Pair(w, "brand", a.brand);
  Pair(w, "rule", am.rule);
  Pair(w, "severity", SeverityName(am.severity));
  if (!a.channel.empty()) Pair(w, "channel", a.channel);
  w.EndObject();
  AlertFacts f = Facts(a, 1000);
  w.Key("annotations");
  w.StartObject();
  Pair(w, "summary", Shorten(a.summary, 1000));
  if (!f.text.empty()) Pair(w, "description", f.text);
  if (!f.link.empty()) Pair(w, "url", f.link);
  Pair(w, "seq", std::to_string(a.seq));
  w.EndObject();
  if (am.starts) Pair(w, "startsAt", FormatRfc3339(*am.starts));
  if (am.ends) Pair(w, "endsAt", FormatRfc3339(*am.ends));
  w.EndObject();
}

// Owned by the receiver's worker thread; Stop() from any thread.
class AlertmanagerReceiver final : public Receiver {
 public:
  explicit AlertmanagerReceiver(const AlertmanagerOptions& options) : options_(options), poster_(PostOptions(options)) {
    endpoint_ = options_.url;
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
    endpoint_ += "/api/v2/alerts";
  }

  Outcome Deliver(const Delivery& delivery) override {
    std::vector<AmAlert> alerts;
    for (const auto& m : delivery.alerts) Add(m.alert, alerts);
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartArray();
    for (const auto& am : alerts) WriteAlert(w, am);
    w.EndArray();
    Headers headers = {{"Content-Type", "application/json"}};
    for (const auto& [name, value] : options_.headers) headers.emplace_back(name, value);
    Outcome outcome = poster_.Post(endpoint_, headers, std::string(buf.GetString(), buf.GetSize()));
    if (outcome.kind == Outcome::Kind::kDelivered) Remember(alerts);
    return outcome;
  }
  void Stop() override { poster_.Stop(); }

 private:
  bool IsOpenRule(const std::string& rule) const {
    for (const auto& r : options_.open_rules) {
      if (r == rule) return true;
    }
    return false;
  }

  // An all-clear resolves the alert its rule opened. Its severity label is
  // that alert's when this receiver saw it; otherwise (after a restart) each
  // severity a firing alert can have is resolved.
  void Add(const Alert& a, std::vector<AmAlert>& out) const {
    auto cleared = ClearedRule(a.rule);
    if (!cleared) {
      std::optional<WallTime> ends;
      if (IsOpenRule(a.rule)) ends = a.ts + options_.open_for;
      out.push_back({&a, a.rule, a.severity, a.ts, ends});
      return;
    }
    std::string rule(*cleared);
    auto open = open_.find(OpenAlertKey(a, rule));
    std::vector<Severity> severities = {Severity::kWarning, Severity::kCritical};
    if (open != open_.end()) severities = {open->second};
    for (Severity s : severities) out.push_back({&a, rule, s, std::nullopt, a.ts});
  }

  void Remember(const std::vector<AmAlert>& sent) {
    for (const auto& am : sent) {
      std::string key = OpenAlertKey(*am.alert, am.rule);
      if (ClearedRule(am.alert->rule)) {
        open_.erase(key);
      } else if (IsOpenRule(am.rule)) {
        open_[key] = am.severity;
      }
    }
  }

  AlertmanagerOptions options_;
  std::string endpoint_;
  HttpPoster poster_;
  std::map<std::string, Severity> open_;  // the firing alerts of open rules this receiver sent
};

}  // namespace

ReceiverKind AlertmanagerKind() {
  return MakeReceiverKind<AlertmanagerOptions, AlertmanagerReceiver>(
      "alertmanager",
      "Posts the alerts to Prometheus Alertmanager's API (<url>/api/v2/alerts), one element per alert, with labels "
      "alertname=brandmon_<rule>, brand, rule, severity and channel (when the rule works per channel), annotations "
      "summary, description (the mention's text), url (the mention's link) and seq, and startsAt. Alerts of "
      "`open_rules` get an endsAt `open_for` ahead; their all-clear (e.g. volume_spike_clear) is sent with the "
      "labels of the alert it ends and endsAt, which resolves it.",
      &AlertmanagerTable);
}

}  // namespace brandmon::notify

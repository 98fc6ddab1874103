#include "daemon/notify/render_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "daemon/base/safe_text.h"

namespace brandmon::notify {

std::string Shorten(std::string_view text, size_t max_bytes) {
  // Cut first, so that a huge text costs no more than a short one.
  size_t budget = std::max<size_t>(max_bytes, 3);
  bool cut = text.size() > budget;
  std::string line = ReplaceUnsafe(text.substr(0, cut ? budget + 4 : text.size()));
  if (!cut && line.size() <= budget) return line;
  line.resize(Utf8PrefixLength(line, budget - 3));
  return line + "…";
}

std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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

std::string LinkUrl(std::string_view url) {
  if (url.size() > 2000) return "";
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return "";
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '|' || c == '`' ||
        c >= 0x80) {
      return "";
    }
  }
  return std::string(url);
}

std::string RuleWords(std::string_view rule) {
  std::string out(rule);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string SeverityLabel(Severity severity) {
  std::string out(SeverityName(severity));
  for (char& c : out) c = static_cast<char>(c - 'a' + 'A');
  return out;
}

Severity TopSeverity(const Delivery& delivery) {
  Severity top = Severity::kInfo;
  for (const auto& m : delivery.alerts) top = std::max(top, m.alert.severity);
  return top;
}

std::string WindowText(Duration window) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(window).count();
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string((s + 30) / 60) + " min";
  if (s < 2 * int64_t{86400}) {
    int64_t minutes = (s + 30) / 60;
    std::string out = std::to_string(minutes / 60) + " h";
    if (minutes % 60 != 0) out += " " + std::to_string(minutes % 60) + " min";
    return out;
  }
  return std::to_string((s + 43200) / 86400) + " d";
}

std::string Headline(const Delivery& delivery) {
  const Alert& first = delivery.alerts.front().alert;
  if (delivery.repeat > 0 && !delivery.digest()) return "Still open: " + first.summary;
  if (!delivery.digest()) return first.summary;
  bool one_brand = true, one_rule = true;
  for (const auto& m : delivery.alerts) {
    one_brand = one_brand && m.alert.brand == first.brand;
    one_rule = one_rule && m.alert.rule == first.rule;
  }
  std::string what;
  std::string words = RuleWords(first.rule);
  if (!one_rule) {
    what = "alerts";
  } else if (words.size() >= 7 && words.compare(words.size() - 7, 7, "mention") == 0) {
    what = words + "s";
  } else {
    what = words + " alerts";
  }
  std::string out = one_brand ? first.brand + ": " : "";
  out += std::to_string(delivery.alerts.size()) + " " + what;
  if (delivery.window > Duration(0)) out += " in " + WindowText(delivery.window);
  return out;
}

std::string ReminderLine(const Delivery& delivery) {
  if (delivery.repeat == 0) return "";
  std::time_t since = static_cast<std::time_t>(ToUnixMillis(delivery.alerts.front().alert.ts) / 1000);
  std::tm tm{};
  gmtime_r(&since, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
  std::string out = std::string("Still open since ") + date + " · reminder " + std::to_string(delivery.repeat);
  if (delivery.repeat_max > 0) out += " of " + std::to_string(delivery.repeat_max);
  if (delivery.repeat_max > 0 && delivery.repeat >= delivery.repeat_max) out += ", the last";
  return out;
}

double Reach(const Alert& alert) {
  if (const double* r = alert.Figure("reach"); r != nullptr && std::isfinite(*r)) return *r;
  if (!alert.mentions.empty()) {
    if (const double* f = alert.mentions.front().mention.Metric("followers")) return *f;
  }
  return 0;
}

std::vector<const AlertMessage*> TopAlerts(const Delivery& delivery, size_t n) {
  std::vector<const AlertMessage*> out;
  for (const auto& m : delivery.alerts) out.push_back(&m);
  std::stable_sort(out.begin(), out.end(), [](const AlertMessage* a, const AlertMessage* b) {
    if (a->alert.severity != b->alert.severity) return a->alert.severity > b->alert.severity;
    return Reach(a->alert) > Reach(b->alert);
  });
  if (out.size() > n) out.resize(n);
  return out;
}

namespace {

// "1,200", "15", "3,400,000".
std::string Grouped(double value) {
  if (!std::isfinite(value) || value < 0) return "";
  std::string digits = std::to_string(static_cast<int64_t>(std::llround(std::min(value, 9e15))));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

AlertFacts Facts(const Alert& alert, size_t max_text) {
  AlertFacts facts;
  facts.channel = Shorten(alert.channel, 100);
  if (double reach = Reach(alert); reach > 0) facts.reach = Grouped(reach);
  if (alert.mentions.empty()) return facts;
  const ScoredMention& m = alert.mentions.front();
  facts.text = Shorten(m.mention.text.empty() ? m.mention.title : m.mention.text, max_text);
  facts.author = Shorten(m.mention.author, 100);
  if (facts.channel.empty()) facts.channel = Shorten(m.mention.channel, 100);
  char score[32];
  std::snprintf(score, sizeof score, "%+.2f", m.sentiment.Effective());
  facts.sentiment = Shorten(m.sentiment.label, 20) + " (" + score + ")";
  facts.link = LinkUrl(m.mention.url);
  return facts;
}

}  // namespace brandmon::notify

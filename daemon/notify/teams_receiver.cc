// The Microsoft Teams receiver: a message with an Adaptive Card for a
// Workflows webhook ("When a Teams webhook request is received"). Text from
// mentions and rules goes only into TextRun elements, which Teams shows
// literally (no markdown), so it cannot form links or formatting.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/notify/receiver_kinds.h"
#include "daemon/notify/render_text.h"

namespace brandmon::notify {

namespace {

constexpr size_t kTeamsQuoteBytes = 500;
constexpr size_t kTeamsDigestQuoteBytes = 200;
constexpr size_t kTeamsSummaryBytes = 400;
constexpr size_t kTeamsDigestTop = 5;

struct TeamsOptions {
  std::string url;
  Duration timeout{};
  Duration connect_timeout{};
  std::string ca_file;
};

const config::OptionTable<TeamsOptions>& TeamsTable() {
  static const config::OptionTable<TeamsOptions> table = [] {
    config::OptionTable<TeamsOptions> t = {
        UrlOption<TeamsOptions>("url", &TeamsOptions::url, /*secret=*/true, {"https", "http"},
                                "The Workflows webhook URL (https://…logic.azure.com/workflows/…/triggers/manual/"
                                "paths/invoke?…&sig=…), usually \"${credential:teams-workflow}\": its query holds the "
                                "signature, so it is never shown. Required."),
    };
    AddHttpOptions(t, &TeamsOptions::timeout, &TeamsOptions::connect_timeout, &TeamsOptions::ca_file);
    return t;
  }();
  return table;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const char* SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical: return "Attention";
    case Severity::kWarning: return "Warning";
    case Severity::kInfo: return "Accent";
  }
  return "Default";
}

struct Run {
  std::string text;
  bool bold = false;
  bool italic = false;
  const char* color = nullptr;
};

// A RichTextBlock of literal text runs.
void RichText(Writer& w, const std::vector<Run>& runs, const char* size = nullptr) {
  w.StartObject();
  w.Key("type");
  w.String("RichTextBlock");
  w.Key("inlines");
  w.StartArray();
  for (const Run& r : runs) {
    if (r.text.empty()) continue;
    w.StartObject();
    w.Key("type");
    w.String("TextRun");
    w.Key("text");
    WriteJsonString(w, r.text);
    if (r.bold) {
      w.Key("weight");
      w.String("Bolder");
    }
    if (r.italic) {
      w.Key("italic");
      w.Bool(true);
    }
    if (r.color != nullptr) {
      w.Key("color");
      w.String(r.color);
    }
    if (size != nullptr) {
      w.Key("size");
      w.String(size);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::vector<Run> FactRuns(const AlertFacts& f) {
  std::vector<Run> runs;
  auto add = [&runs](const char* name, const std::string& value) {
    if (value.empty()) return;
    runs.push_back({std::string(runs.empty() ? "" : " · ") + name + " ", true});
    runs.push_back({value});
  };
  add("Author", f.author);
  add("Reach", f.reach);
  add("Sentiment", f.sentiment);
  add("Channel", f.channel);
  return runs;
}

void Quote(Writer& w, const std::string& text) {
  if (text.empty()) return;
  w.StartObject();
  w.Key("type");
  w.String("Container");
  w.Key("style");
  w.String("emphasis");
  w.Key("items");
  w.StartArray();
  RichText(w, {{"“" + text + "”", false, true}});
  w.EndArray();
  w.EndObject();
}

void OpenUrl(Writer& w, const std::string& title, const std::string& url) {
  w.StartObject();
  w.Key("type");
  w.String("Action.OpenUrl");
  w.Key("title");
  WriteJsonString(w, title);
  w.Key("url");
  WriteJsonString(w, url);
  w.EndObject();
}

// The card's body; the links to open go to `links`.
void CardBody(Writer& w, const Delivery& delivery, std::vector<std::pair<std::string, std::string>>& links) {
  Severity top = TopSeverity(delivery);
  RichText(w, {{SeverityLabel(top), true, false, SeverityColor(top)}}, "Small");
  if (delivery.repeat > 0) RichText(w, {{ReminderLine(delivery), true, true}});
  if (!delivery.digest()) {
    const Alert& a = delivery.alerts.front().alert;
    AlertFacts f = Facts(a, kTeamsQuoteBytes);
    RichText(w, {{a.brand + " · " + RuleWords(a.rule), true}}, "Medium");
    RichText(w, {{Shorten(a.summary, kTeamsSummaryBytes)}});
    Quote(w, f.text);
    RichText(w, FactRuns(f));
    if (!f.link.empty()) links.emplace_back("Open original", f.link);
    return;
  }
  RichText(w, {{Shorten(Headline(delivery), kTeamsSummaryBytes), true}}, "Medium");
  std::vector<const AlertMessage*> shown = TopAlerts(delivery, kTeamsDigestTop);
  for (const AlertMessage* m : shown) {
    AlertFacts f = Facts(m->alert, kTeamsDigestQuoteBytes);
    RichText(w, {{SeverityLabel(m->alert.severity) + " ", true, false, SeverityColor(m->alert.severity)},
                 {Shorten(m->alert.summary, kTeamsSummaryBytes)}});
    Quote(w, f.text);
    RichText(w, FactRuns(f));
    if (!f.link.empty()) links.emplace_back("Open #" + std::to_string(links.size() + 1), f.link);
  }
  if (delivery.alerts.size() > shown.size()) {
    RichText(w, {{"and " + std::to_string(delivery.alerts.size() - shown.size()) + " more", false, true}});
  }
}

std::string TeamsBody(const Delivery& delivery) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("type");
  w.String("message");
  w.Key("attachments");
  w.StartArray();
  w.StartObject();
  w.Key("contentType");
  w.String("application/vnd.microsoft.card.adaptive");
  w.Key("contentUrl");
  w.Null();
  w.Key("content");
  w.StartObject();
  w.Key("$schema");
  w.String("http://adaptivecards.io/schemas/adaptive-card.json");
  w.Key("type");
  w.String("AdaptiveCard");
  w.Key("version");
  w.String("1.4");
  w.Key("msteams");
  w.StartObject();
  w.Key("width");
  w.String("Full");
  w.EndObject();
  w.Key("body");
  w.StartArray();
  std::vector<std::pair<std::string, std::string>> links;
  CardBody(w, delivery, links);
  w.EndArray();
  w.Key("actions");
  w.StartArray();
  for (const auto& [title, url] : links) OpenUrl(w, title, url);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Owned by the receiver's worker thread; Stop() from any thread.
class TeamsReceiver final : public Receiver {
 public:
  explicit TeamsReceiver(const TeamsOptions& options) : options_(options), poster_(PostOptions(options)) {}

  Outcome Deliver(const Delivery& delivery) override {
    return poster_.Post(options_.url, {{"Content-Type", "application/json; charset=utf-8"}}, TeamsBody(delivery));
  }
  void Stop() override { poster_.Stop(); }

 private:
  TeamsOptions options_;
  HttpPoster poster_;
};

}  // namespace

ReceiverKind TeamsKind() {
  return MakeReceiverKind<TeamsOptions, TeamsReceiver>(
      "teams",
      "Posts a message holding an Adaptive Card (version 1.4) to a Teams Workflows webhook: severity, brand and "
      "rule, the summary, the mention's text quoted (500 bytes at most), author, reach, sentiment and channel, and "
      "an \"Open original\" action. A digest shows its headline and the five most severe, widest-reaching alerts. "
      "A reminder of an open alert (repeat_interval) says under the severity since when it is open and which "
      "reminder it is. All text is in TextRun elements, which Teams shows literally. Workflows answer 202 Accepted.",
      &TeamsTable);
}

}  // namespace brandmon::notify

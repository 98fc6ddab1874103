// The Slack receiver: an incoming-webhook message in Block Kit. Every text
// that comes from a mention or a rule goes through SlackEscape() so that it
// can never form a link, a mention (<!channel>) or a command.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/notify/receiver_kinds.h"
#include "daemon/notify/render_text.h"

namespace brandmon::notify {

namespace {

// Slack's limits: 3,000 characters in a section, 150 in a header; the
// quotes stay well below once escaped (an escape is at most 5 bytes).
constexpr size_t kSlackQuoteBytes = 500;
constexpr size_t kSlackDigestQuoteBytes = 200;
constexpr size_t kSlackSummaryBytes = 400;
constexpr size_t kSlackDigestTop = 5;

struct SlackOptions {
  std::string url;
  Duration timeout{};
  Duration connect_timeout{};
  std::string ca_file;
};

const config::OptionTable<SlackOptions>& SlackTable() {
  static const config::OptionTable<SlackOptions> table = [] {
    config::OptionTable<SlackOptions> t = {
        UrlOption<SlackOptions>("url", &SlackOptions::url, /*secret=*/true, {"https", "http"},
                                "The incoming webhook's URL (https://hooks.slack.com/services/…), usually "
                                "\"${credential:slack-webhook}\": the URL is the token, so it is never shown. "
                                "Required."),
    };
    AddHttpOptions(t, &SlackOptions::timeout, &SlackOptions::connect_timeout, &SlackOptions::ca_file);
    return t;
  }();
  return table;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// A text object. mrkdwn is verbatim: Slack then neither turns a bare
// "@channel" into a mention nor "#general" or a URL into a link; only the
// <…> forms this receiver writes itself are links.
void TextObject(Writer& w, const char* type, std::string_view text) {
  w.StartObject();
  w.Key("type");
  w.String(type);
  w.Key("text");
  WriteJsonString(w, text);
  if (std::string_view(type) == "mrkdwn") {
    w.Key("verbatim");
    w.Bool(true);
  }
  w.EndObject();
}

void Section(Writer& w, std::string_view mrkdwn) {
  w.StartObject();
  w.Key("type");
  w.String("section");
  w.Key("text");
  TextObject(w, "mrkdwn", mrkdwn);
  w.EndObject();
}

void Context(Writer& w, std::string_view mrkdwn) {
  w.StartObject();
  w.Key("type");
  w.String("context");
  w.Key("elements");
  w.StartArray();
  TextObject(w, "mrkdwn", mrkdwn);
  w.EndArray();
  w.EndObject();
}

void Header(Writer& w, std::string_view text) {
  w.StartObject();
  w.Key("type");
  w.String("header");
  w.Key("text");
  TextObject(w, "plain_text", Shorten(text, 150));
  w.EndObject();
}

// "*Author* sam · *Reach* 1,200 · *Sentiment* negative (-0.71) · *Channel* reddit", escaped.
std::string FactLine(const AlertFacts& f) {
  std::string out;
  auto add = [&out](const char* name, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += " · ";
    out += std::string("*") + name + "* " + SlackEscape(value);
  };
  add("Author", f.author);
  add("Reach", f.reach);
  add("Sentiment", f.sentiment);
  add("Channel", f.channel);
  return out;
}

// "> text", escaped: a quote of one line (Shorten made it one).
std::string Quote(const std::string& text) { return text.empty() ? "" : "> " + SlackEscape(text); }

// One alert; a reminder says so in its header and, first, since when the
// alert is open and how many reminders there are.
void OneAlert(Writer& w, const Delivery& delivery) {
  const Alert& alert = delivery.alerts.front().alert;
  AlertFacts f = Facts(alert, kSlackQuoteBytes);
  std::string header = SeverityLabel(alert.severity) + " · " + alert.brand + " · " + RuleWords(alert.rule);
  Header(w, delivery.repeat > 0 ? "Still open · " + header : header);
  if (delivery.repeat > 0) Context(w, SlackEscape(ReminderLine(delivery)));
  Section(w, "*" + SlackEscape(Shorten(alert.summary, kSlackSummaryBytes)) + "*");
  if (!f.text.empty()) Section(w, Quote(f.text));
  if (std::string facts = FactLine(f); !facts.empty()) Context(w, facts);
  if (f.link.empty()) return;
  w.StartObject();
  w.Key("type");
  w.String("actions");
  w.Key("elements");
  w.StartArray();
  w.StartObject();
  w.Key("type");
  w.String("button");
  w.Key("text");
  TextObject(w, "plain_text", "Open original");
  w.Key("url");
  WriteJsonString(w, f.link);
  w.EndObject();
  w.EndArray();
  w.EndObject();
}

void Digest(Writer& w, const Delivery& delivery) {
  Header(w, SeverityLabel(TopSeverity(delivery)) + " · " + Headline(delivery));
  std::vector<const AlertMessage*> top = TopAlerts(delivery, kSlackDigestTop);
  for (const AlertMessage* m : top) {
    AlertFacts f = Facts(m->alert, kSlackDigestQuoteBytes);
    std::string text = "*" + SlackEscape(SeverityLabel(m->alert.severity)) + "* " +
                       SlackEscape(Shorten(m->alert.summary, kSlackSummaryBytes));
    // LinkUrl() leaves no character that could end the link early.
    if (!f.link.empty()) text += " <" + SlackEscape(f.link) + "|open>";
    if (!f.text.empty()) text += "\n" + Quote(f.text);
    Section(w, text);
    if (std::string facts = FactLine(f); !facts.empty()) Context(w, facts);
  }
  if (delivery.alerts.size() > top.size()) {
    Context(w, "and " + std::to_string(delivery.alerts.size() - top.size()) + " more");
  }
}

std::string SlackBody(const Delivery& delivery) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("text");  // the notification's text, and what clients without blocks show
  WriteJsonString(
      w, SlackEscape(SeverityLabel(TopSeverity(delivery)) + ": " + Shorten(Headline(delivery), kSlackSummaryBytes)));
  // No preview fetched from a mention's link; no names in `text` made mentions.
  w.Key("unfurl_links");
  w.Bool(false);
  w.Key("unfurl_media");
  w.Bool(false);
  w.Key("link_names");
  w.Bool(false);
  w.Key("blocks");
  w.StartArray();
  if (delivery.digest()) {
    Digest(w, delivery);
  } else {
    OneAlert(w, delivery);
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Owned by the receiver's worker thread; Stop() from any thread.
class SlackReceiver final : public Receiver {
 public:
  explicit SlackReceiver(const SlackOptions& options) : options_(options), poster_(PostOptions(options)) {}

  Outcome Deliver(const Delivery& delivery) override {
    return poster_.Post(options_.url, {{"Content-Type", "application/json; charset=utf-8"}}, SlackBody(delivery));
  }
  void Stop() override { poster_.Stop(); }

 private:
  SlackOptions options_;
  HttpPoster poster_;
};

}  // namespace

ReceiverKind SlackKind() {
  return MakeReceiverKind<SlackOptions, SlackReceiver>(
      "slack",
      "Posts a Block Kit message to a Slack incoming webhook: a header with severity, brand and rule, the summary, "
      "the mention's text quoted (500 bytes at most), author, reach, sentiment and channel, and an \"Open original\" "
      "button. A digest shows \"acme: 12 negative mentions in 10 min\" and the five most severe, widest-reaching "
      "alerts. A reminder of an open alert (repeat_interval) is headed \"Still open\" and says since when and which "
      "reminder it is. Mention texts are escaped (&, <, >) and sent verbatim, so they cannot mention @channel or form "
      "links. "
      "Slack answers 200 "
      "\"ok\"; 4xx answers such as invalid_payload or no_service are dead letters.",
      &SlackTable);
}

}  // namespace brandmon::notify

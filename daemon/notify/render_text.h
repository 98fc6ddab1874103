#pragma once

// The words and escapes the receivers render alerts with: one definition of
// how an alert reads for people (titles, digests, who and how far) and of
// how text is made safe for each target (Slack mrkdwn, HTML). Pure functions;
// thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "daemon/notify/receiver.h"

namespace brandmon::notify {

// `text` made one safe line (ReplaceUnsafe: valid UTF-8, line breaks as
// spaces, controls replaced) and cut to at most `max_bytes` bytes on a
// character boundary, ending in "…" when cut. REQUIRES: max_bytes >= 3.
std::string Shorten(std::string_view text, size_t max_bytes);

// Slack mrkdwn: &, < and > as &amp; &lt; &gt;, the only characters that
// start a link, a mention (<!channel>, <@U123>) or an entity there.
std::string SlackEscape(std::string_view text);

// HTML text and attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

// `url` when it is an http or https URL of at most 2,000 bytes with no
// space, control, quote or angle bracket (safe as a link target anywhere),
// else "".
std::string LinkUrl(std::string_view url);

// "negative mention" for "negative_mention".
std::string RuleWords(std::string_view rule);

// "WARNING", "CRITICAL", "INFO".
std::string SeverityLabel(Severity severity);

// The most severe of the delivery's alerts.
Severity TopSeverity(const Delivery& delivery);

// "10 min", "45 s", "2 h", "1 h 30 min", "3 d".
std::string WindowText(Duration window);

// The headline of a delivery: the alert's summary, or for a digest
// "acme: 12 negative mentions in 10 min" ("acme: 3 volume spike alerts in 2
// h", "12 alerts in 1 h" across brands); a reminder's starts "Still open: ".
// Not shortened, not escaped.
std::string Headline(const Delivery& delivery);

// For a reminder (repeat > 0), the line that tells it from a new alert:
// "Still open since 2026-01-10 12:00 UTC · reminder 3 of 12", ending ", the
// last" when no other follows; "" for any other delivery.
std::string ReminderLine(const Delivery& delivery);

// The alerts of a delivery most worth reading first, at most `n`: most severe,
// then widest reach, then oldest.
std::vector<const AlertMessage*> TopAlerts(const Delivery& delivery, size_t n);

// An alert's reach: its "reach" figure, else its first mention's followers,
// else 0.
double Reach(const Alert& alert);

// What people read of an alert besides its summary: its first mention's
// text (shortened to `max_text` bytes), author, reach, sentiment, channel
// and link; empty strings for what it lacks.
struct AlertFacts {
  std::string text;
  std::string author;     // "sam"
  std::string reach;      // "1,200"
  std::string sentiment;  // "negative (-0.71)"
  std::string channel;    // "reddit"
  std::string link;       // LinkUrl() of the mention's URL
};
AlertFacts Facts(const Alert& alert, size_t max_text);

// Writes `s` as a JSON string value with a rapidjson Writer (the chat
// receivers' cards are built with one).
template <class JsonWriter>
void WriteJsonString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<unsigned>(s.size()));
}

}  // namespace brandmon::notify

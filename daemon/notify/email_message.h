#pragma once

// The e-mail a delivery becomes: headers a person can triage from the inbox
// and a multipart/alternative body (plain text and HTML). Pure functions;
// thread-safe.

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/notify/receiver.h"

namespace brandmon::notify {

struct EmailMessage {
  std::string from;  // plain addresses, checked by the config
  std::vector<std::string> to;
  std::string subject_prefix;  // "[brandmon]"; may be empty
  std::time_t now = 0;         // the Date header
};

// "[brandmon] WARNING acme: negative mention by @sam (reach 1200)", or for a
// digest "[brandmon] WARNING acme: 12 negative mentions in 10 min"; one
// line, at most about 200 bytes.
std::string EmailSubject(std::string_view prefix, const Delivery& delivery);

// `text` as a header value: unchanged when it is printable ASCII, else RFC
// 2047 encoded words (UTF-8, base64) folded onto continuation lines.
std::string EncodeHeaderText(std::string_view text);

// The plain-text and HTML versions of the body. Every text from an alert is
// shortened, and escaped in the HTML.
std::string PlainTextBody(const Delivery& delivery);
std::string HtmlBody(const Delivery& delivery);

// The whole message, CRLF line ends, for SMTP DATA: From, To, Subject, Date,
// a Message-ID made from the delivery's key (the same on every retry), for
// a reminder In-Reply-To and References naming the first mail of its alert,
// Auto-Submitted, MIME headers, and both bodies base64-encoded. A
// reminder's bodies start with its ReminderLine().
std::string RenderEmail(const EmailMessage& message, const Delivery& delivery);

}  // namespace brandmon::notify

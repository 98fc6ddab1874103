#include "daemon/notify/email_message.h"

#include <openssl/evp.h>

#include <cstdio>

#include "daemon/base/safe_text.h"

#include "daemon/notify/render_text.h"

namespace brandmon::notify {

namespace {

constexpr size_t kEmailQuoteBytes = 1000;
constexpr size_t kEmailDigestQuoteBytes = 300;
constexpr size_t kEmailSummaryBytes = 400;
constexpr size_t kEmailDigestTop = 20;

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Base64 in lines of 76 characters, CRLF after each.
std::string Base64Lines(std::string_view data) {
  std::string encoded = Base64(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// A token for Message-ID and the boundary: letters, digits, '.', '-'.
std::string Token(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += keep ? c : '.';
  }
  return out;
}

std::string Domain(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? "localhost" : Token(address.substr(at + 1));
}

// RFC 5322 date: "Mon, 07 Dec 2026 02:23:07 +0000".
std::string MailDate(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FactLine(const AlertFacts& f, const char* separator) {
  std::string out;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += separator;
    out += std::string(name) + ": " + value;
  };
  add("Author", f.author);
  add("Reach", f.reach);
  add("Sentiment", f.sentiment);
  add("Channel", f.channel);
  return out;
}

void PlainAlert(std::string& out, const Alert& a, size_t quote_bytes, bool title) {
  AlertFacts f = Facts(a, quote_bytes);
  if (title) out += SeverityLabel(a.severity) + " · " + a.brand + " · " + RuleWords(a.rule) + "\r\n";
  out += (title ? "" : SeverityLabel(a.severity) + " ") + Shorten(a.summary, kEmailSummaryBytes) + "\r\n";
  if (!f.text.empty()) out += "\r\n    \"" + f.text + "\"\r\n\r\n";
  if (std::string facts = FactLine(f, " · "); !facts.empty()) out += facts + "\r\n";
  if (!f.link.empty()) out += "Open: " + f.link + "\r\n";
}

void HtmlAlert(std::string& out, const Alert& a, size_t quote_bytes, bool title) {
  AlertFacts f = Facts(a, quote_bytes);
  if (title) {
    out += "<h2>" + HtmlEscape(SeverityLabel(a.severity) + " · " + a.brand + " · " + RuleWords(a.rule)) + "</h2>\r\n";
    out += "<p><b>" + HtmlEscape(Shorten(a.summary, kEmailSummaryBytes)) + "</b></p>\r\n";
  } else {
    out += "<h3>" + HtmlEscape(SeverityLabel(a.severity) + " " + Shorten(a.summary, kEmailSummaryBytes)) + "</h3>\r\n";
  }
  if (!f.text.empty()) {
    out += "<blockquote style=\"border-left:3px solid #ccc;margin:0;padding-left:8px\">" + HtmlEscape(f.text) +
           "</blockquote>\r\n";
  }
  if (std::string facts = FactLine(f, " · "); !facts.empty()) out += "<p>" + HtmlEscape(facts) + "</p>\r\n";
  if (!f.link.empty()) out += "<p><a href=\"" + HtmlEscape(f.link) + "\">Open the original</a></p>\r\n";
}

}  // namespace

std::string EmailSubject(std::string_view prefix, const Delivery& delivery) {
  std::string subject = prefix.empty() ? "" : Shorten(prefix, 40) + " ";
  subject += SeverityLabel(TopSeverity(delivery)) + " " + Headline(delivery);
  return Shorten(subject, 200);
}

std::string EncodeHeaderText(std::string_view text) {
  bool plain = true;
  for (unsigned char c : text) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return std::string(text);
  // Each word holds at most 45 bytes (60 base64 characters, 72 with its
  // frame), cut on a character boundary as RFC 2047 requires.
  std::string out;
  std::string valid = Shorten(text, text.size() + 3);
  std::string_view rest = valid;
  while (!rest.empty()) {
    size_t n = Utf8PrefixLength(rest, 45);
    if (n == 0) n = rest.size();
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(rest.substr(0, n)) + "?=";
    rest.remove_prefix(n);
  }
  return out;
}

std::string PlainTextBody(const Delivery& delivery) {
  std::string out;
  if (delivery.repeat > 0) out += ReminderLine(delivery) + "\r\n\r\n";
  if (!delivery.digest()) {
    PlainAlert(out, delivery.alerts.front().alert, kEmailQuoteBytes, true);
  } else {
    out += SeverityLabel(TopSeverity(delivery)) + " · " + Shorten(Headline(delivery), kEmailSummaryBytes) + "\r\n";
    std::vector<const AlertMessage*> top = TopAlerts(delivery, kEmailDigestTop);
    for (const AlertMessage* m : top) {
      out += "\r\n";
      PlainAlert(out, m->alert, kEmailDigestQuoteBytes, false);
    }
    if (delivery.alerts.size() > top.size()) {
      out += "\r\n... and " + std::to_string(delivery.alerts.size() - top.size()) + " more\r\n";
    }
  }
  out += "\r\n-- \r\nbrandmon-notify, delivery " + Token(delivery.key) + "\r\n";
  return out;
}

std::string HtmlBody(const Delivery& delivery) {
  std::string out = "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>\r\n";
  if (delivery.repeat > 0) out += "<p><i>" + HtmlEscape(ReminderLine(delivery)) + "</i></p>\r\n";
  if (!delivery.digest()) {
    HtmlAlert(out, delivery.alerts.front().alert, kEmailQuoteBytes, true);
  } else {
    out += "<h2>" + HtmlEscape(SeverityLabel(TopSeverity(delivery)) + " · " + Shorten(Headline(delivery), 400)) +
           "</h2>\r\n";
    std::vector<const AlertMessage*> top = TopAlerts(delivery, kEmailDigestTop);
    for (const AlertMessage* m : top) HtmlAlert(out, m->alert, kEmailDigestQuoteBytes, false);
    if (delivery.alerts.size() > top.size()) {
      out += "<p>… and " + std::to_string(delivery.alerts.size() - top.size()) + " more</p>\r\n";
    }
  }
  out += "<p style=\"color:#888\">brandmon-notify, delivery " + HtmlEscape(Token(delivery.key)) +
         "</p>\r\n</body></html>\r\n";
  return out;
}

std::string RenderEmail(const EmailMessage& message, const Delivery& delivery) {
  std::string key = Token(delivery.key);
  // Base64 never holds '=' followed by '_', so the parts cannot contain it.
  std::string boundary = "=_brandmon_" + key.substr(0, 40);
  std::string to;
  for (const auto& t : message.to) to += (to.empty() ? "" : ",\r\n ") + t;
  std::string out;
  out += "From: " + message.from + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + EncodeHeaderText(EmailSubject(message.subject_prefix, delivery)) + "\r\n";
  out += "Date: " + MailDate(message.now) + "\r\n";
  out += "Message-ID: <" + key + "@" + Domain(message.from) + ">\r\n";
  if (size_t r = delivery.key.rfind("/repeat-"); delivery.repeat > 0 && r != std::string::npos) {
    // A reminder answers the mail of the alert it recalls: mail readers
    // show them as one thread.
    std::string first = "<" + Token(delivery.key.substr(0, r)) + "@" + Domain(message.from) + ">";
    out += "In-Reply-To: " + first + "\r\nReferences: " + first + "\r\n";
  }
  out += "Auto-Submitted: auto-generated\r\n";
  out += "X-Brandmon-Delivery: " + key + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(PlainTextBody(delivery));
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(HtmlBody(delivery));
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace brandmon::notify

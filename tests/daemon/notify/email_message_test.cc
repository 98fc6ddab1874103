#include "daemon/notify/email_message.h"

#include <gtest/gtest.h>

#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using namespace testing;
using namespace std::chrono_literals;

TEST(EmailSubjectTest, ReadsLikeTheInboxLineOfAnAlert) {
  EXPECT_EQ(EmailSubject("[brandmon]", MakeDelivery("m", {SampleAlert(1)})),
            "[brandmon] WARNING acme: negative mention by @sam (reach 1200)");
  Alert critical = SampleAlert(3);
  critical.severity = Severity::kCritical;
  EXPECT_EQ(EmailSubject("", MakeDelivery("m", {SampleAlert(1), SampleAlert(2), critical}, 10min)),
            "CRITICAL acme: 3 negative mentions in 10 min");
  Alert long_summary = SampleAlert(1);
  long_summary.summary = std::string(5000, 'x');
  EXPECT_LE(EmailSubject("[brandmon]", MakeDelivery("m", {long_summary})).size(), 200u);
}

TEST(EncodeHeaderTextTest, AsciiStaysAndUtf8BecomesShortEncodedWords) {
  EXPECT_EQ(EncodeHeaderText("plain subject"), "plain subject");
  EXPECT_EQ(EncodeHeaderText("café"), "=?UTF-8?B?Y2Fmw6k=?=");
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "é ";
  std::string encoded = EncodeHeaderText(long_text);
  size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    size_t end = encoded.find("\r\n ", start);
    std::string word = encoded.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u);
    ++words;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  EXPECT_GT(words, 1);
}

TEST(RenderEmailTest, SameDeliverySameMessageIdAndNoBoundaryInTheParts) {
  EmailMessage m{"brandmon@example.com", {"care@example.com"}, "[brandmon]", 1767261600};
  Delivery d = MakeDelivery("care-team", {SampleAlert(41), SampleAlert(52)}, 5min);
  std::string first = RenderEmail(m, d);
  m.now += 600;  // a retry ten minutes later
  std::string retry = RenderEmail(m, d);
  EXPECT_NE(first.find("\r\nMessage-ID: <care-team.41-52@example.com>\r\n"), std::string::npos) << first;
  EXPECT_NE(retry.find("\r\nMessage-ID: <care-team.41-52@example.com>\r\n"), std::string::npos);
  EXPECT_NE(first.find("\r\nDate: Thu, 01 Jan 2026 10:00:00 +0000\r\n"), std::string::npos);
  std::string boundary = "=_brandmon_care-team.41-52";
  size_t count = 0;
  for (size_t at = first.find(boundary); at != std::string::npos; at = first.find(boundary, at + 1)) ++count;
  EXPECT_EQ(count, 4u);  // the header's, two openings and the close
  for (size_t i = 0; i + 1 < first.size(); ++i) {
    if (first[i] == '\n') {
      ASSERT_EQ(first[i - 1], '\r');
    }
  }
}

TEST(RenderEmailTest, AReminderReadsAsOneAndAnswersTheAlertsFirstMail) {
  EmailMessage m{"brandmon@example.com", {"care@example.com"}, "[brandmon]", 1767261600};
  Delivery reminder = MakeReminder("care-team", 3, 12);
  EXPECT_EQ(EmailSubject("[brandmon]", reminder),
            "[brandmon] WARNING Still open: acme: 240 mentions in the last hour, 6x the usual");
  EXPECT_EQ(PlainTextBody(reminder).rfind("Still open since 2026-01-01 10:00 UTC · reminder 3 of 12\r\n\r\n", 0), 0u)
      << PlainTextBody(reminder);
  EXPECT_NE(HtmlBody(reminder).find("<p><i>Still open since 2026-01-01 10:00 UTC · reminder 3 of 12</i></p>"),
            std::string::npos);
  std::string mail = RenderEmail(m, reminder);
  EXPECT_NE(mail.find("\r\nMessage-ID: <care-team.7-7.repeat-3@example.com>\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("\r\nIn-Reply-To: <care-team.7-7@example.com>\r\nReferences: <care-team.7-7@example.com>\r\n"),
            std::string::npos);
  // The alert's first mail neither answers anything nor reads as a reminder.
  Delivery first = MakeDelivery("care-team", {reminder.alerts[0].alert});
  EXPECT_EQ(RenderEmail(m, first).find("In-Reply-To"), std::string::npos);
  EXPECT_EQ(PlainTextBody(first).find("Still open"), std::string::npos);
}

TEST(MailBodiesTest, HtmlEscapesEverythingFromTheAlert) {
  Alert a = SampleAlert(1, "<img src=x onerror=alert(1)> & \"quoted\"");
  a.summary = "<b>bold</b>";
  Delivery d = MakeDelivery("m", {a});
  std::string html = HtmlBody(d);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(PlainTextBody(d).find("<img src=x onerror=alert(1)> & \"quoted\""), std::string::npos);
}

}  // namespace
}  // namespace brandmon::notify

#include "daemon/notify/render_text.h"

#include <gtest/gtest.h>

#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using namespace testing;
using namespace std::chrono_literals;

TEST(ShortenTest, CutsOnACharacterBoundaryAndMakesOneSafeLine) {
  EXPECT_EQ(Shorten("short", 10), "short");
  EXPECT_EQ(Shorten("0123456789abc", 10), "0123456…");
  EXPECT_EQ(Shorten("ab\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8), "ab\xC3\xA9…");  // never half an é
  EXPECT_EQ(Shorten("ab\xC3\xA9\xC3\xA9\xC3\xA9", 8), "ab\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(Shorten("line one\nline two", 100), "line one line two");
  EXPECT_EQ(Shorten("bad \xFF byte", 100), "bad \xEF\xBF\xBD byte");
  std::string huge(1 << 20, '<');
  EXPECT_LE(Shorten(huge, 500).size(), 500u);
}

TEST(EscapeTest, SlackEscapesOnlyWhatStartsLinksMentionsAndEntities) {
  EXPECT_EQ(SlackEscape("<!channel> <@U123> <http://evil|click> a&b *bold*"),
            "&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt; a&amp;b *bold*");
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

TEST(LinkUrlTest, KeepsOnlyPlainHttpLinks) {
  EXPECT_EQ(LinkUrl("https://forum.example/t/1?a=b&c=d"), "https://forum.example/t/1?a=b&c=d");
  EXPECT_EQ(LinkUrl("javascript:alert(1)"), "");
  EXPECT_EQ(LinkUrl("https://x.example/a|<!channel>"), "");
  EXPECT_EQ(LinkUrl("https://x.example/a b"), "");
  EXPECT_EQ(LinkUrl("https://x.example/\"onmouseover"), "");
  EXPECT_EQ(LinkUrl("https://x.example/" + std::string(3000, 'a')), "");
}

TEST(HeadlineTest, NamesTheDigestByBrandRuleCountAndWindow) {
  std::vector<Alert> alerts;
  for (int i = 1; i <= 12; ++i) alerts.push_back(SampleAlert(i));
  EXPECT_EQ(Headline(MakeDelivery("r", alerts, 10min)), "acme: 12 negative mentions in 10 min");
  Alert spike = SampleAlert(20);
  spike.rule = "volume_spike";
  EXPECT_EQ(Headline(MakeDelivery("r", {spike, spike, spike}, 2h)), "acme: 3 volume spike alerts in 2 h");
  Alert other = SampleAlert(21);
  other.brand = "globex";
  EXPECT_EQ(Headline(MakeDelivery("r", {spike, other}, 90min)), "2 alerts in 1 h 30 min");
  EXPECT_EQ(Headline(MakeDelivery("r", {SampleAlert(1)})), "acme: negative mention by @sam (reach 1200)");
  Delivery reminder = MakeDelivery("r", {spike});
  reminder.repeat = 2;
  EXPECT_EQ(Headline(reminder), "Still open: " + spike.summary);
}

TEST(ReminderLineTest, SaysSinceWhenTheAlertIsOpenAndWhichReminderThisIs) {
  EXPECT_EQ(ReminderLine(MakeDelivery("r", {SampleAlert(7)})), "");
  EXPECT_EQ(ReminderLine(MakeReminder("r", 3, 12)), "Still open since 2026-01-01 10:00 UTC · reminder 3 of 12");
  EXPECT_EQ(ReminderLine(MakeReminder("r", 12, 12)),
            "Still open since 2026-01-01 10:00 UTC · reminder 12 of 12, the last");
}

TEST(WindowTextTest, ReadsLikeAPersonWouldSayIt) {
  EXPECT_EQ(WindowText(45s), "45 s");
  EXPECT_EQ(WindowText(10min), "10 min");
  EXPECT_EQ(WindowText(2h), "2 h");
  EXPECT_EQ(WindowText(3 * 24h), "3 d");
}

TEST(TopAlertsTest, MostSevereThenWidestReachFirst) {
  Alert low = SampleAlert(1);
  low.figures = {{"reach", 10}};
  Alert wide = SampleAlert(2);
  wide.figures = {{"reach", 50000}};
  Alert critical = SampleAlert(3);
  critical.severity = Severity::kCritical;
  critical.figures = {{"reach", 5}};
  Delivery d = MakeDelivery("r", {low, wide, critical});
  auto top = TopAlerts(d, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0]->alert.seq, 3u);
  EXPECT_EQ(top[1]->alert.seq, 2u);
}

TEST(FactsTest, WhatPeopleReadOfAMention) {
  AlertFacts f = Facts(SampleAlert(1), 500);
  EXPECT_EQ(f.text, "The new acme app keeps crashing");
  EXPECT_EQ(f.author, "sam");
  EXPECT_EQ(f.reach, "1,200");
  EXPECT_EQ(f.sentiment, "negative (-0.71)");
  EXPECT_EQ(f.channel, "reddit");
  EXPECT_EQ(f.link, "https://forum.example/t/1");
}

}  // namespace
}  // namespace brandmon::notify

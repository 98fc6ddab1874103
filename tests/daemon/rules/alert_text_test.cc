#include "daemon/rules/alert_text.h"

#include <gtest/gtest.h>

#include <chrono>

namespace brandmon::rules {
namespace {

Mention On(std::string channel, std::string author, std::string text) {
  Mention m;
  m.channel = std::move(channel);
  m.author = std::move(author);
  m.text = std::move(text);
  return m;
}

TEST(AlertTextTest, FiguresDropTrailingZeros) {
  EXPECT_EQ(FormatFigure(0.5), "0.5");
  EXPECT_EQ(FormatFigure(-0.25), "-0.25");
  EXPECT_EQ(FormatFigure(12.0), "12");
  EXPECT_EQ(FormatFigure(1234.6, 0), "1235");
  EXPECT_EQ(FormatFigure(2.04, 1), "2");
}

TEST(AlertTextTest, SnippetIsOneLineCutAtACharacter) {
  EXPECT_EQ(Snippet("a\nb\tc"), "a b c");
  std::string accents;
  for (int i = 0; i < 50; ++i) accents += "\xC3\xA9";  // é
  std::string s = Snippet(accents, 5);
  EXPECT_EQ(s, "\xC3\xA9\xC3\xA9...");
}

TEST(AlertTextTest, WhereLeavesOutWhatIsMissing) {
  EXPECT_EQ(Where(On("reddit", "bob", "")), " on reddit by bob");
  EXPECT_EQ(Where(On("", "bob", "")), " by bob");
  EXPECT_EQ(Where(On("", "", "")), "");
}

TEST(AlertTextTest, MentionSummariesNameWhatWhoAndWhereAndQuoteTheSentence) {
  Mention m = On("reddit", "bob", "Ordered in May. Still no refund from them");
  const std::string quote = "Still no refund from them";
  EXPECT_EQ(NegativeMentionText("acme", m, -0.61, 1200, quote),
            "negative mention of acme on reddit by bob (score -0.61, reach 1200): Still no refund from them");
  EXPECT_EQ(PraiseText("acme", m, 0.8, 5000, quote),
            "praise for acme on reddit by bob (score 0.8, reach 5000): Still no refund from them");
  EXPECT_EQ(NeedsReplyText("acme", m, ReplyReason::kQuestion, 0, quote),
            "question for acme on reddit by bob: Still no refund from them");
  EXPECT_EQ(NeedsReplyText("acme", m, ReplyReason::kComplaint, 0, quote),
            "complaint for acme on reddit by bob: Still no refund from them");
  EXPECT_EQ(NeedsReplyText("acme", m, ReplyReason::kLowRating, 1, quote),
            "1-star review for acme on reddit by bob: Still no refund from them");
  EXPECT_EQ(KeywordText("acme", m, {{"refund", 1, 0}, {"data breach", 1, 0}}, quote),
            "crisis terms refund, data breach with acme on reddit by bob: Still no refund from them");
  EXPECT_EQ(KeywordText("acme", m, {{"refund", 1, 0}}, quote),
            "crisis term refund with acme on reddit by bob: Still no refund from them");
  EXPECT_EQ(KeywordText("acme", m, {{"refund", 1, 0}}, ""),
            "crisis term refund with acme on reddit by bob: Ordered in May. Still no refund from them")
      << "without a quote, the start of the text";
}

TEST(AlertTextTest, TrendSummariesGiveCountsAndBaselines) {
  auto q = std::chrono::minutes(15);
  EXPECT_EQ(SpikeText("acme", "reddit", SpikeCount::kMentions, false, 40, q, 3, 9.14),
            "spike in mentions for acme on reddit: 40 in 15m vs a usual 3 (z 9.1)");
  EXPECT_EQ(SpikeText("acme", "", SpikeCount::kNegative, true, 0, q, 12.5, -4),
            "drop in negative mentions for acme: 0 in 15m vs a usual 12.5 (z -4)");
  EXPECT_EQ(AllClearText("acme", "", SpikeCount::kMentions, false, 3, q, 40, 3),
            "all clear for acme: mentions back to normal after 3 x 15m (peak 40, usual 3)");
  EXPECT_EQ(AllClearText("acme", "x", SpikeCount::kMentions, true, 2, q, 0, 3),
            "all clear for acme on x: mentions back to normal after 2 x 15m (low 0, usual 3)");
  EXPECT_EQ(SentimentShiftText("acme", 0.5, -0.3, 12, 0.2),
            "sentiment about acme dropped by 0.5: -0.3 over the last 12 mentions vs 0.2 before");
  EXPECT_EQ(EmergingTermsText("acme", q, {{"recall", 12, 0.5}, {"fire", 4, 0}}),
            "emerging with acme in the last 15m: recall (12, usually 0.5), fire (4, usually 0)");
}

}  // namespace
}  // namespace brandmon::rules

#include <gtest/gtest.h>

#include "daemon/feedparse/feed_item.h"
#include "tests/support/recording_sink.h"

namespace brandmon::feedparse::feed_internal {
namespace {

TEST(EmitItemsTest, ChannelComesFromTheFeedHost) {
  struct Case {
    const char* link;
    const char* channel;
  };
  for (Case c : {Case{"https://www.youtube.com/channel/x", "youtube"}, Case{"https://old.reddit.com/r/x", "reddit"},
                 Case{"https://news.ycombinator.com/", "hackernews"}, Case{"https://blog.example/", "rss"}}) {
    std::vector<FeedItem> items(1);
    items[0].guid = "1";
    FeedInfo info;
    info.link = c.link;
    testing::RecordingSink sink;
    EmitItems(items, info, {}, sink);
    ASSERT_EQ(sink.mentions.size(), 1u);
    EXPECT_EQ(sink.mentions[0].channel, c.channel) << c.link;
  }
}

TEST(EmitItemsTest, LanguageTagsAreNormalized) {
  std::vector<FeedItem> items(3);
  items[0].guid = "1";
  items[1].guid = "2";
  items[1].lang = "pt_br";
  items[2].guid = "3";
  items[2].lang = "not a tag!";
  FeedInfo info;
  info.lang = "EN-us";
  testing::RecordingSink sink;
  EmitItems(items, info, {}, sink);
  ASSERT_EQ(sink.mentions.size(), 3u);
  EXPECT_EQ(sink.mentions[0].lang, "en-US");
  EXPECT_EQ(sink.mentions[1].lang, "pt-BR");
  EXPECT_EQ(sink.mentions[2].lang, "en-US");  // an unusable item tag falls back to the feed's
}

TEST(EmitItemsTest, PrefersContentThenSummaryThenMedia) {
  std::vector<FeedItem> items(2);
  items[0].guid = "1";
  items[0].summary = {"<b>summary</b>", TextMode::kHtml, true};
  items[0].media_description = {"media", TextMode::kText, true};
  items[1].guid = "2";
  items[1].content = {"  ", TextMode::kText, true};  // empty content does not hide the summary
  items[1].summary = {"s2", TextMode::kText, true};
  testing::RecordingSink sink;
  EmitItems(items, {}, {}, sink);
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].text, "summary");
  EXPECT_EQ(sink.mentions[1].text, "s2");
}

}  // namespace
}  // namespace brandmon::feedparse::feed_internal

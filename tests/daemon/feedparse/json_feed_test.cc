#include <gtest/gtest.h>

#include "daemon/feedparse/feed_item.h"

namespace brandmon::feedparse::feed_internal {
namespace {

TEST(JsonFeedTest, ReadsVersion11Fields) {
  std::vector<FeedItem> items;
  FeedInfo info;
  Status s = ReadJsonFeed(R"({"version":"https://jsonfeed.org/version/1.1","home_page_url":"https://j.example/",
    "language":"en","authors":[{"name":"Feed"}],
    "items":[{"id":42,"url":"/p/1","title":"T","content_html":"<p>x</p>","content_text":"plain x",
              "date_published":"2024-01-01T00:00:00Z","authors":[{"name":"Ann"}]},
             {"id":"b","external_url":"https://e.example/","content_html":"<b>html</b> only"},
             "not an object"]})",
                          items, info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].guid, "42");
  EXPECT_EQ(items[0].content.raw, "plain x");  // the author's plain text wins
  EXPECT_EQ(items[0].author, "Ann");
  EXPECT_EQ(items[1].link, "https://e.example/");
  EXPECT_EQ(items[1].content.mode, TextMode::kHtml);
  EXPECT_EQ(info.link, "https://j.example/");
  EXPECT_EQ(info.author, "Feed");
}

TEST(JsonFeedTest, RejectsWhatIsNotAJsonFeed) {
  std::vector<FeedItem> items;
  FeedInfo info;
  EXPECT_EQ(ReadJsonFeed(R"({"items":[]})", items, info).code(), Status::Code::kCorrupt);
  EXPECT_EQ(ReadJsonFeed(R"([1,2])", items, info).code(), Status::Code::kCorrupt);
  EXPECT_EQ(ReadJsonFeed(R"({"version":"https://jsonfeed.org/version/1","items":{}})", items, info).code(),
            Status::Code::kCorrupt);
  std::string deep(200000, '[');
  EXPECT_EQ(ReadJsonFeed(deep, items, info).code(), Status::Code::kCorrupt);
}

}  // namespace
}  // namespace brandmon::feedparse::feed_internal

#include "plugins/feed/feed_plugin.h"

#include <gtest/gtest.h>

#include "daemon/plugin/registry.h"
#include "tests/support/recording_sink.h"

namespace brandmon::plugin {
namespace {

FeedOptions Options(std::string url) {
  FeedOptions o;
  config::ApplyDefaults(FeedOptionTable(), o);
  o.url = std::move(url);
  return o;
}

TEST(FeedPluginTest, AsksForOneGetOfTheUrl) {
  FeedPlugin plugin(Options("https://example.com/feed.xml"));
  SourceState state;
  auto first = plugin.NextRequest(state, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->method, "GET");
  EXPECT_EQ((*first)->url, "https://example.com/feed.xml");
  auto second = plugin.NextRequest(state, 1);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
}

TEST(FeedPluginTest, RejectsNonHttpUrls) {
  FeedPlugin plugin(Options("file:///etc/passwd"));
  auto r = plugin.NextRequest({}, 0);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST(FeedPluginTest, ParseUsesFinalUrlCharsetAndSourceName) {
  FeedPlugin plugin(Options("http://old.example.com/feed"));
  PluginContext ctx;
  ctx.source_name = "acme";
  ASSERT_TRUE(plugin.Start(ctx).ok());
  HttpResponse response;
  response.status = 200;
  response.url = "https://new.example.com/feeds/main.xml";
  response.headers = {{"content-type", "application/rss+xml; charset=windows-1252"}};
  response.body = "<rss version=\"2.0\"><channel><item><title>caf\xE9</title><link>p/1</link></item></channel></rss>";
  testing::RecordingSink sink;
  SourceState state;
  ASSERT_TRUE(plugin.Parse(response, sink, state).ok());
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "café");
  EXPECT_EQ(sink.mentions[0].url, "https://new.example.com/feeds/p/1");
  EXPECT_EQ(sink.mentions[0].source, "acme");
}

TEST(FeedPluginTest, BadBodyIsCorruptNamingTheUrl) {
  FeedPlugin plugin(Options("https://example.com/feed"));
  HttpResponse response;
  response.url = "https://example.com/feed";
  response.body = "<html><body>Service unavailable</body></html>";
  testing::RecordingSink sink;
  SourceState state;
  Status s = plugin.Parse(response, sink, state);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("https://example.com/feed"), std::string::npos);
}

TEST(FeedPluginTest, MaxItemsOptionApplies) {
  FeedOptions o = Options("https://example.com/feed");
  o.max_items = 1;
  FeedPlugin plugin(o);
  HttpResponse response;
  response.body = "<rss><channel><item><guid>1</guid></item><item><guid>2</guid></item></channel></rss>";
  testing::RecordingSink sink;
  SourceState state;
  ASSERT_TRUE(plugin.Parse(response, sink, state).ok());
  EXPECT_EQ(sink.mentions.size(), 1u);
}

TEST(FeedPluginTest, RegistersWithDescribedOptions) {
  Registry registry;
  RegisterPlugin_feed(registry);
  const PluginInfo* info = registry.Find("feed");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->kind, PluginInfo::Kind::kHttp);
  bool has_required_url = false;
  for (const auto& o : info->options) {
    EXPECT_FALSE(o.doc.empty()) << o.key;
    if (o.key == "url") has_required_url = o.required;
  }
  EXPECT_TRUE(has_required_url);
}

}  // namespace
}  // namespace brandmon::plugin

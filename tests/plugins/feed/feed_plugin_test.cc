#include "plugins/feed/feed_plugin.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"
#include "daemon/plugin/registry.h"
#include "tests/support/recording_sink.h"
#include "tests/support/test_util.h"

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

struct Configured {
  std::string errors;
  std::unique_ptr<Plugin> plugin;
};

// Configures a feed source from config text, as the config layer does.
Configured Configure(const std::string& text) {
  Registry registry;
  RegisterPlugin_feed(registry);
  auto value = config::ParseConfigText(text, "src.json");
  EXPECT_TRUE(value.ok()) << value.status().message();
  config::Diagnostics diag;
  config::ApplyContext ctx{diag, nullptr};
  ConfiguredPlugin cp = registry.Find("feed")->configure(*value, "sources[0]", ctx);
  Configured out;
  out.errors = diag.Joined();
  if (diag.ok()) out.plugin = cp.make();
  return out;
}

TEST(FeedPluginTest, PresetFillsTheUrlFromTheQueryAndSetsTheChannel) {
  Configured cfg = Configure(R"({"preset": "youtube_channel_rss", "query": "UCx y&z"})");
  ASSERT_EQ(cfg.errors, "");
  auto* http = dynamic_cast<HttpPlugin*>(cfg.plugin.get());
  ASSERT_NE(http, nullptr);
  auto request = http->NextRequest({}, 0);
  ASSERT_TRUE(request.ok() && request->has_value());
  EXPECT_EQ((*request)->url, "https://www.youtube.com/feeds/videos.xml?channel_id=UCx%20y%26z");
  HttpResponse response;
  response.body =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>yt:video:1</id><title>t</title></entry></feed>";
  testing::RecordingSink sink;
  SourceState state;
  ASSERT_TRUE(http->Parse(response, sink, state).ok());
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].channel, "youtube");
}

TEST(FeedPluginTest, SourceOptionsOverrideThePreset) {
  Configured cfg = Configure(R"({"preset": "google_alerts", "url": "https://www.google.com/alerts/feeds/1/2",
                                 "channel": "news"})");
  ASSERT_EQ(cfg.errors, "");
  auto* http = dynamic_cast<HttpPlugin*>(cfg.plugin.get());
  auto request = http->NextRequest({}, 0);
  EXPECT_EQ((*request)->url, "https://www.google.com/alerts/feeds/1/2");
}

TEST(FeedPluginTest, PresetErrorsNamePositions) {
  Configured no_url = Configure(R"({"preset": "google_alerts"})");
  EXPECT_NE(no_url.errors.find("src.json:1:1: sources[0]: missing required option 'url' (give it or a 'preset')"),
            std::string::npos)
      << no_url.errors;
  Configured no_query = Configure(R"({"preset": "youtube_channel_rss"})");
  EXPECT_NE(no_query.errors.find("sources[0].query: the url uses {query}: set 'query'"), std::string::npos)
      << no_query.errors;
  Configured other_type = Configure(R"({"preset": "reddit_search"})");
  EXPECT_NE(other_type.errors.find("src.json:1:12: sources[0].preset: preset \"reddit_search\" is for \"http_json\" "
                                   "sources: set \"type\": \"http_json\""),
            std::string::npos)
      << other_type.errors;
  Configured unknown = Configure(R"({"preset": "nope"})");
  EXPECT_NE(unknown.errors.find("src.json:1:12: sources[0].preset: unknown preset \"nope\""), std::string::npos)
      << unknown.errors;
  Configured bad_url = Configure(R"({"url": "ftp://example.com/feed"})");
  EXPECT_NE(bad_url.errors.find("src.json:1:9: sources[0].url: must start with http:// or https://, got "
                                "\"ftp://example.com/feed\""),
            std::string::npos)
      << bad_url.errors;
  testing::TempDir dir;
  std::string path = dir.Write("mine.json", "{\n  \"url\": \"https://a.example/\",\n  \"fields\": {}\n}\n");
  Configured own = Configure(R"({"preset": ")" + path + R"("})");
  EXPECT_NE(own.errors.find(path + ":3:3: preset.fields: unknown option 'fields'"), std::string::npos) << own.errors;
}

TEST(FeedPluginTest, RegistersWithDescribedOptions) {
  Registry registry;
  RegisterPlugin_feed(registry);
  const PluginInfo* info = registry.Find("feed");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->kind, PluginInfo::Kind::kHttp);
  bool has_url = false;
  bool has_preset = false;
  for (const auto& o : info->options) {
    EXPECT_FALSE(o.doc.empty()) << o.key;
    has_url |= o.key == "url";
    has_preset |= o.key == "preset";
  }
  EXPECT_TRUE(has_url);
  EXPECT_TRUE(has_preset);
}

}  // namespace
}  // namespace brandmon::plugin

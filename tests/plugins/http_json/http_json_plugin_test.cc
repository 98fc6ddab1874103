#include "plugins/http_json/http_json_plugin.h"

#include <gtest/gtest.h>

#include "daemon/base/units.h"
#include "daemon/config/json_reader.h"
#include "daemon/plugin/registry.h"
#include "tests/support/recording_sink.h"
#include "tests/support/test_util.h"

namespace brandmon::plugin {
namespace {

using testing::RecordingSink;

struct Configured {
  std::string errors;
  std::unique_ptr<HttpJsonPlugin> plugin;
  std::string dump;
  AddressRules rules;
};

// Configures an http_json source from config text, as the config layer does.
Configured Configure(const std::string& text, const Clock* clock = nullptr) {
  Registry registry;
  RegisterPlugin_http_json(registry);
  auto value = config::ParseConfigText(text, "src.json");
  EXPECT_TRUE(value.ok()) << value.status().message();
  config::Diagnostics diag;
  config::Redactor redactor;
  redactor.AddSecret("T0KEN-SECRET-VALUE");
  config::ApplyContext ctx{diag, &redactor};
  ConfiguredPlugin cp = registry.Find("http_json")->configure(*value, "sources[0]", ctx);
  Configured out;
  out.errors = diag.Joined();
  if (!diag.ok()) return out;
  out.rules = cp.address_rules;
  out.plugin.reset(static_cast<HttpJsonPlugin*>(cp.make().release()));
  out.plugin->SetClock(clock);
  PluginContext pctx{"src", clock, nullptr};
  EXPECT_TRUE(out.plugin->Start(pctx).ok());
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.StartObject();
  cp.dump_members(w, &redactor, {});
  w.EndObject();
  out.dump = buf.GetString();
  return out;
}

HttpResponse Response(const std::string& body) {
  HttpResponse r;
  r.status = 200;
  r.body = body;
  r.headers = {{"content-type", "application/json"}};
  return r;
}

struct PresetCase {
  std::string preset;
  std::string url_has;  // in the first request's URL
  size_t count;
  std::string id, url, author, text_has, published;
  std::string metric;
  double metric_value;
};

class PresetTest : public ::testing::TestWithParam<PresetCase> {};

TEST_P(PresetTest, ParsesItsFixture) {
  const PresetCase& c = GetParam();
  FakeClock clock;
  Configured cfg = Configure(R"({"name": "s", "type": "http_json", "preset": ")" + c.preset +
                                 R"(", "query": "acme widget", "token": "T0KEN-SECRET-VALUE"})",
                             &clock);
  ASSERT_EQ(cfg.errors, "");
  EXPECT_EQ(cfg.dump.find("T0KEN-SECRET-VALUE"), std::string::npos) << "the token is redacted in the config dump";
  SourceState state;
  auto request = cfg.plugin->NextRequest(state, 0);
  ASSERT_TRUE(request.ok()) << request.status().message();
  ASSERT_TRUE(request->has_value());
  std::string sent = (*request)->url + "\n" + (*request)->body;
  EXPECT_NE(sent.find(c.url_has), std::string::npos) << sent;
  RecordingSink sink;
  Status s = cfg.plugin->Parse(
      Response(testing::ReadFile(testing::FixturePath("plugins/http_json/fixtures/" + c.preset + ".json"))), sink,
      state);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(sink.mentions.size(), c.count) << sink.Jsonl();
  const Mention& m = sink.mentions[0];
  EXPECT_EQ(m.id, c.id);
  EXPECT_EQ(m.url, c.url);
  EXPECT_EQ(m.author, c.author);
  EXPECT_NE(m.text.find(c.text_has), std::string::npos) << m.text;
  EXPECT_EQ(m.published ? FormatRfc3339(*m.published) : "", c.published);
  if (!c.metric.empty()) {
    ASSERT_NE(m.Metric(c.metric), nullptr) << c.metric;
    EXPECT_EQ(*m.Metric(c.metric), c.metric_value);
  }
  EXPECT_FALSE(m.channel.empty());
  EXPECT_NE(m.kind, ChannelKind::kUnknown) << "every preset says what kind of channel it reads";
  EXPECT_EQ(m.kind, ResolveKind(m));
  EXPECT_TRUE(sink.warnings.empty()) << sink.warnings[0];
}

TEST(HttpJsonTest, AKindAndTheAccountAnItemRepliesToAreMapped) {
  Configured cfg = Configure(R"({"name": "s", "type": "http_json", "url": "https://api.example.com/c",
    "items": "/data", "fields": {"id": "/id", "text": "/text", "reply_to": "/in_reply_to/user"},
    "default_channel": "comments", "default_kind": "review"})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  RecordingSink sink;
  ASSERT_TRUE(cfg.plugin
                  ->Parse(Response(R"({"data": [{"id": "1", "text": "a", "in_reply_to": {"user": "acmecorp"}},
                                              {"id": "2", "text": "b"}]})"),
                          sink, state)
                  .ok());
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].reply_to, "acmecorp");
  EXPECT_EQ(sink.mentions[0].kind, ChannelKind::kReview);
  EXPECT_EQ(sink.mentions[1].reply_to, "");
  EXPECT_NE(Configure(R"({"name": "s", "type": "http_json", "url": "https://a.example/", "default_kind": "tweet"})")
                .errors.find("default_kind"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Presets, PresetTest,
    ::testing::Values(
        PresetCase{"reddit_search", "q=acme%20widget&sort=new", 2, "t3_1abcdf0",
                   "https://www.reddit.com/r/gadgets/comments/1abcdf0/acme_widget_wont_charge/", "widget_fan",
                   "support won't answer", "2025-01-01T12:00:00Z", "replies", 23},
        PresetCase{"mastodon_tag_timeline", "/api/v1/timelines/tag/acme%20widget?limit=40", 1, "117020593741189701",
                   "http://localhost:3000/@mastodonpy_test_2/117020593741189701", "mastodonpy_test_2", "#hoot",
                   "2026-08-01T13:55:55.867Z", "", 0},
        PresetCase{"mastodon_search", "type=statuses", 1, "117020593741189701",
                   "http://localhost:3000/@mastodonpy_test_2/117020593741189701", "mastodonpy_test_2", "#hoot",
                   "2026-08-01T13:55:55.867Z", "", 0},
        PresetCase{"bluesky_search_posts", "app.bsky.feed.searchPosts?q=acme%20widget&sort=latest", 1,
                   "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22",
                   "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22", "test.marshal.dev", "",
                   "2023-09-28T12:49:36.735Z", "", 0},
        PresetCase{"hackernews_search", "numericFilters=created_at_i%3E0", 2, "42000010",
                   "https://news.ycombinator.com/item?id=42000010", "pg_reader", "Acme to something else \xe2\x80\x94",
                   "2025-01-01T12:00:00Z", "", 0},
        PresetCase{"youtube_search", "&q=acme%20widget&key=T0KEN-SECRET-VALUE", 1, "dQw4w9WgXcQ",
                   "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Gadget Reviews", "after 3 months",
                   "2025-01-01T09:30:00Z", "", 0},
        PresetCase{"youtube_comment_threads", "videoId=acme%20widget", 5, "UgyZ1jqkHKYvi1-ruOZ4AaABAg",
                   "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg", "himani agarwal",
                   "Google.com", "2019-11-26T15:51:44Z", "likes", 0},
        PresetCase{"x_recent_search", "search/recent?query=acme%20widget&max_results=100", 10, "1578516068309794817",
                   "https://x.com/i/web/status/1578516068309794817", "", "tweepy", "", "", 0},
        PresetCase{"appstore_reviews", "/id=acme%20widget/sortby=mostrecent/json", 1, "11223344556",
                   "https://itunes.apple.com/us/review?id=1234567890&type=Purple%20Software", "Happy customer",
                   "crashes every time", "2025-01-01T11:05:06Z", "rating", 2},
        PresetCase{"instagram_hashtag_recent", "/acme%20widget/recent_media", 2, "17895695668004550",
                   "https://www.instagram.com/p/CxYz123/", "", "#acme widget", "2025-01-01T10:00:00Z", "likes", 42},
        PresetCase{"facebook_page_tagged", "/acme%20widget/tagged", 1, "104012345678901_998877665544332",
                   "https://www.facebook.com/104012345678901/posts/998877665544332", "Jane Doe", "quick fix",
                   "2025-01-01T08:15:00Z", "", 0},
        PresetCase{"facebook_post_comments", "/comments?fields=", 2, "998877665544332_1122334455",
                   "https://www.facebook.com/104012345678901/posts/998877665544332?comment_id=1122334455", "Sam Roe",
                   "refund", "2025-01-01T12:00:00Z", "likes", 12},
        PresetCase{"linkedin_comments", "/rest/socialActions/acme%20widget/comments", 1,
                   "urn:li:comment:(urn:li:activity:7012345678901234567,7012345678909876543)",
                   "https://www.linkedin.com/feed/update/urn:li:activity:7012345678901234567", "urn:li:person:AbC123",
                   "congratulations", "2025-01-01T12:00:00Z", "likes", 7},
        PresetCase{"tiktok_research_videos", "\"field_values\": [\"acme widget\"]", 2, "7201388554340000000",
                   "https://www.tiktok.com/@gadgetlover/video/7201388554340000000", "gadgetlover", "unboxing",
                   "2025-01-01T12:00:00Z", "shares", 12},
        PresetCase{"trustpilot_reviews", "/business-units/acme%20widget/reviews", 1, "677e1a2b3c4d5e6f7a8b9c0d",
                   "https://www.trustpilot.com/reviews/677e1a2b3c4d5e6f7a8b9c0d", "Maria K.", "no reply",
                   "2025-01-01T07:00:00Z", "rating", 1}),
    [](const ::testing::TestParamInfo<PresetCase>& info) { return info.param.preset; });

TEST(HttpJsonTest, XJoinsAuthorsAndKeepsTheNewestIdAsSince) {
  Configured cfg = Configure(R"({"preset": "x_recent_search", "query": "acme", "token": "t"})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  auto first = cfg.plugin->NextRequest(state, 0);
  EXPECT_EQ((*first)->url.find("since_id"), std::string::npos) << "an empty since is left out";
  EXPECT_EQ((*first)->headers.back(), (std::pair<std::string, std::string>{"Authorization", "Bearer t"}));
  RecordingSink sink;
  std::string body = R"({"data": [{"id": "20", "text": "hi", "author_id": "7", "created_at": "2025-01-01T00:00:00.000Z",
      "public_metrics": {"like_count": 3, "retweet_count": 1, "reply_count": 0}}],
    "includes": {"users": [{"id": "7", "username": "acme_fan", "public_metrics": {"followers_count": 1200}}]},
    "meta": {"newest_id": "20", "oldest_id": "20", "result_count": 1, "next_token": "nt1"}})";
  ASSERT_TRUE(cfg.plugin->Parse(Response(body), sink, state).ok());
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].author, "acme_fan");
  EXPECT_EQ(*sink.mentions[0].Metric("followers"), 1200);
  EXPECT_EQ(state["cursor"], "nt1");
  EXPECT_EQ(state.count("since"), 0u) << "since is committed once the pages are done";
  auto second = cfg.plugin->NextRequest(state, 1);
  ASSERT_TRUE(second->has_value());
  EXPECT_NE((*second)->url.find("&pagination_token=nt1"), std::string::npos) << (*second)->url;
  std::string last = R"({"data": [{"id": "19", "text": "older", "author_id": "8"}], "meta": {"result_count": 1}})";
  ASSERT_TRUE(cfg.plugin->Parse(Response(last), sink, state).ok());
  EXPECT_EQ(sink.mentions[1].author, "8") << "falls back to author_id without a joined user";
  EXPECT_EQ(state["since"], "20");
  EXPECT_EQ(state.count("cursor"), 0u);
  EXPECT_FALSE(cfg.plugin->NextRequest(state, 2)->has_value());
  auto next_poll = cfg.plugin->NextRequest(state, 0);
  EXPECT_NE((*next_poll)->url.find("&since_id=20"), std::string::npos) << (*next_poll)->url;
}

TEST(HttpJsonTest, PostBodyGetsTheCursorAndDates) {
  FakeClock clock;  // 2026-01-01
  Configured cfg = Configure(R"({"preset": "tiktok_research_videos", "query": "a \"quoted\" term", "token": "t",
                                 "max_pages": 2, "next_cursor": "/data/cursor", "cursor_param": "cursor"})",
                             &clock);
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  auto first = cfg.plugin->NextRequest(state, 0);
  EXPECT_EQ((*first)->method, "POST");
  EXPECT_NE((*first)->body.find(R"(["a \"quoted\" term"])"), std::string::npos) << (*first)->body;
  EXPECT_NE((*first)->body.find(R"("start_date": "20251225", "end_date": "20260101")"), std::string::npos)
      << (*first)->body;
  RecordingSink sink;
  ASSERT_TRUE(cfg.plugin
                  ->Parse(Response(testing::ReadFile(
                              testing::FixturePath("plugins/http_json/fixtures/tiktok_research_videos.json"))),
                          sink, state)
                  .ok());
  auto second = cfg.plugin->NextRequest(state, 1);
  ASSERT_TRUE(second->has_value());
  EXPECT_NE((*second)->body.find(R"("cursor":100)"), std::string::npos) << (*second)->body;
}

TEST(HttpJsonTest, PublishedHighWaterMarkOnlyMovesForward) {
  Configured cfg = Configure(R"({"preset": "hackernews_search", "query": "acme"})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  RecordingSink sink;
  (void)cfg.plugin->NextRequest(state, 0);
  ASSERT_TRUE(cfg.plugin
                  ->Parse(Response(testing::ReadFile(
                              testing::FixturePath("plugins/http_json/fixtures/hackernews_search.json"))),
                          sink, state)
                  .ok());
  EXPECT_EQ(state["since"], "1735732800");
  (void)cfg.plugin->NextRequest(state, 0);
  ASSERT_TRUE(cfg.plugin->Parse(Response(R"({"hits": [{"objectID": "1", "created_at_i": 1000}]})"), sink, state).ok());
  EXPECT_EQ(state["since"], "1735732800");
  auto next = cfg.plugin->NextRequest(state, 0);
  EXPECT_NE((*next)->url.find("created_at_i%3E1735732800"), std::string::npos) << (*next)->url;
}

TEST(HttpJsonTest, TimesBeyondWhatAClockHoldsAreDropped) {
  Configured cfg = Configure(R"({"preset": "hackernews_search", "query": "acme"})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  RecordingSink sink;
  (void)cfg.plugin->NextRequest(state, 0);
  ASSERT_TRUE(cfg.plugin
                  ->Parse(Response(R"({"hits": [{"objectID": "1", "created_at_i": 71735732800.0},
                                                {"objectID": "2", "created_at_i": 1e308}]})"),
                          sink, state)
                  .ok());
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_FALSE(sink.mentions[0].published.has_value());
  EXPECT_FALSE(sink.mentions[1].published.has_value());
}

TEST(HttpJsonTest, HostileAndBrokenBodies) {
  Configured cfg = Configure(R"({"url": "https://api.example/x", "items": "/items", "fields": {"id": "/id"}})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  RecordingSink sink;
  Status bad = cfg.plugin->Parse(Response(R"({"items": [{"id": 1},)"), sink, state);
  EXPECT_EQ(bad.code(), Status::Code::kCorrupt);
  EXPECT_EQ(bad.message().rfind("invalid json at byte 21:", 0), 0u) << bad.message();
  // A million levels of nesting: parsed iteratively, no stack overflow.
  std::string deep = R"({"items": [{"id": "ok"}], "x": )" + std::string(1000000, '[') + std::string(1000000, ']') + "}";
  ASSERT_TRUE(cfg.plugin->Parse(Response(deep), sink, state).ok());
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].id, "ok");
  EXPECT_EQ(cfg.plugin->Parse(Response(R"({"items": 5})"), sink, state).code(), Status::Code::kCorrupt);
  ASSERT_TRUE(cfg.plugin->Parse(Response(R"({"items": [3, {"no": "id"}, {"id": "b"}]})"), sink, state).ok());
  EXPECT_EQ(sink.mentions.size(), 2u);
  EXPECT_TRUE(sink.Warned("item 1 is not an object"));
  EXPECT_TRUE(sink.Warned("item 2 has no id"));
  EXPECT_TRUE(cfg.plugin->Parse(Response(R"({"meta": {"result_count": 0}})"), sink, state).ok())
      << "no items is an empty result";
}

TEST(HttpJsonTest, ConfigErrorsNamePositions) {
  Configured missing = Configure(R"({"name": "s", "fields": {"id": "/id", "body": "/b"}, "items": "data"})");
  EXPECT_NE(missing.errors.find("src.json:1:1: sources[0]: missing required option 'url'"), std::string::npos)
      << missing.errors;
  EXPECT_NE(missing.errors.find("sources[0].fields.body: unknown mention field 'body'"), std::string::npos)
      << missing.errors;
  EXPECT_NE(missing.errors.find("sources[0].items: not a JSON Pointer"), std::string::npos) << missing.errors;
  Configured unknown = Configure(R"({"preset": "nope"})");
  EXPECT_NE(unknown.errors.find("src.json:1:12: sources[0].preset: unknown preset \"nope\""), std::string::npos)
      << unknown.errors;
  Configured feed = Configure(R"({"preset": "google_alerts"})");
  EXPECT_NE(feed.errors.find("sources[0].preset: preset \"google_alerts\" is for \"feed\" sources: set \"type\": "
                             "\"feed\""),
            std::string::npos)
      << feed.errors;
  testing::TempDir dir;
  std::string path = dir.Write("mine.json",
                               "{\n  \"url\": \"https://a.example/\",\n  \"fields\": {\"id\": \"/id\"},\n"
                               "  \"itemz\": \"/x\"\n}\n");
  Configured own = Configure(R"({"preset": ")" + path + R"("})");
  EXPECT_NE(own.errors.find(path + ":4:3: preset.itemz: unknown option 'itemz'"), std::string::npos) << own.errors;
}

TEST(HttpJsonTest, SourceOptionsOverrideThePresetAndMergeHeaders) {
  Configured cfg = Configure(R"({"preset": "mastodon_tag_timeline", "query": "acme",
                                 "url": "https://fosstodon.org/api/v1/timelines/tag/{query}",
                                 "headers": {"X-Extra": "1"}, "channel": "fediverse"})");
  ASSERT_EQ(cfg.errors, "");
  SourceState state;
  auto r = cfg.plugin->NextRequest(state, 0);
  EXPECT_EQ((*r)->url, "https://fosstodon.org/api/v1/timelines/tag/acme");
  RecordingSink sink;
  ASSERT_TRUE(cfg.plugin->Parse(Response(R"([{"id": "5", "content": "<p>a &amp; b</p>"}])"), sink, state).ok());
  EXPECT_EQ(sink.mentions[0].text, "a & b");
  EXPECT_EQ(sink.mentions[0].channel, "fediverse");
  EXPECT_EQ(state["since"], "5");
}

TEST(HttpJsonTest, RequestsWithAHeaderOrATokenCarryCredentials) {
  struct Case {
    std::string options;
    bool credentials;
  } cases[] = {
      {R"("url": "https://api.example/x")", false},
      {R"("url": "https://api.example/x", "headers": {"X-Api-Key": "{token}"}, "token": "t")", true},
      {R"("url": "https://api.example/x", "headers": {"X-Custom": "a key in any header"})", true},
      {R"("url": "https://api.example/x?key={token}", "token": "t")", true},
      {R"("url": "https://api.example/x", "method": "POST", "body": "{\"k\": \"{token}\"}", "token": "t")", true},
  };
  for (const auto& c : cases) {
    Configured cfg = Configure("{" + c.options + R"(, "items": "/items", "fields": {"id": "/id"}})");
    ASSERT_EQ(cfg.errors, "") << c.options;
    SourceState state;
    auto r = cfg.plugin->NextRequest(state, 0);
    ASSERT_TRUE(r.ok() && r->has_value()) << c.options;
    EXPECT_EQ((*r)->credentials, c.credentials) << c.options;
  }
  // Every preset that sends a token marks its requests.
  Configured reddit = Configure(R"({"preset": "reddit_search", "query": "acme", "token": "t"})");
  ASSERT_EQ(reddit.errors, "");
  SourceState state;
  EXPECT_TRUE((*reddit.plugin->NextRequest(state, 0))->credentials);
  Configured youtube = Configure(R"({"preset": "youtube_search", "query": "acme", "token": "t"})");
  ASSERT_EQ(youtube.errors, "");
  EXPECT_TRUE((*youtube.plugin->NextRequest(state, 0))->credentials) << "key={token} in the url";
}

TEST(HttpJsonTest, PresetSourcesDenyPrivateAddressesUnlessTheySayOtherwise) {
  Configured preset = Configure(R"({"preset": "hackernews_search", "query": "acme"})");
  ASSERT_EQ(preset.errors, "");
  EXPECT_TRUE(preset.rules.deny_private);
  EXPECT_FALSE(preset.rules.allow_private);
  EXPECT_NE(preset.dump.find("\"deny_private\": true"), std::string::npos) << preset.dump;

  Configured plain = Configure(R"({"url": "http://127.0.0.1:8080/x", "items": "/items", "fields": {"id": "/id"}})");
  ASSERT_EQ(plain.errors, "");
  EXPECT_FALSE(plain.rules.deny_private) << "a source without a preset may read a local service";

  Configured off = Configure(R"({"preset": "hackernews_search", "query": "acme", "deny_private": false})");
  ASSERT_EQ(off.errors, "");
  EXPECT_FALSE(off.rules.deny_private);

  Configured allow = Configure(R"({"preset": "hackernews_search", "query": "acme", "allow_private": true})");
  ASSERT_EQ(allow.errors, "");
  EXPECT_FALSE(allow.rules.deny_private);
  EXPECT_TRUE(allow.rules.allow_private);

  Configured both = Configure(R"({"preset": "hackernews_search", "query": "acme", "deny_private": true,
                                  "allow_private": true})");
  EXPECT_NE(both.errors.find("sources[0].deny_private: contradicts allow_private: true"), std::string::npos)
      << both.errors;

  testing::TempDir dir;
  std::string path = dir.Write("lan.json",
                               "{\"url\": \"http://10.0.0.5/api\", \"fields\": {\"id\": \"/id\"}, "
                               "\"deny_private\": false}\n");
  Configured lan = Configure(R"({"preset": ")" + path + R"("})");
  ASSERT_EQ(lan.errors, "");
  EXPECT_FALSE(lan.rules.deny_private) << "a preset for a local service may turn it off";
}

}  // namespace
}  // namespace brandmon::plugin

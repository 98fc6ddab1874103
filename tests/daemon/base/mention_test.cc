#include "daemon/base/mention.h"

#include <gtest/gtest.h>

#include "daemon/base/time_parse.h"

namespace brandmon {
namespace {

TEST(MentionTest, JsonHasTheContractFieldsInOrder) {
  Mention m;
  m.source = "acme-rss";
  m.channel = "rss";
  m.id = "guid-1";
  m.url = "https://example.com/1";
  m.title = "Title";
  m.text = "Text with \"quotes\" and é";
  m.author = "Jo";
  m.published = *ParseRfc3339("2026-01-02T03:04:05Z");
  m.lang = "en";
  m.SetMetric("likes", 3);
  EXPECT_EQ(MentionToJson(m),
            R"({"source":"acme-rss","channel":"rss","id":"guid-1","url":"https://example.com/1","title":"Title",)"
            R"("text":"Text with \"quotes\" and é","author":"Jo","published":"2026-01-02T03:04:05Z","lang":"en",)"
            R"("metrics":{"likes":3.0}})");
}

TEST(MentionTest, NullsForMissingOptionalFields) {
  Mention m;
  std::string json = MentionToJson(m);
  EXPECT_NE(json.find(R"("published":null,"lang":null,"metrics":{})"), std::string::npos) << json;
}

TEST(MentionTest, RoundTripsThroughJson) {
  Mention m;
  m.source = "s";
  m.id = "1";
  m.text = "hello";
  m.published = *ParseRfc3339("2026-05-06T07:08:09Z");
  m.SetMetric("followers", 1200);
  auto back = MentionFromJson(MentionToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(MentionToJson(*back), MentionToJson(m));
}

// Found by fuzz_mention: 2e308 parsed as infinity, which MentionToJson cannot
// write, so the mention no longer round-tripped through JSON Lines.
TEST(MentionTest, NonFiniteMetricsAreDropped) {
  auto m = MentionFromJson(R"({"id": "a", "metrics": {"likes": 2e308, "shares": -2e308, "replies": 3}})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->Metric("likes"), nullptr);
  EXPECT_EQ(m->Metric("shares"), nullptr);
  ASSERT_NE(m->Metric("replies"), nullptr);
  EXPECT_EQ(*m->Metric("replies"), 3);
  auto back = MentionFromJson(MentionToJson(*m));
  ASSERT_TRUE(back.ok()) << MentionToJson(*m);
  EXPECT_EQ(MentionToJson(*back), MentionToJson(*m));
}

TEST(MentionTest, ReachIsTheLargestAudienceMetric) {
  Mention m;
  EXPECT_EQ(Reach(m), 0);
  m.SetMetric("followers", 300);
  m.SetMetric("likes", 1200);
  m.SetMetric("rating", 5000);
  EXPECT_EQ(Reach(m), 1200) << "a rating is no reach";
}

TEST(MentionTest, KindAndReplyToAreWrittenWhenKnownAndRoundTrip) {
  Mention m;
  m.source = "s";
  m.channel = "x";
  m.id = "1";
  EXPECT_EQ(MentionToJson(m).find("\"kind\""), std::string::npos) << "an unknown kind is left out";
  EXPECT_EQ(MentionToJson(m).find("\"reply_to\""), std::string::npos);
  m.kind = ChannelKind::kReview;
  m.reply_to = "acmecorp";
  std::string json = MentionToJson(m);
  EXPECT_NE(json.find(R"("channel":"x","kind":"review","id":"1")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("author":"","reply_to":"acmecorp","published")"), std::string::npos) << json;
  auto back = MentionFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->kind, ChannelKind::kReview);
  EXPECT_EQ(back->reply_to, "acmecorp");
  EXPECT_EQ(MentionFromJson(R"({"id":"1","kind":null})")->kind, ChannelKind::kUnknown);
}

TEST(MentionTest, AnUnknownKindIsRejectedByName) {
  for (const char* bad :
       {R"({"kind":"socail"})", R"({"kind":"Social"})", R"({"kind":""})", R"({"kind":5})", R"({"kind":["news"]})"}) {
    auto m = MentionFromJson(bad);
    if (std::string_view(bad) == R"({"kind":""})") {
      EXPECT_TRUE(m.ok()) << "an empty kind is no kind";
      continue;
    }
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_NE(m.status().message().find("'kind'"), std::string::npos) << m.status().message();
  }
  auto long_bad = MentionFromJson(R"({"kind":")" + std::string(10000, 'z') + "\"}");
  ASSERT_FALSE(long_bad.ok());
  EXPECT_NE(long_bad.status().message().find("'kind'"), std::string::npos);
  EXPECT_LT(long_bad.status().message().size(), 200u) << "the value is quoted, not copied whole";
}

TEST(MentionTest, KindsOfChannelsAndTheKindRulesRead) {
  EXPECT_EQ(KindOfChannel("x"), ChannelKind::kSocial);
  EXPECT_EQ(KindOfChannel("Mastodon"), ChannelKind::kSocial);
  EXPECT_EQ(KindOfChannel("appstore"), ChannelKind::kReview);
  EXPECT_EQ(KindOfChannel("trustpilot"), ChannelKind::kReview);
  EXPECT_EQ(KindOfChannel("reddit"), ChannelKind::kForum);
  EXPECT_EQ(KindOfChannel("rss"), ChannelKind::kNews);
  EXPECT_EQ(KindOfChannel("youtube"), ChannelKind::kVideo);
  EXPECT_EQ(KindOfChannel("my-crm"), ChannelKind::kUnknown);
  Mention m;
  m.channel = "my-crm";
  EXPECT_EQ(ResolveKind(m), ChannelKind::kSocial) << "a post of unknown origin reads as social";
  m.channel = "rss";
  EXPECT_EQ(ResolveKind(m), ChannelKind::kNews);
  m.kind = ChannelKind::kBlog;
  EXPECT_EQ(ResolveKind(m), ChannelKind::kBlog) << "a mention's own kind wins";
  for (const std::string& name : ChannelKindNames()) {
    ASSERT_TRUE(ParseChannelKind(name));
    EXPECT_EQ(ChannelKindName(*ParseChannelKind(name)), name);
  }
  EXPECT_EQ(ChannelKindNames().size(), 6u);
  EXPECT_FALSE(ParseChannelKind(""));
}

TEST(MentionTest, RejectsBadJsonWithReason) {
  EXPECT_EQ(MentionFromJson("not json").status().code(), Status::Code::kCorrupt);
  EXPECT_EQ(MentionFromJson("[1]").status().message(), "expected a json object");
  EXPECT_NE(MentionFromJson(R"({"text": 5})").status().message().find("'text' must be a string"), std::string::npos);
  EXPECT_NE(MentionFromJson(R"({"published": "soon"})").status().message().find("RFC 3339"), std::string::npos);
  std::string deep(100000, '[');
  EXPECT_FALSE(MentionFromJson(deep).ok());
}

}  // namespace
}  // namespace brandmon

namespace brandmon {
namespace {

Mention Hostile() {
  Mention m;
  const std::string evil = "x\x1b[2J\r\nFAKE\xE2\x80\xAEy";
  m.source = "src" + evil;
  m.channel = "ch" + evil;
  m.id = "id" + evil;
  m.url = "https://e.com/" + evil;
  m.title = "title" + evil;
  m.text = "text" + evil;
  m.author = "author" + evil;
  m.reply_to = "reply" + evil;
  m.lang = "en" + evil;
  m.SetMetric("likes" + evil, 1);
  return m;
}

TEST(NormalizeMentionTest, NoFieldKeepsAControlCharacterOrBidiOverride) {
  Mention m = Hostile();
  NormalizeMention(m, MentionLimits{});
  const std::string clean = "x\xEF\xBF\xBD[2J  FAKE\xEF\xBF\xBDy";
  EXPECT_EQ(m.source, "src" + clean);
  EXPECT_EQ(m.channel, "ch" + clean);
  EXPECT_EQ(m.url, "https://e.com/" + clean);
  EXPECT_EQ(m.title, "title" + clean);
  EXPECT_EQ(m.text, "text" + clean);
  EXPECT_EQ(m.author, "author" + clean);
  EXPECT_EQ(m.reply_to, "reply" + clean);
  EXPECT_EQ(*m.lang, "en" + clean);
  EXPECT_EQ(m.metrics[0].first, "likes" + clean);
  // A changed id stays apart from the id that differs only in the control.
  EXPECT_EQ(m.id.substr(0, 2 + clean.size() + 1), "id" + clean + "~");
  Mention other = Hostile();
  other.id = "idx\x07[2J\r\nFAKE\xE2\x80\xAEy";
  NormalizeMention(other, MentionLimits{});
  EXPECT_NE(other.id, m.id);
  EXPECT_TRUE(m.truncated.empty());
  std::string json = MentionToJson(m);
  EXPECT_EQ(json.find("\\u001b"), std::string::npos) << json;
  EXPECT_EQ(json.find("\\r"), std::string::npos) << json;
  EXPECT_EQ(json.find("\xE2\x80\xAE"), std::string::npos) << json;
}

TEST(NormalizeMentionTest, CapsEachFieldAtAUtf8BoundaryAndMarksIt) {
  MentionLimits limits;
  limits.title = 100;
  limits.text = 1000;
  limits.author = 64;
  limits.url = 200;
  limits.id = 300;
  Mention m;
  std::string e3 = "\xE6\x97\xA5";  // 日, three bytes
  for (int i = 0; i < 400; ++i) {
    m.title += e3;
    m.text += e3;
    m.author += e3;
    m.url += e3;
  }
  m.id = "short";
  NormalizeMention(m, limits);
  EXPECT_EQ(m.title.size(), 99u);  // 33 whole code points, not 100 bytes
  EXPECT_EQ(m.text.size(), 999u);
  EXPECT_EQ(m.author.size(), 63u);
  EXPECT_EQ(m.url.size(), 198u);
  EXPECT_EQ(m.id, "short");
  EXPECT_EQ(m.truncated, (std::vector<std::string>{"url", "title", "text", "author"}));
  EXPECT_NE(MentionToJson(m).find(R"("truncated":["url","title","text","author"])"), std::string::npos);
  m.reply_to = std::string(1000, 'r');
  NormalizeMention(m, limits);
  EXPECT_EQ(m.reply_to.size(), 64u) << "an account name is capped as the author is";
  EXPECT_EQ(m.truncated, (std::vector<std::string>{"url", "title", "text", "author", "reply_to"}));
}

TEST(MentionTest, AccountsAreTheSameButForTheirAtSignAndCase) {
  EXPECT_TRUE(SameAccount("@AcmeCorp", "acmecorp"));
  EXPECT_TRUE(SameAccount("acmecorp", "@acmecorp"));
  EXPECT_TRUE(SameAccount("@acme@social.example", "@acme"));
  EXPECT_FALSE(SameAccount("@acme@social.example", "@acme@other.example"));
  EXPECT_FALSE(SameAccount("@acme", "@acmecorp"));
  EXPECT_FALSE(SameAccount("@", "@")) << "no name is no account";
  EXPECT_FALSE(SameAccount("", ""));
}

TEST(NormalizeMentionTest, ALongIdIsCutButStaysUniqueAndStable) {
  MentionLimits limits;
  limits.id = 64;
  std::string base(500, 'a');
  Mention a, b, a_again;
  a.id = base + "1";
  b.id = base + "2";
  a_again.id = base + "1";
  NormalizeMention(a, limits);
  NormalizeMention(b, limits);
  NormalizeMention(a_again, limits);
  EXPECT_LE(a.id.size(), 64u);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.id, a_again.id);
  EXPECT_EQ(a.id.substr(0, 47), std::string(47, 'a'));
  EXPECT_EQ(a.truncated, std::vector<std::string>{"id"});
}

TEST(NormalizeMentionTest, IsIdempotent) {
  MentionLimits limits;
  limits.id = 64;
  limits.title = 70;
  Mention m = Hostile();
  m.id += std::string(100, 'z');
  m.title += std::string(100, 'z');
  NormalizeMention(m, limits);
  Mention again = m;
  NormalizeMention(again, limits);
  EXPECT_EQ(MentionToJson(again), MentionToJson(m));
}

TEST(NormalizeMentionTest, TheMarkRoundTripsThroughJsonLines) {
  auto m = MentionFromJson(R"({"id":"a","text":"t","truncated":["text","bogus","title"]})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->truncated, (std::vector<std::string>{"title", "text"}));
  auto back = MentionFromJson(MentionToJson(*m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->truncated, m->truncated);
  EXPECT_FALSE(MentionFromJson(R"({"id":"a","truncated":"text"})").ok());
}

}  // namespace
}  // namespace brandmon

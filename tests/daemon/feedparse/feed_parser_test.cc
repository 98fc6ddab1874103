#include "daemon/feedparse/feed_parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "daemon/base/units.h"
#include "tests/support/recording_sink.h"
#include "tests/support/test_util.h"

namespace brandmon::feedparse {
namespace {

namespace fs = std::filesystem;
using brandmon::testing::FixturePath;
using brandmon::testing::ReadFile;

testing::RecordingSink Parse(std::string_view bytes, FeedParseOptions options = {}, Status* status_out = nullptr) {
  testing::RecordingSink sink;
  Status s = ParseFeed(bytes, options, sink);
  if (status_out != nullptr) {
    *status_out = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return sink;
}

std::string Rss(std::string_view items, std::string_view channel_extra = "") {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>https://x.example/</link>" +
         std::string(channel_extra) + std::string(items) + "</channel></rss>";
}

// ---- Golden files: every fixture, what `brandmonctl parse` prints -------------

TEST(FeedGoldenTest, EveryFixtureMatchesItsGolden) {
  bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(FixturePath("daemon/feedparse"))) {
    std::string ext = entry.path().extension().string();
    if (ext != ".xml" && ext != ".json") continue;
    ++cases;
    std::string name = entry.path().stem().string();
    SCOPED_TRACE(name);
    FeedParseOptions options;
    options.base_url = "https://feeds.example.com/" + name;
    testing::RecordingSink sink = Parse(ReadFile(entry.path().string()), options);
    fs::path golden = entry.path();
    golden.replace_extension(".jsonl");
    if (update) {
      std::ofstream(golden, std::ios::binary) << sink.Jsonl();
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with UPDATE_GOLDEN=1";
    EXPECT_EQ(sink.Jsonl(), ReadFile(golden.string()));
    EXPECT_FALSE(sink.mentions.empty());
  }
  EXPECT_GE(cases, 15);
}

// ---- The real samples: what a user relies on ---------------------------------

TEST(FeedSamplesTest, GoogleAlertsLinksAreTheArticlesAndTitlesArePlain) {
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/google_alerts_atom.xml")));
  ASSERT_FALSE(sink.mentions.empty());
  const Mention& m = sink.mentions[0];
  EXPECT_EQ(m.channel, "google_alerts");
  EXPECT_EQ(m.url.rfind("https://www.aglobalmarketresearch.com/report-offers", 0), 0u) << m.url;
  EXPECT_EQ(m.title.find('<'), std::string::npos);
  EXPECT_NE(m.title.find("Automotive Slack Market"), std::string::npos);
  EXPECT_EQ(m.text.find("&nbsp;"), std::string::npos);
  for (const auto& x : sink.mentions) EXPECT_EQ(x.url.find("google.com/url"), std::string::npos) << x.url;
}

TEST(FeedSamplesTest, YoutubeUsesMediaDescriptionAndStatistics) {
  // The file starts with a blank line before <?xml, which strict parsers reject.
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/youtube_channel_atom.xml")));
  ASSERT_FALSE(sink.mentions.empty());
  const Mention& m = sink.mentions[0];
  EXPECT_EQ(m.channel, "youtube");
  EXPECT_EQ(m.id, "yt:video:5shykyfmb28");
  EXPECT_EQ(m.author, "Google");
  EXPECT_NE(m.text.find("A question is the most powerful force"), std::string::npos);
  ASSERT_NE(m.Metric("views"), nullptr);
  EXPECT_EQ(*m.Metric("views"), 251497);
}

TEST(FeedKindTest, FeedsAreNewsUnlessABlogWroteThemOrTheirChannelSaysOtherwise) {
  auto kind_of = [](const std::string& feed, FeedParseOptions options = {}) {
    testing::RecordingSink sink = Parse(feed, options);
    EXPECT_EQ(sink.mentions.size(), 1u) << feed;
    return sink.mentions.empty() ? ChannelKind::kUnknown : sink.mentions[0].kind;
  };
  const std::string item = "<item><guid>1</guid><title>t</title></item>";
  EXPECT_EQ(kind_of(Rss(item)), ChannelKind::kNews);
  EXPECT_EQ(kind_of(Rss(item, "<generator>Blogger</generator>")), ChannelKind::kBlog);
  EXPECT_EQ(kind_of(Rss(item, "<generator>Ghost 5.82</generator>")), ChannelKind::kBlog);
  EXPECT_EQ(kind_of(Rss(item, "<generator>https://wordpress.org/?v=6.4</generator>")), ChannelKind::kNews)
      << "WordPress runs newsrooms too";
  auto with_link = [&](const std::string& link) {
    return "<rss version=\"2.0\"><channel><link>" + link + "</link>" + item + "</channel></rss>";
  };
  EXPECT_EQ(kind_of(with_link("https://blog.example.com/")), ChannelKind::kBlog);
  EXPECT_EQ(kind_of(with_link("https://example.com/blog/")), ChannelKind::kBlog);
  EXPECT_EQ(kind_of(with_link("https://someone.substack.com/")), ChannelKind::kBlog);
  EXPECT_EQ(kind_of(with_link("https://notablog.example.com/")), ChannelKind::kNews);
  EXPECT_EQ(kind_of(with_link("https://www.youtube.com/channel/UC1")), ChannelKind::kVideo);
  EXPECT_EQ(kind_of(with_link("https://www.reddit.com/r/acme")), ChannelKind::kForum);
  FeedParseOptions forum;
  forum.channel = "hackernews";
  EXPECT_EQ(kind_of(Rss(item), forum), ChannelKind::kForum);
  const std::string atom =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><generator uri=\"https://jekyllrb.com/\">Jekyll</generator>"
      "<entry><id>1</id><title>t</title></entry></feed>";
  EXPECT_EQ(kind_of(atom), ChannelKind::kBlog);
  // A generator inside an item is not the feed's.
  EXPECT_EQ(kind_of(Rss("<item><guid>1</guid><generator>Blogger</generator></item>")), ChannelKind::kNews);
}

TEST(FeedSamplesTest, RedditAtomResolvesItsRelativeXmlBase) {
  FeedParseOptions options;
  options.base_url = "https://www.reddit.com/.rss";
  testing::RecordingSink sink =
      Parse(ReadFile(FixturePath("daemon/feedparse/reddit_frontpage_atom_2016.xml")), options);
  ASSERT_EQ(sink.mentions.size(), 24u);  // every <entry> in the file
  EXPECT_EQ(sink.mentions[0].author, "/u/AngryRedditorsBelow");
  EXPECT_EQ(sink.mentions[0].url.rfind("https://www.reddit.com/r/funny/comments/", 0), 0u);
}

TEST(FeedSamplesTest, JsonFeedItems) {
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/jsonfeed_v1.json")));
  ASSERT_FALSE(sink.mentions.empty());
  EXPECT_EQ(sink.mentions[0].title, "James Dempsey and the Breakpoints Benefit App Camp for Girls");
  EXPECT_EQ(sink.mentions[0].author, "Brent Simmons");
  EXPECT_TRUE(sink.mentions[0].published.has_value());
}

// ---- Wild-feed problems --------------------------------------------------------

TEST(FeedWildTest, UndeclaredHtmlEntitiesAreDecoded) {
  testing::RecordingSink sink = Parse(Rss("<item><title>Caf&eacute;&nbsp;&amp; co &mdash; &euro;5</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "Café & co — €5");
  EXPECT_TRUE(sink.warnings.empty());
}

TEST(FeedWildTest, EntitiesDeclaredInTheDocumentAreUsed) {
  std::string doc =
      "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY nbsp \"&#160;\"><!ENTITY brand \"Acme Corp\">]>"
      "<rss><channel><item><guid>1</guid><title>&brand;&nbsp;news &brand;</title></item></channel></rss>";
  for (int round = 0; round < 2; ++round) {  // the shared HTML table must be unaffected by the declaration
    testing::RecordingSink sink = Parse(doc);
    ASSERT_EQ(sink.mentions.size(), 1u);
    EXPECT_EQ(sink.mentions[0].title, "Acme Corp news Acme Corp");
  }
}

TEST(FeedWildTest, StrayAmpersandsAndUnknownEntitiesStayAsText) {
  testing::RecordingSink sink = Parse(Rss("<item><title>Q&A: AT&T &bogus; &amp; more</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "Q&A: AT&T &bogus; & more");
  EXPECT_TRUE(sink.Warned("stray"));
}

TEST(FeedWildTest, AmpersandsInCdataAreNotTouched) {
  testing::RecordingSink sink = Parse(Rss("<item><link><![CDATA[https://x.example/?a=1&b=2]]></link></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].url, "https://x.example/?a=1&b=2");
}

TEST(FeedWildTest, DoubleEncodedHtmlBecomesPlainText) {
  testing::RecordingSink sink =
      Parse(Rss("<item><title>Fish &amp;amp; Chips</title><description>&amp;lt;p&amp;gt;Hi &amp;lt;b&amp;gt;there"
                "&amp;lt;/b&amp;gt;&amp;lt;/p&amp;gt;</description></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "Fish & Chips");
  EXPECT_EQ(sink.mentions[0].text, "Hi there");
}

TEST(FeedWildTest, ControlCharactersAreRemoved) {
  testing::RecordingSink sink =
      Parse(Rss("<item><title>a\x01"
                "b\x0c"
                "c &#x2; d</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "a b c d");
  EXPECT_FALSE(sink.warnings.empty());
}

TEST(FeedWildTest, HttpCharsetAndPrologDisagree) {
  // Declared utf-8, served (and really encoded) as windows-1252.
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + Rss("<item><title>caf\xE9 \x93hi\x94</title></item>");
  FeedParseOptions options;
  options.charset = "windows-1252";
  testing::RecordingSink sink = Parse(doc, options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "café “hi”");
  EXPECT_TRUE(sink.Warned("overrides"));
  // Served as utf-8 but declared and encoded as iso-8859-1: the bytes decide.
  std::string latin = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>" + Rss("<item><title>caf\xE9</title></item>");
  options.charset = "utf-8";
  sink = Parse(latin, options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "café");
}

TEST(FeedWildTest, InvalidUtf8IsRepaired) {
  testing::RecordingSink sink = Parse(Rss("<item><title>ok \xC3\xA9 and bad \xE9 \xFF</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "ok é and bad é ÿ");
  EXPECT_TRUE(sink.Warned("invalid utf-8"));
}

TEST(FeedWildTest, Utf16Document) {
  std::string utf8 = Rss("<item><title>Grüße</title></item>");
  std::u16string wide;
  for (char c : std::string("<?xml version=\"1.0\" encoding=\"UTF-16\"?>")) wide.push_back(static_cast<char16_t>(c));
  // Hand-encode the rest (ASCII plus ü and ß).
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c == 0xC3) {
      wide.push_back(static_cast<char16_t>(0xC0 | (static_cast<unsigned char>(utf8[++i]) & 0x3F)));
    } else {
      wide.push_back(c);
    }
  }
  std::string bytes = "\xFF\xFE";
  for (char16_t c : wide) {
    bytes.push_back(static_cast<char>(c & 0xFF));
    bytes.push_back(static_cast<char>(c >> 8));
  }
  testing::RecordingSink sink = Parse(bytes);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "Grüße");
}

TEST(FeedWildTest, RelativeLinksResolveAgainstFeedLinkThenBaseUrl) {
  FeedParseOptions options;
  options.base_url = "https://feeds.example.com/feed.xml";
  testing::RecordingSink sink = Parse(Rss("<item><link>/a/1</link></item>"), options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].url, "https://x.example/a/1");  // the feed's own link wins over the request URL
  std::string no_link = "<rss version=\"2.0\"><channel><item><link>a/2</link></item></channel></rss>";
  sink = Parse(no_link, options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].url, "https://feeds.example.com/a/2");
}

TEST(FeedWildTest, XmlBaseOnEntries) {
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/wild_xml_base.xml")));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].url, "https://site.example.net/blog/posts/1.html");
  EXPECT_EQ(sink.mentions[1].url, "https://site.example.net/archive/2024/two.html");
  EXPECT_EQ(sink.mentions[0].text, "First bold para. Second.");
  EXPECT_EQ(sink.mentions[1].title, "Entry with its own base <b> literal");  // type="text" keeps markup-like text
}

TEST(FeedWildTest, ReusedGuidsYieldOneMention) {
  testing::RecordingSink sink =
      Parse(Rss("<item><guid>g</guid><title>a</title></item><item><guid>g</guid><title>b</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "a");
  EXPECT_TRUE(sink.Warned("repeated id"));
}

TEST(FeedWildTest, IdsFallBackToLinkThenContentHash) {
  std::string doc =
      Rss("<item><title>t</title><description>same</description></item>"
          "<item><link>https://x.example/l</link></item>");
  testing::RecordingSink a = Parse(doc);
  testing::RecordingSink b = Parse(doc);
  ASSERT_EQ(a.mentions.size(), 2u);
  EXPECT_EQ(a.mentions[0].id.rfind("hash:", 0), 0u);
  EXPECT_EQ(a.mentions[0].id, b.mentions[0].id);  // stable across polls
  EXPECT_EQ(a.mentions[1].id, "https://x.example/l");
}

TEST(FeedWildTest, DatesWithoutZonesAreUtc) {
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid><pubDate>Mon, 02 Jan 2006 15:04:05</pubDate></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(MentionToJson(sink.mentions[0]).find("\"published\":\"2006-01-02T15:04:05Z\"") != std::string::npos, true);
}

TEST(FeedWildTest, ExtensionElementsCarryTheContent) {
  std::string doc =
      "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
      "<item><title>t</title><description>short</description><content:encoded><![CDATA[<p>The full "
      "text</p>]]></content:encoded><dc:creator>Ann</dc:creator><dc:date>2024-01-02T03:04:05Z</dc:date></item>"
      "<item><media:title>only media</media:title><media:description>media text</media:description></item>"
      "</channel></rss>";
  testing::RecordingSink sink = Parse(doc);
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].text, "The full text");
  EXPECT_EQ(sink.mentions[0].author, "Ann");
  EXPECT_TRUE(sink.mentions[0].published.has_value());
  // Undeclared media: prefix, as in the wild.
  EXPECT_EQ(sink.mentions[1].title, "only media");
  EXPECT_EQ(sink.mentions[1].text, "media text");
}

TEST(FeedWildTest, RssAuthorEmailFormGivesTheName) {
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid><author>jo@example.com (Jo Doe)</author></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].author, "Jo Doe");
}

TEST(FeedWildTest, MissingCloseTagStillYieldsItemsAndAWarning) {
  testing::RecordingSink sink =
      Parse(Rss("<item><title>one</title><description>a <b>bold</description></item>"
                "<item><title>two</title></item>"));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[1].title, "two");
  EXPECT_FALSE(sink.warnings.empty());
}

TEST(FeedWildTest, AnUnclosedInlineTagEndsWithTheElementItIsIn) {
  testing::RecordingSink sink =
      Parse(Rss("<item><guid>1</guid><title>First <b>bold</title><link>https://a.example/1</link>"
                "<dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">Ann <i>X</dc:creator></item>"
                "<item><guid>2</guid><title>Second</title><link>https://a.example/2</link></item>"));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].title, "First bold");
  EXPECT_EQ(sink.mentions[0].url, "https://a.example/1");
  EXPECT_EQ(sink.mentions[0].author, "Ann X");
  EXPECT_EQ(sink.mentions[1].title, "Second");
  EXPECT_EQ(sink.mentions[1].url, "https://a.example/2");
  EXPECT_TRUE(sink.Warned("tag mismatch"));
}

TEST(FeedWildTest, TruncatedDocumentKeepsWhatWasRead) {
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/truncated.xml")));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].title, "Complete item");
  EXPECT_TRUE(sink.Warned("Premature end"));
}

TEST(FeedWildTest, MaxItemsKeepsTheFirst) {
  FeedParseOptions options;
  options.max_items = 2;
  testing::RecordingSink sink =
      Parse(Rss("<item><guid>1</guid></item><item><guid>2</guid></item><item><guid>3</guid></item>"), options);
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[1].id, "2");
}

TEST(FeedWildTest, SourceAndChannelAreStamped) {
  FeedParseOptions options;
  options.source = "acme-news";
  options.channel = "news";
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid></item>"), options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].source, "acme-news");
  EXPECT_EQ(sink.mentions[0].channel, "news");
}

TEST(FeedWildTest, ForcedFormatMustMatch) {
  FeedParseOptions options;
  options.format = FeedFormat::kAtom;
  Status s;
  Parse(Rss("<item><guid>1</guid></item>"), options, &s);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("expected atom"), std::string::npos) << s.message();
  options.format = FeedFormat::kRss;
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid></item>"), options);
  EXPECT_EQ(sink.mentions.size(), 1u);
}

// Found by fuzz_feed: stopping on a root of the wrong format freed the input
// that the root's attributes (xml:lang, xml:base) still pointed into.
TEST(FeedWildTest, ForcedFormatMismatchOnARootWithAttributes) {
  FeedParseOptions options;
  options.format = FeedFormat::kRss;
  Status s;
  testing::RecordingSink sink =
      Parse(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es" xml:base="http://a.example/">)"
            "<entry><id>a</id><title>x</title></entry></feed>",
            options, &s);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("expected rss"), std::string::npos) << s.message();
  EXPECT_TRUE(sink.mentions.empty());
}

// ---- As feedparser reads them -------------------------------------------------

const char kNamespaces[] =
    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
    "xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:itunes=\"http://www.itunes.com/DTDs/Podcast-1.0.dtd\"";

std::string RssNs(std::string_view items) {
  return "<rss version=\"2.0\" " + std::string(kNamespaces) + "><channel><title>T</title>" + std::string(items) +
         "</channel></rss>";
}

std::string Atom(std::string_view entries, std::string_view version_attr = "") {
  return "<feed xmlns=\"" +
         std::string(version_attr.empty() ? "http://www.w3.org/2005/Atom" : "http://purl.org/atom/ns#") + "\" " +
         std::string(version_attr) + "><title>T</title>" + std::string(entries) + "</feed>";
}

TEST(FeedReferenceTest, ContentElementsWinOverSummariesInEitherOrder) {
  testing::RecordingSink sink = Parse(RssNs(
      "<item><guid>1</guid><description>short</description><content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded>"
      "</item><item><guid>2</guid><content:encoded>full</content:encoded><description>short</description></item>"
      "<item><guid>3</guid><description>short</description><body><p>inline <b>body</b></p></body></item>"
      "<item><guid>4</guid><xhtml:body xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"><xhtml:p>x</xhtml:p>"
      "<xhtml:p>y</xhtml:p></xhtml:body></item><item><guid>5</guid><fullitem>&lt;i&gt;fi&lt;/i&gt;</fullitem></item>"));
  ASSERT_EQ(sink.mentions.size(), 5u);
  EXPECT_EQ(sink.mentions[0].text, "full");
  EXPECT_EQ(sink.mentions[1].text, "full");
  EXPECT_EQ(sink.mentions[2].text, "inline body");
  EXPECT_EQ(sink.mentions[3].text, "x y");
  EXPECT_EQ(sink.mentions[4].text, "fi");
}

TEST(FeedReferenceTest, ASecondSummaryIsTheContent) {
  testing::RecordingSink sink =
      Parse(RssNs("<item><guid>1</guid><description>first</description><summary>second</summary></item>"
                  "<item><guid>2</guid><summary>first</summary><description>second</description></item>"
                  "<item><guid>3</guid><description>first</description><itunes:summary>second</itunes:summary>"
                  "<content:encoded>third</content:encoded></item>"
                  "<item><guid>4</guid><content:encoded>content</content:encoded><description>a</description>"
                  "<description>b</description></item><item><guid>5</guid><dc:description>dc</dc:description></item>"));
  ASSERT_EQ(sink.mentions.size(), 5u);
  EXPECT_EQ(sink.mentions[0].text, "second");
  EXPECT_EQ(sink.mentions[1].text, "second");
  EXPECT_EQ(sink.mentions[2].text, "second");
  EXPECT_EQ(sink.mentions[3].text, "content");
  EXPECT_EQ(sink.mentions[4].text, "dc");
}

TEST(FeedReferenceTest, ScriptsGoAndTheTextAroundThemStays) {
  testing::RecordingSink sink = Parse(RssNs(
      "<item><guid>1</guid><description>safe&lt;script&gt;alert(1)&lt;/script&gt; text</description></item>"
      "<item><guid>2</guid><description>safe&lt;iframe src=x&gt;&lt;/iframe&gt;&lt;object&gt; text</description></item>"
      "<item><guid>3</guid><body>safe<script>alert(1)</script><style>p{}</style><applet>no</applet> text</body></item>"
      "<item><guid>4</guid><body><p>before <blink>blinking</blink> <embed src=\"x\"/>after</p></body></item>"));
  ASSERT_EQ(sink.mentions.size(), 4u);
  EXPECT_EQ(sink.mentions[0].text, "safe text");
  EXPECT_EQ(sink.mentions[1].text, "safe text");
  EXPECT_EQ(sink.mentions[2].text, "safe text");
  EXPECT_EQ(sink.mentions[3].text, "before blinking after");
}

TEST(FeedReferenceTest, PodcastAuthorAndSummary) {
  testing::RecordingSink sink =
      Parse(RssNs("<item><guid>1</guid><itunes:author>Jane Host</itunes:author><itunes:summary>About "
                  "Acme</itunes:summary></item>"));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].author, "Jane Host");
  EXPECT_EQ(sink.mentions[0].text, "About Acme");
}

TEST(FeedReferenceTest, AGuidIsTheLinkUnlessItSaysItIsNot) {
  testing::RecordingSink sink =
      Parse(Rss("<item><guid>https://x.example/a</guid></item>"
                "<item><guid isPermaLink=\"false\">https://x.example/b</guid></item>"
                "<item><guid>https://x.example/c</guid><link>https://x.example/link-c</link></item>"));
  ASSERT_EQ(sink.mentions.size(), 3u);
  EXPECT_EQ(sink.mentions[0].url, "https://x.example/a");
  EXPECT_EQ(sink.mentions[1].url, "");
  EXPECT_EQ(sink.mentions[1].id, "https://x.example/b");
  EXPECT_EQ(sink.mentions[2].url, "https://x.example/link-c");
}

TEST(FeedReferenceTest, TheFirstAuthorNamesTheItem) {
  testing::RecordingSink sink =
      Parse(RssNs("<item><guid>1</guid><author>a@x.example (Ann A)</author><dc:creator>Bob</dc:creator></item>"
                  "<item><guid>2</guid><dc:creator>Bob</dc:creator><author>a@x.example (Ann A)</author></item>"
                  "<item><guid>3</guid><dc:author>Ann A (a@x.example)</dc:author></item>"
                  "<item><guid>4</guid><author>Ann A &lt;a@x.example&gt;</author></item>"));
  ASSERT_EQ(sink.mentions.size(), 4u);
  EXPECT_EQ(sink.mentions[0].author, "Ann A");
  EXPECT_EQ(sink.mentions[1].author, "Bob");
  EXPECT_EQ(sink.mentions[2].author, "Ann A");
  EXPECT_EQ(sink.mentions[3].author, "Ann A");
  sink =
      Parse(Atom("<entry><id>1</id><author><name>One</name></author><author><name>Two</name></author></entry>"
                 "<entry><id>2</id><author><email>only@x.example</email></author></entry>"));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].author, "One");
  EXPECT_EQ(sink.mentions[1].author, "only@x.example");
}

TEST(FeedReferenceTest, PublishedThenUpdatedThenCreated) {
  testing::RecordingSink sink = Parse(RssNs(
      "<item><guid>1</guid><dc:date>2024-01-01T00:00:00Z</dc:date><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate>"
      "</item><item><guid>2</guid><dcterms:created>2024-01-03T00:00:00Z</dcterms:created><dc:date>2024-01-04T00:00:00Z"
      "</dc:date></item><item><guid>3</guid><dcterms:created>2024-01-05T00:00:00Z</dcterms:created></item>"
      "<item><guid>4</guid><pubDate>2024-01-06</pubDate><pubDate>2024-01-07</pubDate></item>"));
  ASSERT_EQ(sink.mentions.size(), 4u);
  const char* expected[] = {"2024-01-02T00:00:00Z", "2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z",
                            "2024-01-07T00:00:00Z"};
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(sink.mentions[i].published.has_value()) << i;
    EXPECT_EQ(FormatRfc3339(*sink.mentions[i].published), expected[i]) << i;
  }
}

TEST(FeedReferenceTest, AtomBase64TextIsDecoded) {
  testing::RecordingSink sink = Parse(
      Atom("<entry><id>1</id><content type=\"application/octet-stream\">QWNtZSA8Yj5yb2NrczwvYj4=</content></entry>"
           "<entry><id>2</id><content type=\"image/png\">iVBORw0KGgo=</content><summary>fallback</summary></entry>"
           "<entry><id>3</id><content type=\"application/octet-stream\">not base64 at all!</content></entry>"));
  ASSERT_EQ(sink.mentions.size(), 3u);
  EXPECT_EQ(sink.mentions[0].text, "Acme <b>rocks</b>");
  EXPECT_EQ(sink.mentions[1].text, "fallback");  // binary content is no text
  EXPECT_EQ(sink.mentions[2].text, "not base64 at all!");
  sink =
      Parse(Atom("<entry><id>1</id><title mode=\"base64\">VGl0bGU=</title><link rel=\"alternate\" type=\"text/html\">"
                 "https://x.example/1</link></entry>",
                 "version=\"0.3\""));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "Title");
  EXPECT_EQ(sink.mentions[0].url, "https://x.example/1");  // Atom 0.3: the link's URL as its text
}

TEST(FeedReferenceTest, RssInTheUserlandNamespaceAndLinksWithHref) {
  testing::RecordingSink sink = Parse(
      "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\"><channel><title>T</title><item><title>in a "
      "namespace</title><link>https://x.example/1</link></item></channel></rss>");
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "in a namespace");
  sink = Parse(
      "<feed><entry><id>1</id><link rel=\"enclosure\" href=\"https://x.example/a.mp3\"/>"
      "<link href=\"https://x.example/1\"/></entry></feed>");
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].url, "https://x.example/1");
}

TEST(FeedHostileTest, ScriptsNestedDeepInInlineXhtmlEndCleanly) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "<script>x<span>";
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid><body>kept" + body +
                                          "</body></item>"
                                          "<item><guid>2</guid><body>also <script>unclosed</body></item>"));
  ASSERT_FALSE(sink.mentions.empty());
  EXPECT_EQ(sink.mentions[0].text, "kept");
  for (const Mention& m : sink.mentions) EXPECT_EQ(m.text.find('x'), std::string::npos) << m.text;
}

TEST(FeedHostileTest, HugeBase64IsReadOnlyToItsBudget) {
  std::string b64;
  for (int i = 0; i < 200000; ++i) b64 += "QUFB";  // "AAA"
  FeedParseOptions options;
  options.limits.text = 1000;
  testing::RecordingSink sink =
      Parse(Atom("<entry><id>1</id><content type=\"application/octet-stream\">" + b64 + "</content></entry>"), options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_LE(sink.mentions[0].text.size(), 4u * 1000 + 4096);
  EXPECT_EQ(sink.mentions[0].text.find_first_not_of('A'), std::string::npos);
}

// ---- Hostile input -------------------------------------------------------------

TEST(FeedHostileTest, BillionLaughsIsRefusedQuickly) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY lol \"lol\">";
  doc += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">";
  for (int i = 2; i <= 9; ++i) {
    std::string prev = "&lol" + std::to_string(i - 1) + ";";
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) doc += prev;
    doc += "\">";
  }
  doc += "]>" + Rss("<item><guid>1</guid><title>a &lol; &lol9; b</title></item>").substr(21);
  auto start = std::chrono::steady_clock::now();
  testing::RecordingSink sink = Parse(doc);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].title, "a lol b");
  EXPECT_TRUE(sink.Warned("not expanded"));
}

TEST(FeedHostileTest, QuadraticBlowupIsCapped) {
  std::string big(60000, 'x');
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY big \"" + big + "\">]><rss><channel><item><title>";
  for (int i = 0; i < 2000; ++i) doc += "&big;";
  doc += "</title></item></channel></rss>";
  testing::RecordingSink sink = Parse(doc);
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_LE(sink.mentions[0].title.size(), 5u * 1024 * 1024);
  EXPECT_TRUE(sink.Warned("expansion limit"));
}

TEST(FeedHostileTest, ExternalEntityIsNeverRead) {
  brandmon::testing::TempDir dir;
  std::string secret = dir.Write("secret.txt", "TOP-SECRET-CONTENT");
  for (std::string decl :
       {"<!ENTITY xxe SYSTEM \"file://" + secret + "\">", "<!ENTITY % p SYSTEM \"file://" + secret + "\"> %p;"}) {
    std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [" + decl +
                      "]><rss><channel><item><guid>1</guid>"
                      "<title>x&xxe;y</title></item></channel></rss>";
    testing::RecordingSink sink = Parse(doc);
    ASSERT_EQ(sink.mentions.size(), 1u);
    EXPECT_EQ(sink.Jsonl().find("TOP-SECRET"), std::string::npos);
    for (const auto& w : sink.warnings) EXPECT_EQ(w.find("TOP-SECRET"), std::string::npos);
  }
  // An external DTD is not fetched either.
  std::string dtd = dir.Write("evil.dtd", "<!ENTITY leak \"TOP-SECRET-CONTENT\">");
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"file://" + dtd +
                    "\"><rss><channel><item><guid>1</guid><title>&leak;</title></item></channel></rss>";
  testing::RecordingSink sink = Parse(doc);
  EXPECT_EQ(sink.Jsonl().find("TOP-SECRET"), std::string::npos);
}

TEST(FeedHostileTest, DeepNestingStopsCleanly) {
  std::string doc = "<rss><channel><item><title>";
  std::string open, close;
  for (size_t i = 0; doc.size() + open.size() < 50u * 1024 * 1024 / 2; ++i) open += "<a>";
  doc += open + "</title></item></channel></rss>";
  auto start = std::chrono::steady_clock::now();
  testing::RecordingSink sink;
  Status s = ParseFeed(doc, {}, sink);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(sink.warnings.empty());
  (void)s;  // either outcome is fine; what matters is no crash, no hang
  std::string only_nesting;
  for (int i = 0; i < 1000000; ++i) only_nesting += "<x>";
  Status s2 = ParseFeed(only_nesting, {}, sink);
  EXPECT_EQ(s2.code(), Status::Code::kCorrupt);
}

TEST(FeedHostileTest, UnusableInputIsCorruptWithAClearMessage) {
  struct Case {
    std::string bytes;
    std::string fragment;
  };
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xFF));
  for (const Case& c :
       {Case{"", "empty"}, Case{"   \n\t ", "no content"},
        Case{"<!DOCTYPE html><html><body>hi</body></html>", "<html>"}, Case{"<note><to>x</to></note>", "<note>"},
        Case{garbage, "not a feed"}, Case{"{\"a\": 1}", "json feed"}, Case{"{\"items\": [", "invalid json"},
        Case{std::string(100000, '['), "invalid json"}}) {
    testing::RecordingSink sink;
    Status s = ParseFeed(c.bytes, {}, sink);
    EXPECT_EQ(s.code(), Status::Code::kCorrupt) << c.fragment;
    EXPECT_NE(s.message().find(c.fragment), std::string::npos) << s.message();
    EXPECT_TRUE(sink.mentions.empty());
  }
}

TEST(FeedHostileTest, TruncationAtEveryLengthNeverCrashes) {
  std::string doc = ReadFile(FixturePath("daemon/feedparse/wild_xml_base.xml"));
  for (size_t n = 0; n <= doc.size(); n += 7) {
    testing::RecordingSink sink;
    (void)ParseFeed(std::string_view(doc).substr(0, n), {}, sink);
    for (const auto& m : sink.mentions) EXPECT_FALSE(MentionToJson(m).empty());
  }
}

TEST(CharsetFromContentTypeTest, ReadsTheParameter) {
  EXPECT_EQ(CharsetFromContentType("text/xml; charset=ISO-8859-1"), "iso-8859-1");
  EXPECT_EQ(CharsetFromContentType("application/rss+xml;charset=\"utf-8\"; q=1"), "utf-8");
  EXPECT_EQ(CharsetFromContentType("application/xml"), "");
}

TEST(FeedFormatTest, NamesRoundTrip) {
  for (const char* n : {"auto", "rss", "atom", "rdf", "jsonfeed"}) {
    ASSERT_TRUE(FeedFormatFromName(n).has_value());
    EXPECT_EQ(FeedFormatName(*FeedFormatFromName(n)), n);
  }
  EXPECT_FALSE(FeedFormatFromName("json").has_value());
}

}  // namespace
}  // namespace brandmon::feedparse

namespace brandmon::feedparse {
namespace {

// ---- Caps: a field is read only up to its budget ------------------------------

// 7,000 references to a flat 63,000-byte entity in the title and again in the
// description: before the caps, a 105 KB document gave a 4 MB title. Now the
// title is read only to its budget, and the expansion limit (4 MB a
// document) drops the references after it, so the description is empty.
TEST(FeedCapsTest, QuadraticEntityFeedComesOutCapped) {
  testing::RecordingSink sink = Parse(ReadFile(FixturePath("daemon/feedparse/hostile/quadratic_entity.xml")));
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_TRUE(sink.Warned("expansion limit"));
  Mention m = sink.mentions[0];
  MentionLimits limits;
  EXPECT_LE(m.title.size(), 4 * limits.title + 4096);
  EXPECT_LE(m.text.size(), 4 * limits.text + 4096);
  EXPECT_EQ(m.truncated, std::vector<std::string>{"title"});
  NormalizeMention(m, limits);
  EXPECT_EQ(m.title.size(), limits.title);
  EXPECT_EQ(m.title.substr(0, 6), "lollol");
  EXPECT_EQ(sink.mentions[1].title, "after the blowup");
  EXPECT_EQ(sink.mentions[1].text, "still read");
  EXPECT_TRUE(sink.mentions[1].truncated.empty());
}

TEST(FeedCapsTest, EachFieldIsReadOnlyToItsBudget) {
  FeedParseOptions options;
  options.limits.title = 100;
  options.limits.text = 200;
  options.limits.author = 64;
  options.limits.url = 128;
  options.limits.id = 64;
  const size_t slack = 4096;
  std::string big(1 << 20, 'y');
  std::string doc =
      Rss("<item><guid>" + big + "</guid><title>" + big + "</title><description><![CDATA[" + big +
          "]]></description><link>https://e.example/" + big + "</link><dc:creator>" + big + "</dc:creator></item>");
  testing::RecordingSink sink = Parse(doc, options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  const Mention& m = sink.mentions[0];
  EXPECT_LE(m.title.size(), 400 + slack);
  EXPECT_LE(m.text.size(), 800 + slack);
  EXPECT_LE(m.author.size(), 256 + slack);
  EXPECT_LE(m.url.size(), 512 + slack + 64);
  EXPECT_LE(m.id.size(), 256 + slack);
  EXPECT_EQ(m.truncated, (std::vector<std::string>{"title", "text"}));
}

TEST(FeedCapsTest, ACutNeverSplitsAUtf8Sequence) {
  FeedParseOptions options;
  options.limits.text = 64;
  std::string e3;
  for (int i = 0; i < 5000; ++i) e3 += "\xE6\x97\xA5";  // 日
  testing::RecordingSink sink = Parse(Rss("<item><guid>1</guid><description>" + e3 + "</description></item>"), options);
  ASSERT_EQ(sink.mentions.size(), 1u);
  const std::string& text = sink.mentions[0].text;
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.size() % 3, 0u);
  EXPECT_EQ(text.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(sink.mentions[0].truncated, std::vector<std::string>{"text"});
}

}  // namespace
}  // namespace brandmon::feedparse

namespace brandmon::feedparse {
namespace {

// ---- Reading in parts: the same mentions as reading whole ----------------------

// Reads `bytes` `step` bytes at a time.
ReadChunk Reader(const std::string& bytes, size_t step) {
  auto offset = std::make_shared<size_t>(0);
  return [&bytes, step, offset](char* buf, size_t cap) -> Result<size_t> {
    size_t n = std::min({cap, step, bytes.size() - *offset});
    std::memcpy(buf, bytes.data() + *offset, n);
    *offset += n;
    return n;
  };
}

TEST(FeedStreamTest, EveryXmlFixtureGivesTheSameMentionsInPartsAsWhole) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(FixturePath("daemon/feedparse"))) {
    if (entry.path().extension() != ".xml") continue;
    ++cases;
    SCOPED_TRACE(entry.path().filename().string());
    std::string doc = ReadFile(entry.path().string());
    FeedParseOptions options;
    options.base_url = "https://feeds.example.com/x";
    testing::RecordingSink whole;
    Status whole_status = ParseFeed(doc, options, whole);
    for (size_t step : {1, 7, 4096}) {
      SCOPED_TRACE(step);
      testing::RecordingSink parts;
      // A threshold of 64 bytes makes every fixture go through the part reader.
      Status s = ParseFeedStream(Reader(doc, step), options, parts, 64);
      EXPECT_EQ(s.code(), whole_status.code()) << s.message();
      EXPECT_EQ(parts.Jsonl(), whole.Jsonl());
    }
  }
  EXPECT_GE(cases, 10);
}

TEST(FeedStreamTest, AHugeTextNodeIsReadInBoundedPartsAndCapped) {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item><guid>1</guid><title>caf\xE9"
      "</title><description>";
  std::string chunk = "lorem & ipsum <b>dolor</b> \xE9 ";
  while (doc.size() < 3 * 1024 * 1024) doc += chunk;
  doc += "</description></item><item><guid>2</guid><title>next</title></item></channel></rss>";
  testing::RecordingSink sink;
  Status s = ParseFeedStream(Reader(doc, 1 << 16), {}, sink, 1024);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].title, "café");
  EXPECT_LE(sink.mentions[0].text.size(), 4u * 64 * 1024 + 4096);
  EXPECT_EQ(sink.mentions[0].text.substr(0, 24), "lorem & ipsum dolor é l");
  EXPECT_EQ(sink.mentions[0].truncated, std::vector<std::string>{"text"});
  EXPECT_EQ(sink.mentions[1].title, "next");
  EXPECT_TRUE(sink.Warned("stray '&'"));
}

TEST(FeedStreamTest, ALargeJsonDocumentIsRefusedClearly) {
  std::string doc = "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [" + std::string(5000, ' ') + "]}";
  testing::RecordingSink sink;
  Status s = ParseFeedStream(Reader(doc, 100), {}, sink, 1024);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("json document larger than"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace brandmon::feedparse

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <sstream>

#include "daemon/cli/command.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

struct CtlRun {
  int code;
  std::string out;
  std::string err;
};

CtlRun Ctl(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = RunCtl(args, in, out, err);
  return {code, out.str(), err.str()};
}

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(ParseCommandTest, PrintsTheGoldenOutputForAFixture) {
  std::string path = brandmon::testing::FixturePath("daemon/feedparse/wild_xml_base.xml");
  CtlRun r = Ctl({"parse", "--base-url", "https://feeds.example.com/wild_xml_base", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, brandmon::testing::ReadFile(brandmon::testing::FixturePath("daemon/feedparse/wild_xml_base.jsonl")));
  EXPECT_EQ(r.err, "");
}

TEST(ParseCommandTest, ReadsStdinWithBaseUrlAndContentType) {
  std::string feed = "<rss><channel><item><title>caf\xE9</title><link>x/1</link></item></channel></rss>";
  CtlRun r =
      Ctl({"parse", "--content-type", "text/xml; charset=ISO-8859-1", "--base-url", "https://b.example/f/", "-"}, feed);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"title\":\"café\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"url\":\"https://b.example/f/x/1\""), std::string::npos) << r.out;
}

TEST(ParseCommandTest, EnvironmentStandsInForOptions) {
  std::string feed = "<rss><channel><item><title>caf\xE9</title><link>x/1</link></item></channel></rss>";
  setenv("FEED_URL", "https://env.example/", 1);
  setenv("FEED_CONTENT_TYPE", "application/rss+xml; charset=windows-1252", 1);
  CtlRun r = Ctl({"parse", "-"}, feed);
  CtlRun explicit_wins = Ctl({"parse", "--base-url", "https://flag.example/", "-"}, feed);
  unsetenv("FEED_URL");
  unsetenv("FEED_CONTENT_TYPE");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("https://env.example/x/1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("café"), std::string::npos) << r.out;
  EXPECT_NE(explicit_wins.out.find("https://flag.example/x/1"), std::string::npos) << explicit_wins.out;
}

TEST(ParseCommandTest, DamageGivesItemsAndWarnings) {
  CtlRun r = Ctl({"parse", "-"}, "<rss><channel><item><guid>1</guid><title>a &amp; b</item><item><guid>2</guid>");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(Lines(r.out), 2u) << r.out;
  EXPECT_NE(r.err.find("warning:"), std::string::npos);
}

TEST(ParseCommandTest, UnusableInputExitsNonZeroWithOneLine) {
  for (std::string input :
       {std::string(), std::string("<html><body>oops</body></html>"), std::string("\x00\x01\x02", 3)}) {
    CtlRun r = Ctl({"parse", "-"}, input);
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("brandmonctl parse: ", 0), 0u) << r.err;
  }
}

TEST(ParseCommandTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(Ctl({"parse"}).code, 2);
  EXPECT_EQ(Ctl({"parse", "--format", "yaml", "-"}).code, 2);
  CtlRun json = Ctl({"parse", "--format", "json", "--preset", "reddit", "-"});
  EXPECT_EQ(json.code, 2) << "no preset named reddit (it is reddit_search)";
  EXPECT_NE(json.err.find("reddit"), std::string::npos);
  EXPECT_EQ(Ctl({"parse", "--bogus", "-"}).code, 2);
  CtlRun missing = Ctl({"parse", "/nonexistent/feed.xml"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/feed.xml"), std::string::npos);
}

TEST(ParseCommandTest, ForcedFormatIsChecked) {
  CtlRun r = Ctl({"parse", "--format", "atom", "-"}, "<rss><channel><item><guid>1</guid></item></channel></rss>");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("expected atom"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace brandmon::cli

namespace brandmon::cli {
namespace {

TEST(ParseCommandPresetTest, MapsAJsonApiResponseWithAPreset) {
  CtlRun r = Ctl({"parse", "--preset", "reddit_search",
                  brandmon::testing::FixturePath("plugins/http_json/fixtures/reddit_search.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_GT(Lines(r.out), 0u);
  EXPECT_NE(r.out.find("\"channel\":\"reddit\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"url\":\"https://"), std::string::npos) << r.out;
}

TEST(ParseCommandPresetTest, JsonFormatNeedsAPresetAndAKnownOne) {
  CtlRun r = Ctl({"parse", "--format", "json", "-"}, "{}");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--format json needs --preset NAME"), std::string::npos) << r.err;
  r = Ctl({"parse", "--preset", "no_such_preset", "-"}, "{}");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no_such_preset"), std::string::npos) << r.err;
}

TEST(ParseCommandPresetTest, UnusableJsonIsOneClearLine) {
  CtlRun r = Ctl({"parse", "--preset", "reddit_search", "-"}, "{\"data\": [1, 2");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace brandmon::cli

namespace brandmon::cli {
namespace {

TEST(ParseCommandTest, PrintsMentionsNormalizedAsTheDaemonDoes) {
  std::string feed =
      "<rss><channel><item><guid>1</guid><title>a &amp;#x1b;[2J&#x202E;b&#x9b;c</title>"
      "<description>x&#13;&#10;y</description></item></channel></rss>";
  CtlRun r = Ctl({"parse", "-"}, feed);
  ASSERT_EQ(r.code, 0) << r.err;
  // The escaped ESC is dropped by the HTML decoding, the override replaced;
  // &#x9b; is U+203A in HTML, as browsers read it.
  EXPECT_NE(r.out.find("\"title\":\"a [2J\xEF\xBF\xBD"
                       "b\xE2\x80\xBA"
                       "c\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("text":"x y")"), std::string::npos) << r.out;
  for (std::string bad : {"\x1b", "\\u001b", "\xE2\x80\xAE", "\xC2\x9B", "\\r", "\\n"}) {
    EXPECT_EQ(r.out.find(bad), std::string::npos) << r.out;
  }

  CtlRun q = Ctl({"parse", brandmon::testing::FixturePath("daemon/feedparse/hostile/quadratic_entity.xml")});
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(Lines(q.out), 2u);
  EXPECT_LT(q.out.size(), 4096u);
  EXPECT_NE(q.out.find(R"("truncated":["title"])"), std::string::npos) << q.out.substr(0, 200);
}

TEST(ParseCommandTest, ReadsADocumentLargerThanItHoldsInParts) {
  std::string feed = "<rss><channel><item><guid>1</guid><title>big</title><description>";
  while (feed.size() < 17u * 1024 * 1024) feed += "lorem ipsum dolor sit amet ";
  feed += "</description></item><item><guid>2</guid><title>small</title></item></channel></rss>";
  CtlRun r = Ctl({"parse", "-"}, feed);
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Lines(r.out), 2u);
  EXPECT_LT(r.out.size(), 70u * 1024);
  EXPECT_NE(r.out.find(R"("truncated":["text"])"), std::string::npos);
  EXPECT_NE(r.out.find(R"("title":"small")"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::cli

#include "daemon/feedparse/feed_text.h"

#include <gtest/gtest.h>

namespace brandmon::feedparse {
namespace {

struct TextCase {
  const char* html;
  const char* text;
};

class HtmlToTextTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(HtmlToTextTest, GivesWhatAReaderSees) { EXPECT_EQ(HtmlToText(GetParam().html), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(
    Cases, HtmlToTextTest,
    ::testing::Values(
        TextCase{"<p>Hello <b>world</b></p>", "Hello world"},
        TextCase{"<p>One</p><p>Two</p>", "One Two"},  // block tags separate words
        TextCase{"Sl<b>ack</b>", "Slack"},            // inline tags do not
        TextCase{"a<br/>b<br>c", "a b c"}, TextCase{"  lots \n\t of   space  ", "lots of space"},
        TextCase{"caf&eacute; &amp; &#233;t&#xE9; &hellip;", "café & été …"}, TextCase{"x&nbsp;&nbsp;y", "x y"},
        TextCase{"&#150; &#147;q&#148;", "– “q”"},  // windows-1252 references
        TextCase{"AT&T & Q&A", "AT&T & Q&A"},       // stray ampersands stay
        TextCase{"&amp &lt no semicolon", "& < no semicolon"}, TextCase{"&unknown; stays", "&unknown; stays"},
        TextCase{"x < y and y > z", "x < y and y > z"}, TextCase{"a<script>var s = '<p>';</script>b", "ab"},
        TextCase{"a<style>p{}</style>b<!-- note -->c", "abc"}, TextCase{"<a href=\"x>y\" title='1'>link</a>", "link"},
        TextCase{"&lt;p&gt;double &amp;amp; encoded&lt;/p&gt;", "double & encoded"},
        TextCase{"&amp;#39;quoted&amp;#39;", "'quoted'"}, TextCase{"<p>unclosed <b", "unclosed <b"}, TextCase{"", ""},
        // Dangerous elements go; the text around them stays.
        TextCase{"safe<applet code=\"x\">fallback</applet> text", "safe text"},
        TextCase{"safe<iframe src=\"x\"></iframe><embed src=\"x\"><object>obj</object> text", "safe obj text"},
        TextCase{"<head><title>Doc title</title><style>p{}</style></head><p>body</p>", "Doc title body"},
        // "<!" is a declaration only before a name and up to a '>'.
        TextCase{"<!DOCTYPE html><p>x</p>", "x"}, TextCase{"<!' <a href=\"foo\">", "<!'"},
        TextCase{" <!DOCTYPE ", "<!DOCTYPE"}));

TEST(DecodeBase64Test, DecodesAndRefusesWhatIsNotBase64) {
  EXPECT_EQ(DecodeBase64("QWNtZQ=="), "Acme");
  EXPECT_EQ(DecodeBase64("QWNt\n ZQ"), "Acme");  // white space, no padding
  EXPECT_EQ(DecodeBase64("QWNtZ"), "Acm");       // an incomplete last group is dropped
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("not base64!").has_value());
  EXPECT_FALSE(DecodeBase64("QQ==QQ").has_value());  // data after the padding
  EXPECT_FALSE(DecodeBase64("Q===").has_value());
  EXPECT_FALSE(DecodeBase64(std::string("QU\0FB", 5)).has_value());
}

TEST(CollapseWhitespaceTest, UnicodeSpacesCollapse) {
  EXPECT_EQ(CollapseWhitespace("\xC2\xA0 a \xE2\x80\x83 b\xE3\x80\x80"), "a b");
}

TEST(LookupHtmlEntityTest, KnowsHtmlNamesOnly) {
  EXPECT_EQ(LookupHtmlEntity("nbsp"), U'\u00A0');
  EXPECT_EQ(LookupHtmlEntity("euro"), U'\u20AC');
  EXPECT_EQ(LookupHtmlEntity("apos"), U'\'');
  EXPECT_FALSE(LookupHtmlEntity("lol").has_value());
}

TEST(HtmlToTextTest, HostileInputStaysLinear) {
  std::string nested(1 << 20, '<');
  EXPECT_EQ(HtmlToText(nested).size(), nested.size());
  std::string amps;
  for (int i = 0; i < 100000; ++i) amps += "&#x";
  EXPECT_FALSE(HtmlToText(amps).empty());
}

}  // namespace
}  // namespace brandmon::feedparse

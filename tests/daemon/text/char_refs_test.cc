#include "daemon/text/char_refs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace brandmon::text {
namespace {

std::string Decoded(std::string_view in) {
  std::string out = "untouched";
  std::vector<CharRefShift> shifts;
  if (!DecodeCharRefs(in, &out, &shifts)) return std::string(in);
  return out;
}

TEST(CharRefsTest, EscapesLeftByApisBecomeTheirCharacters) {
  EXPECT_EQ(Decoded("Tom &amp; Jerry"), "Tom & Jerry");
  EXPECT_EQ(Decoded("&lt;3 it &gt;:["), "<3 it >:[");
  EXPECT_EQ(Decoded("say &quot;hi&quot; &apos;n&#39;"), "say \"hi\" 'n'");
  EXPECT_EQ(Decoded("a&nbsp;b"),
            "a\xC2\xA0"
            "b");
  EXPECT_EQ(Decoded("&#x1F621; &#128525;"), "😡 😍");
  EXPECT_EQ(Decoded("&#X41;"), "A");
}

TEST(CharRefsTest, TextWithoutReferencesIsReportedAndLeftAlone) {
  std::string out = "untouched";
  std::vector<CharRefShift> shifts;
  for (std::string_view in : {"", "no refs", "AT&T & co", "&", "&;", "&amp", "&unknown;", "&#;", "&#x;", "&#xZZ;",
                              "&#12a;", "&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&ampersandsarelong;"}) {
    EXPECT_FALSE(DecodeCharRefs(in, &out, &shifts)) << in;
    EXPECT_EQ(out, "untouched");
    EXPECT_TRUE(shifts.empty());
  }
}

TEST(CharRefsTest, OnePassOnlyAndBadReferencesBesideGoodOnesStay) {
  EXPECT_EQ(Decoded("&amp;lt;p&amp;gt;"), "&lt;p&gt;");
  EXPECT_EQ(Decoded("&bogus; &amp; &#xD800; &lt;"), "&bogus; & &#xD800; <");
  EXPECT_EQ(Decoded("&&amp;&"), "&&&");
  EXPECT_EQ(Decoded("x&amp;"), "x&");
}

TEST(CharRefsTest, OffsetsMapToTheDecodedText) {
  // "café &amp; Acme &lt;3": code points c0 a1 f2 é3 _4 &5..9 _10 A11.
  std::string in = "café &amp; Acme &lt;3";
  std::string out;
  std::vector<CharRefShift> shifts;
  ASSERT_TRUE(DecodeCharRefs(in, &out, &shifts));
  ASSERT_EQ(out, "café & Acme <3");
  ASSERT_EQ(shifts.size(), 2u);
  EXPECT_EQ(MapDecodedOffset(0, shifts), 0u);
  EXPECT_EQ(MapDecodedOffset(4, shifts), 4u);
  EXPECT_EQ(MapDecodedOffset(5, shifts), 5u);  // the '&' of "&amp;"
  EXPECT_EQ(MapDecodedOffset(7, shifts), 5u);  // inside it
  EXPECT_EQ(MapDecodedOffset(10, shifts), 6u);
  EXPECT_EQ(MapDecodedOffset(11, shifts), 7u);  // "Acme"
  EXPECT_EQ(MapDecodedOffset(15, shifts), 11u);
  EXPECT_EQ(MapDecodedOffset(16, shifts), 12u);  // "&lt;" -> '<'
  EXPECT_EQ(MapDecodedOffset(20, shifts), 13u);  // '3'
  EXPECT_EQ(MapDecodedOffset(21, shifts), 14u);  // the end
  // And back: a decoded character maps to its reference's '&'.
  EXPECT_EQ(MapOriginalOffset(0, shifts), 0u);
  EXPECT_EQ(MapOriginalOffset(4, shifts), 4u);
  EXPECT_EQ(MapOriginalOffset(5, shifts), 5u);  // '&' of "&amp;"
  EXPECT_EQ(MapOriginalOffset(6, shifts), 10u);
  EXPECT_EQ(MapOriginalOffset(7, shifts), 11u);   // "Acme"
  EXPECT_EQ(MapOriginalOffset(12, shifts), 16u);  // '<' of "&lt;"
  EXPECT_EQ(MapOriginalOffset(13, shifts), 20u);
  EXPECT_EQ(MapOriginalOffset(14, shifts), 21u);
  for (uint32_t cp = 0; cp <= 21; ++cp) {
    uint32_t decoded = MapDecodedOffset(cp, shifts);
    EXPECT_EQ(MapDecodedOffset(MapOriginalOffset(decoded, shifts), shifts), decoded) << cp;
  }
}

TEST(CharRefsTest, HostileInputDecodesWithoutBlowingUp) {
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "&amp;";
  std::string out;
  std::vector<CharRefShift> shifts;
  ASSERT_TRUE(DecodeCharRefs(many, &out, &shifts));
  EXPECT_EQ(out, std::string(100000, '&'));
  EXPECT_EQ(shifts.size(), 100000u);
  EXPECT_EQ(MapDecodedOffset(500000, shifts), 100000u);
  std::string ampersands(200000, '&');
  EXPECT_FALSE(DecodeCharRefs(ampersands, &out, &shifts));
}

}  // namespace
}  // namespace brandmon::text

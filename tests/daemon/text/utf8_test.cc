#include "daemon/text/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace brandmon::text {
namespace {

TEST(Utf8Test, ValidTextIsKeptAsIs) {
  for (std::string s : {"", "plain ascii", "café", "ખૂબ સરસ", "很好", "😡 😍", "\xEF\xBF\xBD"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(RepairUtf8(s), s);
  }
}

TEST(Utf8Test, InvalidSequencesBecomeReplacementCharacters) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"a\xFFz", "a\xEF\xBF\xBDz"},                                                // never valid byte
      {"\x80", "\xEF\xBF\xBD"},                                                    // stray continuation
      {"\xC3", "\xEF\xBF\xBD"},                                                    // truncated at end
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                                    // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                    // surrogate
      {"\xF4\x90\x80\x80x", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx"},  // above U+10FFFF
      {"ok\xE2\x82", "ok\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.in));
    std::string got = RepairUtf8(c.in);
    EXPECT_EQ(got, c.want);
    EXPECT_TRUE(IsValidUtf8(got));
  }
}

TEST(Utf8Test, DecodeAlwaysAdvances) {
  std::string s = "\xF0\x9F\x98\xA1\xFF\xE0\x80";
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(s, &pos), U'\U0001F621');
  EXPECT_EQ(pos, 4u);
  EXPECT_EQ(DecodeUtf8(s, &pos), kReplacementChar);
  EXPECT_EQ(pos, 5u);
  EXPECT_EQ(DecodeUtf8(s, &pos), kReplacementChar);
  EXPECT_EQ(pos, 6u);
}

TEST(Utf8Test, EncodeRoundTripsEveryPlane) {
  for (char32_t cp : {U'a', U'\u00E9', U'\u0A96', U'\u4E2D', U'\U0001F60D', U'\U0010FFFF'}) {
    std::string s;
    AppendUtf8(cp, &s);
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(s, &pos), cp);
    EXPECT_EQ(pos, s.size());
  }
  std::string s;
  AppendUtf8(0xD800, &s);
  EXPECT_EQ(s, "\xEF\xBF\xBD");
}

TEST(Utf8Test, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("ખૂબ"), 3u);
  EXPECT_EQ(CountCodePoints("😡x"), 2u);
  EXPECT_EQ(CountCodePoints("\xFF\xFF"), 2u);
}

TEST(Utf8Test, IsAsciiFindsAHighByteAnywhere) {
  // Lengths around the eight-byte step, the high byte first, inside and last.
  for (std::string_view in : {"caf\xc3\xa9", "\xe2\x9c\x93 ok", "twelve bytes\x80", "eight by\xff", "\x80",
                              "sixteen bytes ok\x80", "\x80sixteen bytes ok"}) {
    EXPECT_FALSE(IsAscii(in)) << in;
  }
  EXPECT_TRUE(IsAscii(""));
  EXPECT_TRUE(IsAscii("plain text over eight bytes\x7f"));
}

}  // namespace
}  // namespace brandmon::text

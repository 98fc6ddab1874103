#include "daemon/base/safe_text.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon {
namespace {

using namespace std::string_literals;

struct ReplaceCase {
  std::string in;
  std::string want;
};

TEST(ReplaceUnsafeTest, ReplacesWhatCouldForgeALine) {
  const ReplaceCase cases[] = {{"plain text, tab\there", "plain text, tab\there"},
                               {"red \x1b[31mALERT\x1b[0m", "red \xEF\xBF\xBD[31mALERT\xEF\xBF\xBD[0m"},
                               {"a\r\nforged line", "a  forged line"},
                               {"nul\0x"s, "nul\xEF\xBF\xBDx"},
                               {"bell\x07 del\x7f", "bell\xEF\xBF\xBD del\xEF\xBF\xBD"},
                               {"c1 \xC2\x9B"
                                "31m csi",
                                "c1 \xEF\xBF\xBD"
                                "31m csi"},                                                       // U+009B CSI
                               {"nel\xC2\x85x", "nel x"},                                         // U+0085
                               {"ls\xE2\x80\xA8ps\xE2\x80\xA9", "ls ps "},                        // U+2028/9
                               {"evil\xE2\x80\xAEtxt.exe", "evil\xEF\xBF\xBDtxt.exe"},            // U+202E RLO
                               {"iso\xE2\x81\xA6x\xE2\x81\xA9", "iso\xEF\xBF\xBDx\xEF\xBF\xBD"},  // U+2066/9
                               {"bad \xFF byte", "bad \xEF\xBF\xBD byte"},
                               {"short \xE2\x80", "short \xEF\xBF\xBD\xEF\xBF\xBD"},
                               {"é 日本 🙂 \xE2\x80\x8F", "é 日本 🙂 \xE2\x80\x8F"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(EscapeUnsafe(c.in));
    bool changed = false;
    EXPECT_EQ(ReplaceUnsafe(c.in, &changed), c.want);
    EXPECT_EQ(changed, c.in != c.want);
  }
}

TEST(EscapeUnsafeTest, EscapesControlsBidiAndBadBytes) {
  EXPECT_EQ(EscapeUnsafe("plain é"), "plain é");
  EXPECT_EQ(EscapeUnsafe("a\nb\rc\x1b[2Jd"), "a\\nb\\rc\\x1b[2Jd");
  EXPECT_EQ(EscapeUnsafe("x\xE2\x80\xAEy\xC2\x9Bz\xFF"), "x\\u202ey\\u009bz\\xff");
  EXPECT_EQ(EscapeUnsafe("tab\tkept"), "tab\tkept");
}

TEST(Utf8PrefixLengthTest, NeverCutsACodePoint) {
  std::string s = "ab\xC3\xA9\xE6\x97\xA5\xF0\x9F\x99\x82";  // a b é 日 🙂
  EXPECT_EQ(Utf8PrefixLength(s, 100), s.size());
  EXPECT_EQ(Utf8PrefixLength(s, 2), 2u);
  EXPECT_EQ(Utf8PrefixLength(s, 3), 2u);
  EXPECT_EQ(Utf8PrefixLength(s, 4), 4u);
  EXPECT_EQ(Utf8PrefixLength(s, 6), 4u);
  EXPECT_EQ(Utf8PrefixLength(s, 7), 7u);
  EXPECT_EQ(Utf8PrefixLength(s, 10), 7u);
  EXPECT_EQ(Utf8PrefixLength(s, 0), 0u);
}

}  // namespace
}  // namespace brandmon

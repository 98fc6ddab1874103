#include "daemon/text/fold.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon::text {
namespace {

struct FoldCase {
  std::string text;
  FoldMode mode;
  std::string folded;
};

class FoldStringTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldStringTest, Folds) {
  EXPECT_EQ(FoldString(GetParam().text, GetParam().mode), GetParam().folded) << GetParam().text;
}

constexpr FoldMode kCase = FoldMode::kCaseOnly;
constexpr FoldMode kPlain = FoldMode::kNoDiacritics;

INSTANTIATE_TEST_SUITE_P(
    Texts, FoldStringTest,
    ::testing::Values(FoldCase{"Hello, World!", kCase, "hello world"},
                      FoldCase{"  ACME   Corp.  ", kCase, "acme corp."}, FoldCase{"coca-cola", kCase, "coca cola"},
                      FoldCase{"#Acme @AcmeCorp $ACME", kCase, "#acme @acmecorp $acme"},
                      FoldCase{"https://www.Acme.com/a?b=c", kCase, "https://www.acme.com/a b c"},
                      FoldCase{"McDonald’s", kCase, "mcdonald's"}, FoldCase{"Straße", kCase, "strasse"},
                      FoldCase{"ﬁnance", kCase, "finance"},         // ligature
                      FoldCase{"ＡＣＭＥ", kCase, "acme"},          // full width
                      FoldCase{"Café", kCase, "cafe\u0301"},        // decomposed, accent kept
                      FoldCase{"Cafe\u0301", kCase, "cafe\u0301"},  // already decomposed: same
                      FoldCase{"Café", kPlain, "cafe"}, FoldCase{"ŁÓDŹ Øresund", kPlain, "lodz oresund"},
                      FoldCase{"ΚΌΣΜΟΣ", kPlain, "κοσμοσ"},  // final sigma folds too
                      FoldCase{"СБЕРБАНК", kCase, "сбербанк"},
                      FoldCase{"سَلام", kPlain, "سلام"},                // Arabic harakat dropped
                      FoldCase{"삼성", kCase, "삼성"},                 // Hangul syllables stay whole
                      FoldCase{"a\u200Db", kCase, "ab"},               // joiners vanish inside words
                      FoldCase{"I ❤\uFE0F acme 😀!", kCase, "i acme"},  // symbols separate
                      FoldCase{"a\xff"
                               "b",
                               kCase, "a b"}));  // invalid UTF-8 separates

TEST(FoldTextTest, MapsBytesBackToOriginalCodePoints) {
  FoldedText f;
  FoldText("😀 Café ﬁne", FoldMode::kCaseOnly, true, &f);
  ASSERT_EQ(f.bytes, "cafe\u0301 fine");
  // "cafe\u0301" comes from code points 2..5, the accent from 'é' (5).
  EXPECT_EQ(f.SourceStart(0), 2u);
  EXPECT_EQ(f.SourceEnd(6), 6u);  // end of "café"
  size_t fine = f.bytes.find("fine");
  EXPECT_EQ(f.SourceStart(fine), 7u);
  EXPECT_EQ(f.SourceEnd(fine + 1), 8u);  // "f" of the ligature ends with the ligature
  EXPECT_EQ(f.SourceEnd(f.bytes.size()), 10u);
  ASSERT_EQ(f.word_starts.size(), 2u);
  EXPECT_EQ(f.WordAt(fine + 2), 1u);
}

TEST(FoldTextTest, EveryHanCharacterStartsAWord) {
  FoldedText f;
  FoldText("我爱acme", FoldMode::kCaseOnly, true, &f);
  EXPECT_EQ(f.word_starts.size(), 3u);  // 我, 爱, acme
}

TEST(BoundaryTest, WordBoundariesFollowScripts) {
  std::string s = FoldString("foo@acme.com #acme acme_x 我爱acme", FoldMode::kCaseOnly);
  size_t email = s.find("@acme");
  EXPECT_FALSE(StartsOnBoundary(s, email));     // '@' glued to a word is no handle
  EXPECT_TRUE(StartsOnBoundary(s, email + 1));  // but "acme" after '@' is a word
  EXPECT_TRUE(EndsOnBoundary(s, email + 5));    // '.' ends it
  size_t tag = s.find("#acme");
  EXPECT_TRUE(StartsOnBoundary(s, tag));
  size_t under = s.find("acme_x");
  EXPECT_FALSE(EndsOnBoundary(s, under + 4));  // '_' is part of a word
  size_t han = s.find("爱");
  EXPECT_TRUE(StartsOnBoundary(s, han));      // Han characters are words of their own
  EXPECT_TRUE(StartsOnBoundary(s, han + 3));  // and Latin after them starts a word
  EXPECT_TRUE(EndsOnBoundary(s, s.size()));
}

TEST(BoundaryTest, NeverInsideACombiningSequence) {
  std::string s = FoldString("ガ ลูก", FoldMode::kCaseOnly);  // カ + U+3099; ล + vowel sign
  EXPECT_FALSE(EndsOnBoundary(s, 3));                        // after カ comes its voicing mark
  size_t thai = s.find("ล");
  EXPECT_FALSE(EndsOnBoundary(s, thai + 3));
  EXPECT_FALSE(StartsOnBoundary(s, thai + 3));
}

TEST(FoldTextTest, HostileInputsStayInRange) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) & 0xFF));
  FoldedText f;
  FoldText(junk, FoldMode::kNoDiacritics, true, &f);
  ASSERT_EQ(f.source.size(), f.bytes.size() + 1);
  for (size_t i = 1; i < f.source.size(); ++i) ASSERT_LE(f.source[i - 1], f.source[i]);
  EXPECT_LE(f.source.back(), junk.size());
  std::string nul("a\0b", 3);
  EXPECT_EQ(FoldString(nul, FoldMode::kCaseOnly), "a b");
}

// FoldText's answer is what text::Tokens relies on to skip its own checks:
// it must be false whenever the text needs repair or NFC normalization.
TEST(FoldTextTest, TellsWhetherTheTextIsValidNfc) {
  struct Case {
    std::string text;
    TextForm form;
  };
  constexpr TextForm kNfc = TextForm::kNfc, kMaybe = TextForm::kMaybeNotNfc, kInvalid = TextForm::kInvalidUtf8;
  const Case cases[] = {
      {"plain ascii", kNfc},
      {"Caf\u00e9 \u0141\u00f3d\u017a", kNfc},                      // composed
      {"\u0915\u094d\u0937 \u0aae\u0abe\u0ab0\u0ac1\u0a82", kNfc},  // Devanagari virama, Gujarati signs
      {"\u6211\u7231 acme \uc0bc\uc131", kNfc},                     // Han, Hangul syllables
      {"\U0001F600 emoji", kNfc},
      {"Cafe\u0301", kMaybe},                // decomposed accent
      {"a\u0301\u0323", kMaybe},             // marks out of canonical order
      {"\u1109\u1161\u11b7", kMaybe},        // Hangul jamo compose
      {"\u092b\u093c\u094b\u0928", kMaybe},  // a nukta may compose, though this one does not
      {"ok\xFFyes", kInvalid},               // invalid UTF-8
      {"\xE2\x82", kInvalid},                // truncated sequence
  };
  for (const Case& c : cases) {
    FoldedText f;
    EXPECT_EQ(FoldText(c.text, FoldMode::kCaseOnly, false, &f), c.form) << c.text;
    EXPECT_EQ(FoldText(c.text, FoldMode::kNoDiacritics, true, &f), c.form) << c.text;
  }
}

TEST(HasWordCharTest, LettersDigitsAndMarksCount) {
  EXPECT_TRUE(HasWordChar("#a"));
  EXPECT_TRUE(HasWordChar("٣"));
  EXPECT_FALSE(HasWordChar("#@!? ..."));
  EXPECT_FALSE(HasWordChar(""));
}

TEST(WordFoldTest, AppendFoldedLowersEveryScript) {
  std::string out = "x";
  AppendFolded("HeLLo ÉCOLE ΣΟΦΙΑ", &out);
  EXPECT_EQ(out, "xhello école σοφια");
  out.clear();
  AppendFolded("ખૂબ 很好 😡", &out);
  EXPECT_EQ(out, "ખૂબ 很好 😡");
}

TEST(WordFoldTest, WordsFoldTheTypographicApostrophe) {
  std::string out = "x";
  AppendFoldedWord("Don\u2019t", &out);
  EXPECT_EQ(out, "xdon't");
  out.clear();
  AppendFoldedWord("\u2019\u2019A\u2019", &out);  // at the ends, twice in a row
  EXPECT_EQ(out, "''a'");
  out.clear();
  AppendFolded("Don\u2019t", &out);  // lexicon keys keep it
  EXPECT_EQ(out, "don\u2019t");
}

TEST(WordFoldTest, InvalidBytesFoldToTheReplacementCharacter) {
  std::string out;
  AppendFolded("A\xFF\xC3", &out);  // a stray byte, a truncated sequence
  EXPECT_EQ(out, "a\uFFFD\uFFFD");
  out.clear();
  AppendFoldedWord("\xE2\x80", &out);  // the start of U+2019, cut short
  EXPECT_EQ(out, "\uFFFD\uFFFD");
}

TEST(WordFoldTest, EqualWordsHashAlike) {
  std::string a, b;
  AppendFoldedWord("CAFÉ", &a);
  AppendFoldedWord("café", &b);
  EXPECT_EQ(HashWord(a), HashWord(b));
  EXPECT_NE(HashWord("cafe"), HashWord(a));
}

}  // namespace
}  // namespace brandmon::text

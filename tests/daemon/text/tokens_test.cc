#include "daemon/text/tokens.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace brandmon::text {
namespace {

std::vector<std::string> Texts(const Tokens& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens.tokens()) out.emplace_back(t.text);
  return out;
}

TEST(TokensTest, SplitsAsTokenizeDoes) {
  std::string input = "@acme loved it :-) see https://x.co/a #BigFail";
  Tokens tokens(input);
  std::vector<Token> expected;
  Tokenize(input, TokenizerOptions{}, &expected);
  ASSERT_EQ(tokens.tokens().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tokens.tokens()[i].text, expected[i].text);
    EXPECT_EQ(tokens.tokens()[i].kind, expected[i].kind);
    EXPECT_EQ(tokens.tokens()[i].begin, expected[i].begin);
  }
  EXPECT_EQ(tokens.input(), input);
  EXPECT_EQ(tokens.text(), input);
}

TEST(TokensTest, RepairsAndComposesBeforeSplitting) {
  // A decomposed accent reads as the composed letter; an invalid byte as
  // U+FFFD, which ends the word before it.
  std::string input = "cafe\xCC\x81 ok\xFFyes";
  Tokens tokens(input);
  EXPECT_EQ(tokens.input(), input);
  EXPECT_EQ(tokens.text(), "caf\xC3\xA9 ok\xEF\xBF\xBDyes");
  EXPECT_EQ(Texts(tokens), (std::vector<std::string>{"caf\xC3\xA9", "ok", "\xEF\xBF\xBD", "yes"}));
}

TEST(TokensTest, ResetReadsTheNextText) {
  Tokens tokens("caf\xC3\xA9 one");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"caf\xC3\xA9", "one"}));
  std::string next = "two three";
  tokens.Reset(next);
  EXPECT_EQ(tokens.text(), next);
  EXPECT_EQ(Texts(tokens), (std::vector<std::string>{"two", "three"}));
  tokens.Reset("");
  EXPECT_TRUE(tokens.tokens().empty());
}

TEST(TokensTest, AMovedTokensReadsTheSameText) {
  // Short enough for the normalized copy to sit inside the string object.
  Tokens from("e\xCC\x81t\xC3\xA9");
  ASSERT_EQ(Texts(from), (std::vector<std::string>{"\xC3\xA9t\xC3\xA9"}));
  Tokens to(std::move(from));
  EXPECT_EQ(Texts(to), (std::vector<std::string>{"\xC3\xA9t\xC3\xA9"}));
  Tokens assigned("other words");
  assigned = std::move(to);
  EXPECT_EQ(assigned.text(), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(Texts(assigned), (std::vector<std::string>{"\xC3\xA9t\xC3\xA9"}));
}

TEST(TokensTest, FoldedIsTheFoldOfAPlainText) {
  std::string input = "I love ACME, https://acme.com/x #AcmeFail";
  Tokens tokens(input);
  const FoldedText& f = tokens.Folded(FoldMode::kCaseOnly, false);
  EXPECT_EQ(f.bytes, FoldString(input, FoldMode::kCaseOnly));
  EXPECT_EQ(f.source.back(), input.size());
  // The tokens read the same text after the fold as without it.
  EXPECT_EQ(tokens.text(), input);
  EXPECT_EQ(Texts(tokens), Texts(Tokens(input)));
}

TEST(TokensTest, FoldedCountsTheInputsCodePointsThoughTheTextIsComposed) {
  // N e s t l e U+0301 ' ' r: the fold reads the composed text, its code
  // points those of the input.
  std::string input = "Nestle\u0301 recalls";
  Tokens tokens(input);
  const FoldedText& f = tokens.Folded(FoldMode::kNoDiacritics, true);
  EXPECT_EQ(f.bytes, "nestle recalls");
  EXPECT_EQ(tokens.text(), "Nestl\u00e9 recalls");
  size_t r = f.bytes.find('r');
  EXPECT_EQ(f.SourceStart(r), 8u);
  EXPECT_EQ(f.SourceEnd(r - 1), 7u);  // "nestle" ends before the space, after the accent
  EXPECT_EQ(f.source.back(), 15u);
  EXPECT_EQ(f.word_starts, (std::vector<uint32_t>{0, static_cast<uint32_t>(r)}));
}

TEST(TokensTest, FoldedReadsDecomposedHangulAsItsSyllables) {
  // Hangul syllables fold whole; their jamo compose to them under NFC.
  Tokens tokens("\u1109\u1161\u11b7\u1109\u1165\u11bc \u110b\u1175");  // 삼성 이, decomposed
  const FoldedText& f = tokens.Folded(FoldMode::kCaseOnly, false);
  EXPECT_EQ(f.bytes, FoldString("\uc0bc\uc131 \uc774", FoldMode::kCaseOnly));
  EXPECT_EQ(f.SourceStart(0), 0u);
  EXPECT_EQ(f.SourceStart(3), 3u);                   // 성 starts at the input's fourth jamo
  EXPECT_EQ(f.SourceStart(f.bytes.size() - 3), 7u);  // 이 after the space
  EXPECT_EQ(f.source.back(), 9u);
}

TEST(TokensTest, FoldedOfARepairedTextCountsEachBadByte) {
  std::string input = "ok\xFF\xFEyes acme";
  Tokens tokens(input);
  const FoldedText& f = tokens.Folded(FoldMode::kCaseOnly, false);
  EXPECT_EQ(f.bytes, "ok yes acme");
  EXPECT_EQ(f.SourceStart(3), 4u);  // "yes" after two code points of bad bytes
  EXPECT_EQ(f.source.back(), 12u);
  EXPECT_EQ(tokens.text(), "ok\uFFFD\uFFFDyes acme");
}

TEST(TokensTest, FoldedKeepsEachModeAndFillsWordsWhenAsked) {
  Tokens tokens("Caf\u00e9 Nestl\u00e9");
  const FoldedText& exact = tokens.Folded(FoldMode::kCaseOnly, false);
  EXPECT_EQ(exact.bytes, "cafe\u0301 nestle\u0301");
  EXPECT_TRUE(exact.word_starts.empty());
  EXPECT_EQ(tokens.Folded(FoldMode::kNoDiacritics, false).bytes, "cafe nestle");
  EXPECT_EQ(tokens.Folded(FoldMode::kCaseOnly, true).word_starts, (std::vector<uint32_t>{0, 7}));
  EXPECT_EQ(&tokens.Folded(FoldMode::kCaseOnly, false), &exact);
  tokens.Reset("Other");
  EXPECT_EQ(tokens.Folded(FoldMode::kCaseOnly, false).bytes, "other");
}

// Whatever the bytes, the fold through Tokens is the fold of the repaired,
// normalized text, its code points within the input's.
TEST(TokensTest, FoldedStaysInRangeOnHostileInput) {
  std::mt19937 rng(7);
  const std::string pieces[] = {
      "a", "\xCC\x81", "\xCC\xA3", "\xFF",   "\xE2\x82",         "\u1100",       "\u1161", "\u11a8",
      " ", "#",        "\u00e9",   "\u6211", "\xF0\x9F\x98\x80", "\u0915\u093c", "."};
  Tokens tokens;
  for (int round = 0; round < 300; ++round) {
    std::string input;
    for (int k = 0; k < 24; ++k) input += pieces[rng() % std::size(pieces)];
    tokens.Reset(input);
    const FoldedText& f = tokens.Folded(FoldMode::kNoDiacritics, true);
    ASSERT_EQ(f.bytes, FoldString(tokens.text(), FoldMode::kNoDiacritics)) << input;
    ASSERT_EQ(f.source.size(), f.bytes.size() + 1);
    for (size_t i = 1; i < f.source.size(); ++i) ASSERT_LE(f.source[i - 1], f.source[i]) << input;
    ASSERT_LE(f.source.back(), input.size());
  }
}

// The word folds of `tokens`, one per token ("" for those with none).
std::vector<std::string> WordFolds(const Tokens& tokens) {
  std::vector<std::string> out;
  const FoldedWords& words = tokens.Words();
  for (const FoldedWords::Key& k : words.keys) out.emplace_back(words.Word(k));
  return out;
}

TEST(TokensTest, WordsFoldEachWordOnceWithItsHash) {
  Tokens tokens("\u00BFD\u00D3NDE Don\u2019t @AcmeCorp #BigFail 3,5 :-) https://x.co/A \U0001F621 !");
  ASSERT_EQ(tokens.Words().keys.size(), tokens.tokens().size());
  // Hashtag words are folded too (they are words); URLs, emoticons, emoji
  // and punctuation are not.
  EXPECT_EQ(WordFolds(tokens), (std::vector<std::string>{"", "d\u00F3nde", "don't", "@acmecorp", "#bigfail", "big",
                                                         "fail", "3,5", "", "", "", ""}));
  for (const FoldedWords::Key& k : tokens.Words().keys) {
    if (k.length > 0) {
      EXPECT_EQ(k.hash, HashWord(tokens.Words().Word(k)));
    }
  }
  tokens.Reset("NEXT one");
  EXPECT_EQ(WordFolds(tokens), (std::vector<std::string>{"next", "one"}));
}

TEST(TokensTest, WordsStayInBoundsOnHostileInput) {
  // Invalid bytes (repaired to U+FFFD, no word), and words whose folds are
  // longer than they are: U+023A folds to U+2C65, two bytes to three.
  std::string grows;
  for (int i = 0; i < 50000; ++i) grows += "\u023A";
  const std::string input = "\xFF\xC3 " + grows + " \xE2\x82";
  Tokens tokens(input);
  std::vector<std::string> folds = WordFolds(tokens);
  std::string expected;
  for (int i = 0; i < 50000; ++i) expected += "\u2C65";
  EXPECT_NE(std::find(folds.begin(), folds.end(), expected), folds.end());
  tokens.Reset("");
  EXPECT_TRUE(tokens.Words().keys.empty());
}

}  // namespace
}  // namespace brandmon::text

#include "daemon/text/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/text/utf8.h"

namespace brandmon::text {
namespace {

using Kind = Token::Kind;

std::vector<Token> Tok(std::string_view s) {
  std::vector<Token> out;
  Tokenize(s, TokenizerOptions{}, &out);
  return out;
}

std::vector<std::string> Texts(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.emplace_back(t.text);
  return out;
}

TEST(TokenizerTest, KeepsSocialMediaUnitsWhole) {
  auto tokens = Tok("@acme_help loved it :-) <3 see https://x.co/a?b=1 #fail");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"@acme_help", "loved", "it", ":-)", "<3", "see",
                                                     "https://x.co/a?b=1", "#fail", "fail"}));
  EXPECT_EQ(tokens[0].kind, Kind::kHandle);
  EXPECT_EQ(tokens[3].kind, Kind::kEmoticon);
  EXPECT_EQ(tokens[4].kind, Kind::kEmoticon);
  EXPECT_EQ(tokens[6].kind, Kind::kUrl);
  EXPECT_EQ(tokens[7].kind, Kind::kHashtag);
  EXPECT_TRUE(tokens[8].in_hashtag);
}

TEST(TokenizerTest, HashtagsSplitIntoWords) {
  auto tokens = Tok("#WorstServiceEver");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"#WorstServiceEver", "Worst", "Service", "Ever"}));
  std::vector<std::string_view> parts;
  SplitHashtag("iPhone15_launch", &parts);
  EXPECT_EQ(parts, (std::vector<std::string_view>{"i", "Phone", "15", "launch"}));
  parts.clear();
  SplitHashtag("USAToday", &parts);
  EXPECT_EQ(parts, (std::vector<std::string_view>{"USA", "Today"}));
}

TEST(TokenizerTest, EmojiSequencesAreOneToken) {
  auto tokens = Tok("ok😡👍🏽 👨‍👩‍👧 🇪🇸❤️");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"ok", "😡", "👍🏽", "👨‍👩‍👧", "🇪🇸", "❤️"}));
  for (size_t i = 1; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].kind, Kind::kEmoji) << i;
}

TEST(TokenizerTest, WordsKeepApostrophesAndMarkCaps) {
  auto tokens = Tok("I DON'T like it, isn’t it?");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"I", "DON'T", "like", "it", ",", "isn’t", "it", "?"}));
  EXPECT_TRUE(tokens[1].all_caps);
  EXPECT_FALSE(tokens[0].all_caps);  // one letter is not shouting
  EXPECT_EQ(tokens[4].kind, Kind::kPunct);
}

TEST(TokenizerTest, InnerHyphensJoinWords) {
  auto tokens = Tok("a kind-of well-made thing - ok");
  EXPECT_EQ(Texts(tokens), (std::vector<std::string>{"a", "kind-of", "well-made", "thing", "-", "ok"}));
}

// ASCII runs take a fast path; where a word continues past them (accents,
// joints, digits) the result must be the same as one general scan.
TEST(TokenizerTest, WordsContinuePastTheirAsciiPart) {
  struct Case {
    std::string_view text;
    std::vector<std::string> words;
  };
  const Case cases[] = {
      {"cafés", {"cafés"}},
      {"naïve café,ok", {"naïve", "café", ",", "ok"}},
      {"x2 2x 3,5 v1.2", {"x2", "2x", "3,5", "v1", ".", "2"}},
      {"Ab'", {"Ab", "'"}},
      {"rock-", {"rock", "-"}},
      {"AB", {"AB"}},
      {"ABé", {"ABé"}},
      {"ABc", {"ABc"}},
  };
  for (const Case& c : cases) EXPECT_EQ(Texts(Tok(c.text)), c.words) << c.text;
  EXPECT_TRUE(Tok("OKÉ")[0].all_caps);
  EXPECT_FALSE(Tok("OKé")[0].all_caps);
  EXPECT_EQ(Tok("ab")[0].script, Script::kLatin);
  EXPECT_EQ(Tok("42")[0].kind, Kind::kNumber);
}

TEST(TokenizerTest, ScriptChangesSplitWords) {
  auto tokens = Tok("Acmeની સર્વિસ");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"Acme", "ની", "સર્વિસ"}));
  EXPECT_EQ(tokens[0].script, Script::kLatin);
  EXPECT_EQ(tokens[1].script, Script::kGujarati);
}

TEST(TokenizerTest, IndicVowelSignsStayInWords) {
  auto tokens = Tok("बहुत अच्छा");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"बहुत", "अच्छा"}));
}

TEST(TokenizerTest, SegmentsChineseAndJapanese) {
  auto zh = Tok("我非常喜欢这个产品");
  EXPECT_GT(zh.size(), 2u);
  std::string joined;
  for (const auto& t : zh) joined += t.text;
  EXPECT_EQ(joined, "我非常喜欢这个产品");
  TokenizerOptions whole;
  whole.segment_unspaced = false;
  std::vector<Token> one;
  Tokenize("我非常喜欢这个产品", whole, &one);
  EXPECT_EQ(one.size(), 1u);
}

TEST(TokenizerTest, NumbersAndOffsets) {
  auto tokens = Tok("é 3.5 stars");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"é", "3.5", "stars"}));
  EXPECT_EQ(tokens[1].kind, Kind::kNumber);
  EXPECT_EQ(tokens[2].cp_begin, 6u);
  EXPECT_EQ(tokens[2].begin, 7u);
}

TEST(TokenizerTest, LineBreaksAreMarked) {
  auto tokens = Tok("one\ntwo three");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_FALSE(tokens[0].line_break_before);
  EXPECT_TRUE(tokens[1].line_break_before);
  EXPECT_FALSE(tokens[2].line_break_before);
}

TEST(TokenizerTest, RunsOfSpacesAndLineBreaks) {
  auto tokens = Tok("  one \t  \r\n  two   three  ");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(tokens[1].line_break_before);
  EXPECT_FALSE(tokens[2].line_break_before);
  EXPECT_EQ(tokens[1].begin, 13u);
  EXPECT_EQ(tokens[1].cp_begin, 13u);
  EXPECT_EQ(tokens[2].cp_begin, 19u);
}

TEST(TokenizerTest, ASpaceAfterAWordThenALineBreak) {
  // A word's one following space is skipped with the word; a line break
  // after it still marks the next token.
  auto tokens = Tok("one \ntwo  three \r\nfour 5 \nsix");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"one", "two", "three", "four", "5", "six"}));
  const std::vector<bool> breaks = {false, true, false, true, false, true};
  const std::vector<uint32_t> begins = {0, 5, 10, 18, 23, 26};
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens[i].line_break_before, breaks[i]) << i;
    EXPECT_EQ(tokens[i].begin, begins[i]) << i;
    EXPECT_EQ(tokens[i].cp_begin, begins[i]) << i;
  }
}

TEST(TokenizerTest, AllCapsNeedsTwoCapitalsAndNoLowerCase) {
  auto tokens = Tok("AB1 A1B2 A1 I OK Ok oK 1A2 GREAT");
  ASSERT_EQ(tokens.size(), 9u);
  const std::vector<bool> caps = {true, true, false, false, true, false, false, false, true};
  for (size_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].all_caps, caps[i]) << tokens[i].text;
}

TEST(TokenizerTest, WordsStartingLikeUrlsAreWords) {
  auto tokens = Tok("http htt www wwwx what https HTTP://x.co WWW.x.co hhttp://a");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"http", "htt", "www", "wwwx", "what", "https", "HTTP://x.co",
                                                     "WWW.x.co", "hhttp", ":", "/", "/", "a"}));
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(tokens[i].kind, Kind::kWord) << i;
  EXPECT_EQ(tokens[6].kind, Kind::kUrl);
  EXPECT_EQ(tokens[7].kind, Kind::kUrl);
  EXPECT_EQ(tokens[8].kind, Kind::kWord);
}

TEST(TokenizerTest, AsciiWordsNumbersAndTheirJoints) {
  auto tokens = Tok("3.5 3,000 3-4 e-mail don't x' 2day ABC AbC A1 9.x 4.");
  ASSERT_EQ(Texts(tokens), (std::vector<std::string>{"3.5", "3,000", "3-4", "e-mail", "don't", "x", "'", "2day", "ABC",
                                                     "AbC", "A1", "9", ".", "x", "4", "."}));
  const std::vector<Kind> kinds = {Kind::kNumber, Kind::kNumber, Kind::kNumber, Kind::kWord, Kind::kWord, Kind::kWord,
                                   Kind::kPunct,  Kind::kWord,   Kind::kWord,   Kind::kWord, Kind::kWord, Kind::kNumber,
                                   Kind::kPunct,  Kind::kWord,   Kind::kNumber, Kind::kPunct};
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens[i].kind, kinds[i]) << i;
    EXPECT_EQ(tokens[i].all_caps, tokens[i].text == "ABC") << i;
    EXPECT_EQ(tokens[i].cp_begin, tokens[i].begin) << i;
    if (kinds[i] == Kind::kWord) {
      EXPECT_EQ(tokens[i].script, Script::kLatin) << i;
    }
  }
}

TEST(TokenizerTest, HostileInputTerminates) {
  std::string long_word(100000, 'a');
  auto tokens = Tok(long_word);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].text.size(), long_word.size());
  std::string emoji;
  while (emoji.size() < (1u << 20)) emoji += "😡";
  EXPECT_EQ(Tok(emoji).size(), emoji.size() / 4);
  std::string joiners;
  for (int i = 0; i < 10000; ++i) joiners += "\xE2\x80\x8D";  // ZWJ alone
  EXPECT_EQ(Tok(joiners).size(), 10000u);
  std::string marks = "a";
  for (int i = 0; i < 10000; ++i) marks += "\xCC\x81";  // combining acute
  EXPECT_EQ(Tok(marks).size(), 1u);
  std::string punct(50000, '#');
  EXPECT_EQ(Tok(punct).size(), 50000u);
  std::string mixed = RepairUtf8("\xFF\xFE@#:\xF0\x9F");
  Tok(mixed);
}

}  // namespace
}  // namespace brandmon::text

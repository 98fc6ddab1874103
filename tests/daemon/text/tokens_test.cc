#include "daemon/text/tokens.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace brandmon::text

#include "daemon/text/lang_id.h"

#include <gtest/gtest.h>

namespace brandmon::text {
namespace {

TEST(LangIdTest, DecisiveScriptsWinEvenInShortText) {
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"સરસ", "gu"},      {"Acme ની સર્વિસ ખૂબ સરસ છે", "gu"},
      {"बहुत अच्छा", "hi"}, {"رائع", "ar"},
      {"很好", "zh"},     {"とても良い", "ja"},
      {"最高です", "ja"}, {"좋아요", "ko"},
      {"ดีมาก", "th"},
  };
  for (const auto& c : cases) {
    auto g = GuessByScript(c.text);
    ASSERT_TRUE(g.has_value()) << c.text;
    EXPECT_EQ(g->code, c.want) << c.text;
    EXPECT_GT(g->confidence, 0.3);
    EXPECT_EQ(IdentifyLanguage(c.text).code, c.want);
  }
}

TEST(LangIdTest, LatinTextGoesToCld2) {
  EXPECT_FALSE(GuessByScript("the service was great").has_value());
  EXPECT_FALSE(GuessByScript("12345 !!!").has_value());
  // A single Devanagari word in a long English sentence is not decisive.
  EXPECT_FALSE(GuessByScript("I went to the market today and it was a very long day, नमस्ते").has_value());
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"The customer service was absolutely terrible and nobody answered my calls", "en"},
      {"El servicio al cliente fue terrible y nadie contestó mis llamadas", "es"},
      {"Le service client était horrible et personne n'a répondu à mes appels", "fr"},
      {"Der Kundenservice war schrecklich und niemand hat meine Anrufe beantwortet", "de"},
  };
  for (const auto& c : cases) {
    LanguageGuess g = IdentifyLanguage(c.text);
    EXPECT_EQ(g.code, c.want) << c.text;
    EXPECT_GT(g.confidence, 0.0);
  }
}

TEST(LangIdTest, NothingToTellIsUndetermined) {
  EXPECT_EQ(IdentifyLanguage("").code, "und");
  EXPECT_EQ(IdentifyLanguage("😡😡 !!! 123").code, "und");
}

}  // namespace
}  // namespace brandmon::text

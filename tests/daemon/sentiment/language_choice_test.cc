#include "daemon/sentiment/language_choice.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/support/test_util.h"

namespace brandmon::sentiment {
namespace {

class LanguageChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("sentiment/en/lexicon.tsv", "good\t1.9\n");
    dir_.Write("sentiment/en/rules.tsv", "stopword\tthe\nstopword\tand\nstopword\tno\n");
    dir_.Write("sentiment/es/lexicon.tsv", "bueno\t1.6\n");
    dir_.Write("sentiment/es/rules.tsv", "stopword\tel\nstopword\tla\nstopword\tque\nstopword\tno\n");
    dir_.Write("sentiment/fr/lexicon.tsv", "bon\t1.6\n");
    dir_.Write("sentiment/fr/rules.tsv", "stopword\tle\nstopword\tla\nstopword\tque\n");
    dir_.Write("sentiment/ja/lexicon.tsv", "良い\t1.6\n");
    dir_.Write("sentiment/zh/lexicon.tsv", "好\t1.6\n");
    dir_.Write("sentiment/emoji.tsv", "😡\t-3\n");
    auto set = LoadLexiconSet(dir_.path().string());
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    set_ = std::move(set).value();
  }

  // Stopword counts from per-language figures, e.g. {{"es", 2}}.
  StopwordCounts Counts(const std::map<std::string, int>& by_code) const {
    StopwordCounts counts{};
    for (size_t b = 0; b < set_->latin_packs.size(); ++b) {
      auto it = by_code.find(set_->packs[set_->latin_packs[b]]->code);
      if (it != by_code.end()) counts[b] = it->second;
    }
    return counts;
  }

  brandmon::testing::TempDir dir_;
  std::unique_ptr<LexiconSet> set_;
};

TEST_F(LanguageChoiceTest, TheLanguageWithTheMostStopwordsWinsAndEnglishWinsTies) {
  EXPECT_EQ(VoteLatin(*set_, Counts({{"es", 2}, {"en", 1}}), "x", true), "es");
  EXPECT_EQ(VoteLatin(*set_, Counts({{"fr", 3}, {"es", 1}}), "x", true), "fr");
  EXPECT_EQ(VoteLatin(*set_, Counts({{"es", 2}, {"en", 2}}), "x", true), "en");
  EXPECT_EQ(VoteLatin(*set_, Counts({{"es", 2}, {"fr", 2}, {"en", 2}}), "x", true), "en");
}

TEST_F(LanguageChoiceTest, AnAsciiTextWithoutStopwordsIsEnglish) {
  EXPECT_EQ(VoteLatin(*set_, Counts({}), "Buenos dias amigos", true), "en");
}

TEST_F(LanguageChoiceTest, CldSettlesTiesBetweenOtherLanguages) {
  std::string_view french = "Le service client de cette entreprise est vraiment très lent, je suis déçu du résultat.";
  EXPECT_EQ(VoteLatin(*set_, Counts({{"es", 2}, {"fr", 2}}), french, false), "fr");
}

TEST_F(LanguageChoiceTest, EnglishLeadsExactlyWhenTheVoteIsEnglish) {
  for (int en = 0; en <= 2; ++en) {
    for (int es = 0; es <= 2; ++es) {
      for (int fr = 0; fr <= 2; ++fr) {
        StopwordCounts counts = Counts({{"en", en}, {"es", es}, {"fr", fr}});
        EXPECT_EQ(EnglishLeads(*set_, counts), VoteLatin(*set_, counts, "x", true) == "en")
            << en << " " << es << " " << fr;
      }
    }
  }
}

TEST_F(LanguageChoiceTest, APinnedLanguageOverridesTheVote) {
  std::string storage;
  LanguageChoice c = ChooseLanguage(*set_, "es", "the and the", true, Counts({{"en", 3}}), &storage);
  EXPECT_EQ(c.code, "es");
  EXPECT_EQ(c.packs.latin, set_->Find("es"));
  EXPECT_EQ(c.packs.english, set_->english);
  EXPECT_EQ(c.packs.FallbackFor(text::Script::kLatin), set_->english);
  // A language without a Latin-script pack reads Latin words as English.
  c = ChooseLanguage(*set_, "hi-latn", "accha hai", true, Counts({}), &storage);
  EXPECT_EQ(c.code, "hi");
  EXPECT_EQ(c.packs.latin, set_->english);
  EXPECT_EQ(c.packs.FallbackFor(text::Script::kLatin), nullptr);
}

TEST_F(LanguageChoiceTest, HanReadsAsJapaneseOnlyInJapaneseTexts) {
  std::string storage;
  LanguageChoice ja = ChooseLanguage(*set_, "", "これは良いですね", false, Counts({}), &storage);
  EXPECT_EQ(ja.code, "ja");
  EXPECT_EQ(ja.packs.For(text::Script::kHan), set_->japanese);
  EXPECT_EQ(ja.packs.FallbackFor(text::Script::kHan), set_->chinese);
  EXPECT_EQ(ja.packs.For(text::Script::kKana), set_->japanese);
  LanguageChoice zh = ChooseLanguage(*set_, "zh", "很好", false, Counts({}), &storage);
  EXPECT_EQ(zh.packs.For(text::Script::kHan), set_->chinese);
  EXPECT_EQ(zh.packs.FallbackFor(text::Script::kHan), set_->japanese);
  EXPECT_EQ(zh.packs.For(text::Script::kArabic), nullptr);  // not loaded
}

TEST_F(LanguageChoiceTest, LatinPackForFallsBackToEnglish) {
  EXPECT_EQ(LatinPackFor(*set_, "fr"), set_->Find("fr"));
  EXPECT_EQ(LatinPackFor(*set_, "xx"), set_->english);
}

}  // namespace
}  // namespace brandmon::sentiment

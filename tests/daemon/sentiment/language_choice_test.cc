#include "daemon/sentiment/language_choice.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

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

  brandmon::testing::TempDir dir_;
  std::unique_ptr<LexiconSet> set_;
};

TEST_F(LanguageChoiceTest, OnlyLanguagesWithAPackAreScored) {
  EXPECT_TRUE(HasLanguage(*set_, "en"));
  EXPECT_TRUE(HasLanguage(*set_, "es"));
  EXPECT_TRUE(HasLanguage(*set_, "ja"));
  EXPECT_FALSE(HasLanguage(*set_, "ru"));
  EXPECT_FALSE(HasLanguage(*set_, "nl"));
  EXPECT_FALSE(HasLanguage(*set_, "und"));
  EXPECT_FALSE(HasLanguage(*set_, "hi"));  // neither Devanagari nor Latin-script Hindi loaded here
}

TEST_F(LanguageChoiceTest, TheLanguageSetsTheLatinPack) {
  LanguageChoice c = ChooseLanguage(*set_, "es");
  EXPECT_EQ(c.code, "es");
  EXPECT_EQ(c.packs.latin, set_->Find("es"));
  EXPECT_EQ(c.packs.english, set_->english);
  EXPECT_EQ(c.packs.FallbackFor(text::Script::kLatin), set_->english);
  // A language without a Latin-script pack reads Latin words as English.
  c = ChooseLanguage(*set_, "hi-latn");
  EXPECT_EQ(c.code, "hi");
  EXPECT_EQ(c.packs.latin, set_->english);
  EXPECT_EQ(c.packs.FallbackFor(text::Script::kLatin), nullptr);
}

TEST_F(LanguageChoiceTest, HanReadsAsJapaneseOnlyInJapaneseTexts) {
  LanguageChoice ja = ChooseLanguage(*set_, "ja");
  EXPECT_EQ(ja.code, "ja");
  EXPECT_EQ(ja.packs.For(text::Script::kHan), set_->japanese);
  EXPECT_EQ(ja.packs.FallbackFor(text::Script::kHan), set_->chinese);
  EXPECT_EQ(ja.packs.For(text::Script::kKana), set_->japanese);
  LanguageChoice zh = ChooseLanguage(*set_, "zh");
  EXPECT_EQ(zh.packs.For(text::Script::kHan), set_->chinese);
  EXPECT_EQ(zh.packs.FallbackFor(text::Script::kHan), set_->japanese);
  EXPECT_EQ(zh.packs.For(text::Script::kArabic), nullptr);  // not loaded
}

// Cyrillic text reads in the Russian pack and Hangul in the Korean one, in
// whatever language the text is scored as; Latin words stay the language's.
TEST(LanguageChoiceScriptsTest, CyrillicAndHangulHaveTheirPacks) {
  brandmon::testing::TempDir dir;
  dir.Write("sentiment/en/lexicon.tsv", "good\t1.9\n");
  dir.Write("sentiment/en/rules.tsv", "stopword\tthe\n");
  dir.Write("sentiment/ru/lexicon.tsv", "плохой\t-2.5\n");
  dir.Write("sentiment/ko/lexicon.tsv", "최악\t-3\n");
  auto set = LoadLexiconSet(dir.path().string());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const LexiconSet& s = **set;
  EXPECT_TRUE(HasLanguage(s, "ru"));
  EXPECT_TRUE(HasLanguage(s, "ko"));
  for (std::string_view code : {"ru", "ko", "en"}) {
    LanguageChoice c = ChooseLanguage(s, code);
    EXPECT_EQ(c.packs.For(text::Script::kCyrillic), s.Find("ru")) << code;
    EXPECT_EQ(c.packs.For(text::Script::kHangul), s.Find("ko")) << code;
    EXPECT_EQ(c.packs.For(text::Script::kLatin), s.english) << code;
    EXPECT_EQ(c.packs.FallbackFor(text::Script::kCyrillic), nullptr) << code;
  }
}

TEST_F(LanguageChoiceTest, LatinPackForFallsBackToEnglish) {
  EXPECT_EQ(LatinPackFor(*set_, "fr"), set_->Find("fr"));
  EXPECT_EQ(LatinPackFor(*set_, "xx"), set_->english);
}

// The index of `code` in set.latin_packs.
size_t LatinIndex(const LexiconSet& set, std::string_view code) {
  for (size_t i = 0; i < set.latin_packs.size(); ++i) {
    if (set.packs[set.latin_packs[i]]->code == code) return i;
  }
  ADD_FAILURE() << code << " is not a Latin-script pack";
  return 0;
}

TEST_F(LanguageChoiceTest, EnglishIsClearWhenEnglishKnowsTheWordsOrLeadsTheStopwords) {
  const size_t en = LatinIndex(*set_, "en");
  const size_t es = LatinIndex(*set_, "es");
  auto evidence = [&](int words, int english_words, int en_stop, int es_stop) {
    LanguageEvidence e;
    e.words = words;
    e.english_words = english_words;
    e.stopwords[en] = en_stop;
    e.stopwords[es] = es_stop;
    e.languages = static_cast<uint16_t>((en_stop > 0 ? 1u << en : 0u) | (es_stop > 0 ? 1u << es : 0u));
    return e;
  };
  EXPECT_FALSE(EnglishIsClear(*set_, LanguageEvidence{}));
  // Every word known to English: two words, or one that is no other
  // language's stopword.
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(3, 3, 0, 0)));
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(2, 2, 1, 1)));   // "no" counts for both
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(1, 1, 0, 0)));   // "Excellent!"
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(1, 1, 1, 0)));   // "What?"
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(1, 1, 1, 1)));  // "No" alone is Spanish as much
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(1, 0, 0, 0)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(3, 3, 1, 2)));  // Spanish function words lead
  // Three words or more with an English stopword and no other language's,
  // half of them known to English.
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(4, 2, 1, 0)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(4, 1, 1, 0)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(4, 2, 1, 1)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(2, 1, 1, 0)));
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(12, 3, 2, 0)));  // two English stopwords, a quarter known
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(13, 3, 2, 0)));
  // English stopwords: two or more, over twice the others', among words a
  // third of which English knows.
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(10, 4, 3, 1)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(10, 4, 2, 1)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(10, 4, 1, 0)));
  EXPECT_FALSE(EnglishIsClear(*set_, evidence(10, 3, 3, 1)));
  EXPECT_TRUE(EnglishIsClear(*set_, evidence(9, 3, 3, 1)));
}

}  // namespace
}  // namespace brandmon::sentiment

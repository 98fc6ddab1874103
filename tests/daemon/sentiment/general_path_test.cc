#include "daemon/sentiment/general_path.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "daemon/text/lang_id.h"
#include "daemon/text/utf8.h"

namespace brandmon::sentiment {
namespace {

class GeneralPathTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = LoadLexiconSet(std::string(BRANDMON_SOURCE_DIR) + "/data");
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    set_ = std::move(set).value().release();
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
  }

  // The rated units' valences after building `text` in `language`, by
  // default the one text::IdentifyLanguage tells, as the analyzer does.
  std::vector<float> Rated(std::string_view text, std::string_view language = "") {
    // Kept in the fixture: the builder's lang points into the code it was given.
    identified_ = text::IdentifyLanguage(text::RepairUtf8(text)).code;
    if (language.empty()) language = identified_ == "und" ? std::string_view("en") : std::string_view(identified_);
    builder_ = std::make_unique<UnitBuilder>(*set_, nullptr, global_, scratch_);
    scratch_.units.clear();
    scratch_.sentences.clear();
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
    BuildGeneralUnits(builder_.get(), text::Tokens(text), ascii, language);
    std::vector<float> out;
    for (const Unit& u : scratch_.units) {
      if (u.rated()) out.push_back(u.valence);
    }
    return out;
  }

  static float Valence(std::string_view code, std::string_view term) {
    const TermInfo* info = set_->Find(code)->terms.Find(term);
    return info ? info->valence : 0;
  }

  static LexiconSet* set_;
  std::string identified_;
  TermMap<float> global_;
  Scratch scratch_;
  std::unique_ptr<UnitBuilder> builder_;
};

LexiconSet* GeneralPathTest::set_ = nullptr;

TEST_F(GeneralPathTest, WordsAreRatedInTheChosenLanguage) {
  EXPECT_EQ(Rated("el servicio es muy malo"), std::vector<float>{Valence("es", "malo")});
  EXPECT_EQ(builder_->lang, "es");
}

TEST_F(GeneralPathTest, InflectedFormsFindTheirEntry) {
  ASSERT_EQ(set_->Find("es")->terms.Find("aburrida"), nullptr);
  EXPECT_EQ(Rated("la película es aburrida"), std::vector<float>{Valence("es", "aburrido")});
}

TEST_F(GeneralPathTest, EnglishRatedWordsCarryIntoOtherLatinLanguages) {
  EXPECT_EQ(Rated("la comida es awesome"), std::vector<float>{Valence("en", "awesome")});
  EXPECT_EQ(builder_->lang, "es");
  EXPECT_EQ(Rated("awesome", "es"), std::vector<float>{Valence("en", "awesome")});
  EXPECT_EQ(builder_->lang, "es");
}

TEST_F(GeneralPathTest, WhiteSpaceDelimitedEmoticonsAreOneSymbol) {
  EXPECT_EQ(Rated(":l"), std::vector<float>{*set_->symbols.Find(":l")});
  ASSERT_EQ(scratch_.units.size(), 1u);  // one unit for the tokens ':' and 'l'
  EXPECT_EQ(scratch_.units[0].kind, UnitKind::kSymbol);
}

TEST_F(GeneralPathTest, ChineseWordsAreSplitIntoRatedPieces) {
  std::vector<float> rated = Rated("我非常喜欢这个产品，质量很好");
  EXPECT_EQ(builder_->lang, "zh");
  ASSERT_FALSE(rated.empty());
  for (float v : rated) EXPECT_GT(v, 0);
}

TEST_F(GeneralPathTest, RussianInflectionsFindTheirEntry) {
  ASSERT_EQ(set_->Find("ru")->terms.Find("ужасная"), nullptr);
  EXPECT_EQ(Rated("ужасная доставка"), std::vector<float>{Valence("ru", "ужасный")});
  EXPECT_EQ(builder_->lang, "ru");
}

// Korean glues particles and endings to its words: a word without an entry
// is read through the rated words inside it, but a negator or booster
// spelled inside a longer word ("안" in "안녕하세요") is not one.
TEST_F(GeneralPathTest, KoreanWordsAreReadThroughTheirRatedPieces) {
  ASSERT_EQ(set_->Find("ko")->terms.Find("최악이네요"), nullptr);
  EXPECT_EQ(Rated("배송이 최악이네요"), std::vector<float>{Valence("ko", "최악")});
  EXPECT_EQ(builder_->lang, "ko");
  ASSERT_TRUE(set_->Find("ko")->terms.Find("안")->flags & TermInfo::kNegator);
  EXPECT_EQ(Rated("안녕하세요 좋아요"), std::vector<float>{Valence("ko", "좋아요")});
  for (const Unit& u : scratch_.units) EXPECT_FALSE(u.flags & TermInfo::kNegator);
  // The same negator as a word of its own negates.
  Rated("안 좋아요");
  EXPECT_TRUE(std::any_of(scratch_.units.begin(), scratch_.units.end(),
                          [](const Unit& u) { return (u.flags & TermInfo::kNegator) != 0; }));
}

TEST_F(GeneralPathTest, InvalidUtf8IsRepairedNotRejected) {
  std::vector<float> rated = Rated("el servicio es muy malo \xff\xfe");
  EXPECT_EQ(rated, std::vector<float>{Valence("es", "malo")});
}

TEST_F(GeneralPathTest, MarksAndSentencesAreCounted) {
  builder_ = std::make_unique<UnitBuilder>(*set_, nullptr, global_, scratch_);
  scratch_.units.clear();
  scratch_.sentences.clear();
  std::pair<int, int> marks =
      BuildGeneralUnits(builder_.get(), text::Tokens("¡Qué bueno! ¿De verdad?? Sí."), false, "es");
  EXPECT_EQ(marks, std::make_pair(1, 2));
  EXPECT_EQ(scratch_.sentences.size(), 3u);
  EXPECT_TRUE(scratch_.sentences[0].exclamation);
  EXPECT_TRUE(scratch_.sentences[1].question);
}

}  // namespace
}  // namespace brandmon::sentiment

#include "daemon/sentiment/ascii_pass.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/sentiment/general_path.h"

namespace brandmon::sentiment {
namespace {

class AsciiPassTest : public ::testing::Test {
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
  static LexiconSet* set_;
  TermMap<float> global_;
};

LexiconSet* AsciiPassTest::set_ = nullptr;

void ExpectSameUnits(const Scratch& a, const Scratch& b, std::string_view text) {
  ASSERT_EQ(a.units.size(), b.units.size()) << text;
  for (size_t k = 0; k < a.units.size(); ++k) {
    const Unit& x = a.units[k];
    const Unit& y = b.units[k];
    EXPECT_EQ(x.valence, y.valence) << text << " unit " << k;
    EXPECT_EQ(x.booster, y.booster) << text << " unit " << k;
    EXPECT_EQ(x.cp_begin, y.cp_begin) << text << " unit " << k;
    EXPECT_EQ(x.sentence, y.sentence) << text << " unit " << k;
    EXPECT_EQ(x.flags, y.flags) << text << " unit " << k;
    EXPECT_EQ(x.caps, y.caps) << text << " unit " << k;
    EXPECT_EQ(x.clause_break, y.clause_break) << text << " unit " << k;
    EXPECT_EQ(x.title, y.title) << text << " unit " << k;
    EXPECT_EQ(x.kind, y.kind) << text << " unit " << k;
  }
  ASSERT_EQ(a.sentences.size(), b.sentences.size()) << text;
  for (size_t k = 0; k < a.sentences.size(); ++k) {
    EXPECT_EQ(a.sentences[k].begin, b.sentences[k].begin) << text;
    EXPECT_EQ(a.sentences[k].end, b.sentences[k].end) << text;
    EXPECT_EQ(a.sentences[k].question, b.sentences[k].question) << text;
    EXPECT_EQ(a.sentences[k].exclamation, b.sentences[k].exclamation) << text;
    EXPECT_EQ(a.sentences[k].letter_at, b.sentences[k].letter_at) << text;
  }
}

TEST_F(AsciiPassTest, BuildsWhatTheGeneralPathBuildsForEnglish) {
  for (std::string_view text :
       {"I love this phone!!! :-) <3", "The service was not very good, but the staff were kind of nice.",
        "Is it any good? I don't think so. NOT GOOD at all", "@acme #WorstServiceEver http://url_removed 42 times",
        "Watched Fight Club and Super 8 again :l >:[", "i  a\nNew line. kind of cool, sort of meh xD",
        "Shut up and take my money", ":) :-/ ;) o_O T_T hmm...", ""}) {
    Scratch ascii_scratch, general_scratch;
    UnitBuilder ascii(*set_, nullptr, global_, ascii_scratch);
    UnitBuilder general(*set_, nullptr, global_, general_scratch);
    bool is_ascii = false;
    std::pair<int, int> marks;
    ASSERT_TRUE(TryAsciiPass(&ascii, text, "en", &is_ascii, &marks)) << text;
    EXPECT_TRUE(is_ascii);
    std::pair<int, int> general_marks = BuildGeneralUnits(&general, text::Tokens(text), true, "en");
    EXPECT_EQ(marks, general_marks) << text;
    EXPECT_EQ(ascii.lang, "en");
    EXPECT_EQ(general.lang, "en") << text;
    EXPECT_EQ(ascii.cap_diff, general.cap_diff) << text;
    EXPECT_EQ(ascii.lower_words, general.lower_words) << text;
    EXPECT_EQ(ascii.letter_flags, general.letter_flags) << text;
    EXPECT_EQ(ascii.link, general.link) << text;
    ExpectSameUnits(ascii_scratch, general_scratch, text);
  }
}

TEST_F(AsciiPassTest, LeavesOtherTextsToTheGeneralPath) {
  struct Case {
    std::string_view text;
    std::string_view pinned;
    bool ascii;
  };
  for (const Case& c : {Case{"el servicio es muy bueno y la comida que", "es", true}, Case{"good food", "es", true},
                        Case{"café très bon", "", false}, Case{"😍 great", "en", false}}) {
    Scratch scratch;
    UnitBuilder b(*set_, nullptr, global_, scratch);
    bool ascii = !c.ascii;
    std::pair<int, int> marks;
    EXPECT_FALSE(TryAsciiPass(&b, c.text, c.pinned, &ascii, &marks)) << c.text;
    EXPECT_EQ(ascii, c.ascii) << c.text;
    EXPECT_TRUE(scratch.units.empty()) << c.text;
    EXPECT_TRUE(scratch.sentences.empty()) << c.text;
    EXPECT_EQ(b.lower_words, 0) << c.text;
  }
}

TEST_F(AsciiPassTest, EnglishTakesTheAsciiPathWhateverTheWords) {
  Scratch scratch;
  UnitBuilder b(*set_, nullptr, global_, scratch);
  bool ascii = false;
  std::pair<int, int> marks;
  EXPECT_TRUE(TryAsciiPass(&b, "el servicio es muy bueno y la comida que", "en", &ascii, &marks));
  EXPECT_EQ(b.lang, "en");
}

}  // namespace
}  // namespace brandmon::sentiment

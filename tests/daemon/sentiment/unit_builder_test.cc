#include "daemon/sentiment/unit_builder.h"

#include <gtest/gtest.h>

namespace brandmon::sentiment {
namespace {

class UnitBuilderTest : public ::testing::Test {
 protected:
  UnitBuilderTest() : builder_(set_, &brand_, global_, scratch_) {
    TermInfo good;
    good.flags = TermInfo::kValence | TermInfo::kNegator | TermInfo::kFirstPerson;
    good.valence = 1.9f;
    good.phrase_words = 3;
    pack_.terms["good"] = good;
  }

  LexiconSet set_;
  LanguagePack pack_;
  TermMap<float> brand_;
  TermMap<float> global_;
  Scratch scratch_;
  UnitBuilder builder_;
};

TEST_F(UnitBuilderTest, BrandOverridesBeatGlobalOnesWhichBeatThePack) {
  TermInfo synthesized;
  EXPECT_EQ(builder_.Lookup("good", HashTerm("good"), &pack_, &synthesized), pack_.terms.Find("good"));
  global_["good"] = -1;
  const TermInfo* info = builder_.Lookup("good", HashTerm("good"), &pack_, &synthesized);
  ASSERT_EQ(info, &synthesized);
  EXPECT_EQ(info->valence, -1);
  // The pack's entry keeps its markers and phrases, not its role as a negator.
  EXPECT_EQ(info->flags, TermInfo::kValence | TermInfo::kFirstPerson);
  EXPECT_EQ(info->phrase_words, 3);
  brand_["good"] = 0;
  info = builder_.Lookup("good", HashTerm("good"), &pack_, &synthesized);
  EXPECT_EQ(info->valence, 0);
  EXPECT_FALSE(info->flags & TermInfo::kValence);
  EXPECT_EQ(builder_.Lookup("bad", HashTerm("bad"), &pack_, &synthesized), nullptr);
  brand_["bad"] = -2;
  info = builder_.Lookup("bad", HashTerm("bad"), nullptr, &synthesized);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->flags, TermInfo::kValence);
}

TEST_F(UnitBuilderTest, SentencesNeverStartEmptyAndUnitsKnowTheirs) {
  builder_.StartSentence();
  builder_.StartSentence();
  ASSERT_EQ(scratch_.sentences.size(), 1u);
  builder_.AddUnit(0, false, UnitKind::kWord);
  builder_.clause_break = true;
  builder_.AddUnit(5, true, UnitKind::kNumber);
  builder_.StartSentence();
  Unit& third = builder_.AddUnit(9, false, UnitKind::kWord);
  builder_.EndSentences();
  ASSERT_EQ(scratch_.sentences.size(), 2u);
  EXPECT_EQ(scratch_.sentences[0].begin, 0u);
  EXPECT_EQ(scratch_.sentences[0].end, 2u);
  EXPECT_EQ(scratch_.sentences[1].begin, 2u);
  EXPECT_EQ(scratch_.sentences[1].end, 3u);
  EXPECT_FALSE(scratch_.units[0].clause_break);
  EXPECT_TRUE(scratch_.units[1].clause_break);
  EXPECT_FALSE(builder_.clause_break);  // taken by the unit
  EXPECT_TRUE(scratch_.units[1].title);
  EXPECT_EQ(scratch_.units[1].kind, UnitKind::kNumber);
  EXPECT_EQ(third.sentence, 1);
}

TEST_F(UnitBuilderTest, OneLetterWordsLeaveTheirFlagsAndFirstOffset) {
  builder_.StartSentence();
  TermInfo i;
  i.flags = TermInfo::kFirstPerson;
  builder_.NoteLetterWord(&i, 7, false);
  builder_.NoteLetterWord(nullptr, 3, false);
  builder_.NoteLetterWord(nullptr, 1, true);  // in a hashtag: flags only
  EXPECT_EQ(builder_.letter_flags, TermInfo::kFirstPerson);
  EXPECT_EQ(scratch_.sentences[0].letter_at, 3u);
}

TEST_F(UnitBuilderTest, SetFromInfoKeepsFunctionWordsUnrated) {
  LanguagePack japanese;
  japanese.negation_after = true;
  TermInfo very;
  very.flags = TermInfo::kBooster;
  very.booster = 0.293f;
  Unit u;
  UnitBuilder::SetFromInfo(very, japanese, &u);
  EXPECT_FALSE(u.rated());
  EXPECT_EQ(u.booster, 0.293f);
  EXPECT_TRUE(u.negation_after);
  UnitBuilder::SetFromInfo(*pack_.terms.Find("good"), pack_, &u);
  EXPECT_EQ(u.valence, 1.9f);
  EXPECT_FALSE(u.negation_after);
}

TEST(UnitBuilderStaticTest, TitleWordsStartWithACapitalAndHoldALowerCaseLetter) {
  EXPECT_TRUE(UnitBuilder::IsTitle("Club"));
  EXPECT_TRUE(UnitBuilder::IsTitle("McDonald"));
  EXPECT_TRUE(UnitBuilder::IsTitle("X1a"));
  EXPECT_FALSE(UnitBuilder::IsTitle("USA"));
  EXPECT_FALSE(UnitBuilder::IsTitle("club"));
  EXPECT_FALSE(UnitBuilder::IsTitle("A"));
  EXPECT_FALSE(UnitBuilder::IsTitle(""));
}

}  // namespace
}  // namespace brandmon::sentiment

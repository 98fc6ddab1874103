#include "daemon/sentiment/rating.h"

#include <gtest/gtest.h>

#include <vector>

#include "daemon/sentiment/lexicon.h"

namespace brandmon::sentiment {
namespace {

Unit Word(float valence, uint16_t flags = 0, float booster = 0) {
  Unit u;
  u.valence = valence;
  u.flags = flags;
  u.booster = booster;
  return u;
}

// Rates `units` as one sentence; returns the sentence.
SentenceStat RateOne(std::vector<Unit>* units, const RatingContext& context = {}, bool question = false) {
  std::vector<SentenceStat> sentences(1);
  sentences[0].end = static_cast<uint32_t>(units->size());
  sentences[0].question = question;
  RateSentences(context, units, &sentences);
  return sentences[0];
}

TEST(RatingTest, AnUnmodifiedWordKeepsItsValence) {
  std::vector<Unit> units = {Word(0), Word(2.5f)};
  EXPECT_DOUBLE_EQ(RateOne(&units).raw, 2.5);
  EXPECT_FLOAT_EQ(units[1].value, 2.5f);
  EXPECT_FLOAT_EQ(units[0].value, 0.0f);
}

TEST(RatingTest, NegatorsFlipAndMilderForNegatives) {
  std::vector<Unit> not_good = {Word(0, TermInfo::kNegator), Word(2)};
  EXPECT_FLOAT_EQ(RateOne(&not_good).raw, 2.0f * -0.74f);
  std::vector<Unit> not_bad = {Word(0, TermInfo::kNegator), Word(-2)};
  EXPECT_FLOAT_EQ(RateOne(&not_bad).raw, 1.0f);
  // Three units back at most.
  std::vector<Unit> far = {Word(0, TermInfo::kNegator), Word(0), Word(0), Word(0), Word(2)};
  EXPECT_FLOAT_EQ(RateOne(&far).raw, 2.0f);
}

TEST(RatingTest, BoostersDecayWithDistanceAndStopAtAClauseBreak) {
  std::vector<Unit> very_good = {Word(0, TermInfo::kBooster, 0.293f), Word(2)};
  EXPECT_FLOAT_EQ(RateOne(&very_good).raw, 2.0f + 0.293f);
  std::vector<Unit> very_bad = {Word(0, TermInfo::kBooster, 0.293f), Word(-2)};
  EXPECT_FLOAT_EQ(RateOne(&very_bad).raw, -2.0f - 0.293f);
  std::vector<Unit> two_back = {Word(0, TermInfo::kBooster, 0.293f), Word(0), Word(2)};
  EXPECT_FLOAT_EQ(RateOne(&two_back).raw, 2.0f + 0.293f * 0.95f);
  std::vector<Unit> broken = {Word(0, TermInfo::kBooster, 0.293f), Word(2)};
  broken[1].clause_break = true;
  EXPECT_FLOAT_EQ(RateOne(&broken).raw, 2.0f);
  // A rated word shields the word after it.
  std::vector<Unit> shielded = {Word(0, TermInfo::kNegator), Word(1), Word(2)};
  RateOne(&shielded);
  EXPECT_FLOAT_EQ(shielded[2].value, 2.0f);
}

TEST(RatingTest, ARatedNegatorBeforeARatedWordNegatesInsteadOfScoring) {
  std::vector<Unit> units = {Word(-1.2f, TermInfo::kNegator), Word(2)};
  double raw = RateOne(&units).raw;
  EXPECT_FLOAT_EQ(units[0].valence, 0.0f);
  EXPECT_FLOAT_EQ(raw, 2.0f * -0.74f);
  // Alone at the end of its sentence it scores.
  std::vector<Unit> alone = {Word(2), Word(-1.2f, TermInfo::kNegator)};
  EXPECT_FLOAT_EQ(RateOne(&alone).raw, 2.0f - 1.2f);
}

TEST(RatingTest, TheClauseAfterButWeighsMore) {
  std::vector<Unit> units = {Word(2), Word(0, TermInfo::kContrast), Word(-2)};
  EXPECT_FLOAT_EQ(RateOne(&units).raw, 2.0f * 0.5f - 2.0f * 1.5f);
  EXPECT_EQ(units[0].clause, 0);
  EXPECT_EQ(units[2].clause, 1);
  EXPECT_FLOAT_EQ(units[0].value, 2.0f);  // `value` is before the contrast rule
  EXPECT_FLOAT_EQ(units[0].weighted, 1.0f);
}

TEST(RatingTest, ASentenceOpeningWithButHalvesTheOnesBefore) {
  std::vector<Unit> units = {Word(2), Word(0, TermInfo::kContrast), Word(-2)};
  std::vector<SentenceStat> sentences(2);
  sentences[0].end = 1;
  sentences[1].begin = 1;
  sentences[1].end = 3;
  units[1].sentence = units[2].sentence = 1;
  RateSentences({}, &units, &sentences);
  EXPECT_DOUBLE_EQ(sentences[0].raw, 1.0);
  EXPECT_FLOAT_EQ(units[0].weighted, 1.0f);
  EXPECT_DOUBLE_EQ(sentences[1].raw, -3.0);  // after its "but", weighed up
}

TEST(RatingTest, QuestionsWeighHalfAndInformationQuestionsDropPraise) {
  std::vector<Unit> plain = {Word(2), Word(-1)};
  EXPECT_DOUBLE_EQ(RateOne(&plain, {}, true).raw, 0.5);
  std::vector<Unit> asks = {Word(0, TermInfo::kQuestionOpener), Word(2), Word(-1)};
  EXPECT_DOUBLE_EQ(RateOne(&asks, {}, true).raw, -0.5);
  std::vector<Unit> emoticon = {Word(0, TermInfo::kQuestionOpener), Word(2)};
  emoticon[1].kind = UnitKind::kSymbol;
  EXPECT_DOUBLE_EQ(RateOne(&emoticon, {}, true).raw, 1.0);
}

TEST(RatingTest, CapsAddEmphasisOnlyWhenSomeWordsAreNotCaps) {
  std::vector<Unit> units = {Word(2)};
  units[0].caps = true;
  EXPECT_FLOAT_EQ(RateOne(&units, {.cap_diff = true}).raw, 2.0f + 0.733f);
  EXPECT_FLOAT_EQ(RateOne(&units, {.cap_diff = false}).raw, 2.0f);
}

TEST(RatingTest, RatedWordsInsideEnglishNamesWeighHalf) {
  std::vector<Unit> units = {Word(0), Word(0), Word(2)};  // "watched Fight Club"
  units[1].title = units[2].title = true;
  RatingContext english{.english = true, .lower_words = 1};
  EXPECT_FLOAT_EQ(RateOne(&units, english).raw, 1.0f);
  EXPECT_FLOAT_EQ(RateOne(&units, {.english = false, .lower_words = 1}).raw, 2.0f);
  EXPECT_FLOAT_EQ(RateOne(&units, {.english = true, .lower_words = 0}).raw, 2.0f);
}

}  // namespace
}  // namespace brandmon::sentiment

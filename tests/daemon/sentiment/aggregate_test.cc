#include "daemon/sentiment/aggregate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace brandmon::sentiment {
namespace {

double Normalized(double x) { return x / std::sqrt(x * x + 15.0); }

Unit Rated(float weighted, uint16_t flags = 0) {
  Unit u;
  u.valence = weighted;
  u.value = weighted;
  u.weighted = weighted;
  u.flags = flags;
  return u;
}

// One sentence per unit, each scoring its unit's weight.
std::vector<SentenceStat> SentencePerUnit(const std::vector<Unit>& units) {
  std::vector<SentenceStat> sentences(units.size());
  for (size_t k = 0; k < units.size(); ++k) {
    sentences[k].begin = static_cast<uint32_t>(k);
    sentences[k].end = static_cast<uint32_t>(k + 1);
    sentences[k].raw = units[k].weighted;
  }
  return sentences;
}

SentimentScore Score(const TextTraits& traits, const std::vector<Unit>& units) {
  SentimentScore out;
  Aggregate(traits, units, SentencePerUnit(units), &out);
  return out;
}

TEST(AggregateTest, TheCompoundIsTheNormalizedSumAndTheSharesAddUpToOne) {
  SentimentScore s = Score({}, {Rated(2), Rated(0), Rated(-0.5f)});
  EXPECT_DOUBLE_EQ(s.compound, Normalized(1.5));
  EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.pos, 3.0 / 5.5);
  EXPECT_DOUBLE_EQ(s.neu, 1.0 / 5.5);
  EXPECT_DOUBLE_EQ(s.neg, 1.5 / 5.5);
}

TEST(AggregateTest, NoUnitsIsNeutral) {
  SentimentScore s = Score({}, {});
  EXPECT_EQ(s.compound, 0);
  EXPECT_EQ(s.neu, 1);
}

TEST(AggregateTest, LongTextsAreAveragedPastThreeRatedSentences) {
  SentimentScore s = Score({}, {Rated(1), Rated(1), Rated(1), Rated(1), Rated(1), Rated(0)});
  EXPECT_DOUBLE_EQ(s.compound, Normalized(5 * (3.0 / 5)));
}

TEST(AggregateTest, ExclamationsAddEmphasisAwayFromZero) {
  EXPECT_DOUBLE_EQ(Score({.exclamations = 2}, {Rated(1)}).compound, Normalized(1 + 2 * 0.292));
  EXPECT_DOUBLE_EQ(Score({.exclamations = 9}, {Rated(-1)}).compound, Normalized(-1 - 4 * 0.292));
  EXPECT_DOUBLE_EQ(Score({.questions = 2}, {Rated(1)}).compound, Normalized(1 + 2 * 0.18));
  EXPECT_DOUBLE_EQ(Score({.questions = 1}, {Rated(1)}).compound, Normalized(1));
}

TEST(AggregateTest, AnExclamationAloneShowsExcitementUnlessSomethingIsNegated) {
  SentimentScore s = Score({.exclamations = 1}, {Rated(0)});
  EXPECT_DOUBLE_EQ(s.compound, Normalized(0.292));
  EXPECT_GT(s.pos, 0);
  EXPECT_EQ(Score({.exclamations = 1}, {Rated(0, TermInfo::kNegator)}).compound, 0);
  EXPECT_EQ(Score({.exclamations = 1}, {}).compound, 0);
}

TEST(AggregateTest, ALinkWithoutFirstPersonWordsWeighsHalf) {
  LanguagePack english;
  english.code = "en";
  english.first_person = true;
  LexiconSet set;
  set.english = &english;
  TextTraits traits{.link = true, .set = &set, .lang = "en"};
  EXPECT_DOUBLE_EQ(Score(traits, {Rated(2)}).compound, Normalized(1));
  EXPECT_DOUBLE_EQ(Score(traits, {Rated(2), Rated(0, TermInfo::kFirstPerson)}).compound, Normalized(2));
  traits.letter_flags = TermInfo::kFirstPerson;  // "I"
  EXPECT_DOUBLE_EQ(Score(traits, {Rated(2)}).compound, Normalized(2));
  // Only where the language marks first-person words.
  english.first_person = false;
  traits.letter_flags = 0;
  EXPECT_DOUBLE_EQ(Score(traits, {Rated(2)}).compound, Normalized(2));
}

TEST(TargetScoreTest, TheBrandsClauseCountsElseItsSentence) {
  // "their rival is awful but Acme was great. Acme again!" (the second
  // sentence scores from its '!' alone)
  std::vector<Unit> units = {Rated(0), Rated(-3), Rated(0), Rated(0), Rated(3), Rated(0)};
  const uint32_t cps[] = {0, 15, 21, 25, 34, 41};
  for (size_t k = 0; k < units.size(); ++k) units[k].cp_begin = cps[k];
  units[2].clause = units[3].clause = units[4].clause = 1;
  units[5].sentence = 1;
  std::vector<SentenceStat> sentences(2);
  sentences[0] = {.begin = 0, .end = 5, .raw = 1.5};
  sentences[1] = {.begin = 5, .end = 6, .raw = 0.8};
  std::vector<std::pair<uint16_t, uint16_t>> scratch;
  std::vector<CodePointSpan> acme = {{25, 29}};
  EXPECT_DOUBLE_EQ(TargetScore(acme, units, sentences, &scratch), Normalized(3));
  std::vector<CodePointSpan> rival = {{6, 11}};  // between units: the one before it
  EXPECT_DOUBLE_EQ(TargetScore(rival, units, sentences, &scratch), Normalized(-3));
  std::vector<CodePointSpan> twice = {{25, 29}, {34, 39}};  // one clause, counted once
  EXPECT_DOUBLE_EQ(TargetScore(twice, units, sentences, &scratch), Normalized(3));
  std::vector<CodePointSpan> both = {{25, 29}, {41, 45}};
  EXPECT_DOUBLE_EQ(TargetScore(both, units, sentences, &scratch), Normalized(3 + 0.8));
  EXPECT_EQ(TargetScore(acme, {}, {}, &scratch), 0);
}

}  // namespace
}  // namespace brandmon::sentiment

#include "daemon/sentiment/phrase_match.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace brandmon::sentiment {
namespace {

TermInfo Entry(uint16_t flags, float valence, uint8_t phrase_words = 0) {
  TermInfo info;
  info.flags = flags;
  info.valence = valence;
  info.phrase_words = phrase_words;
  return info;
}

size_t Longest(const LanguagePack& pack, const std::vector<std::string_view>& words, const TermInfo** info) {
  return LongestPhrase(
      pack, words.size(), [&](size_t k) { return words[k]; }, info);
}

TEST(PhraseMatchTest, TheLongestMarkedPhraseWins) {
  LanguagePack pack;
  pack.terms["kind"] = Entry(0, 0, 3);
  pack.terms["kind of"] = Entry(TermInfo::kPhrase | TermInfo::kBooster, 0);
  pack.terms["kind of cool"] = Entry(TermInfo::kPhrase | TermInfo::kValence, 1.5f);
  const TermInfo* info = nullptr;
  EXPECT_EQ(Longest(pack, {"kind", "of", "cool", "stuff"}, &info), 3u);
  EXPECT_EQ(info, pack.terms.Find("kind of cool"));
  EXPECT_EQ(Longest(pack, {"kind", "of", "warm"}, &info), 2u);
  EXPECT_EQ(info, pack.terms.Find("kind of"));
  info = nullptr;
  EXPECT_EQ(Longest(pack, {"kind", "regards"}, &info), 0u);
  EXPECT_EQ(info, nullptr);
  EXPECT_EQ(Longest(pack, {"kindof", "cool"}, &info), 0u);  // words are joined by one space
}

TEST(PhraseMatchTest, ASpacedPackOnlyMatchesEntriesMarkedAsPhrases) {
  LanguagePack pack;
  pack.terms["a b"] = Entry(TermInfo::kValence, 1);  // no kPhrase
  const TermInfo* info = nullptr;
  EXPECT_EQ(Longest(pack, {"a", "b"}, &info), 0u);
}

TEST(PhraseMatchTest, AnUnspacedPackJoinsWordsWithoutSpaces) {
  LanguagePack pack;
  pack.unspaced = true;
  pack.terms["好不好"] = Entry(TermInfo::kValence, 0.5f);
  const TermInfo* info = nullptr;
  EXPECT_EQ(Longest(pack, {"好", "不", "好", "吃"}, &info), 3u);
  EXPECT_EQ(info, pack.terms.Find("好不好"));
  EXPECT_TRUE(MayStartPhrase(pack, nullptr));
}

TEST(PhraseMatchTest, OnlyWordsThatStartAPhraseAreTried) {
  LanguagePack pack;
  TermInfo starts = Entry(0, 0, 2);
  TermInfo single = Entry(TermInfo::kValence, 2, 1);
  EXPECT_TRUE(MayStartPhrase(pack, &starts));
  EXPECT_FALSE(MayStartPhrase(pack, &single));
  EXPECT_FALSE(MayStartPhrase(pack, nullptr));
}

TEST(PhraseMatchTest, PhraseEqualsComparesJoinedKeys) {
  std::vector<std::string_view> words = {"not", "bad", "at", "all"};
  auto key_at = [&](size_t k) { return words[k]; };
  EXPECT_TRUE(PhraseEquals("not bad", key_at, 2, false));
  EXPECT_TRUE(PhraseEquals("not bad at all", key_at, 4, false));
  EXPECT_FALSE(PhraseEquals("not bad ", key_at, 2, false));
  EXPECT_FALSE(PhraseEquals("not  bad", key_at, 2, false));
  EXPECT_FALSE(PhraseEquals("not bad at", key_at, 2, false));
  EXPECT_TRUE(PhraseEquals("notbad", key_at, 2, true));
}

}  // namespace
}  // namespace brandmon::sentiment

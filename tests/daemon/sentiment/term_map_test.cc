#include "daemon/sentiment/term_map.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon::sentiment {
namespace {

TEST(TermMapTest, FindsWhatWasInsertedAndNothingElse) {
  TermMap<float> map;
  map["good"] = 1.9f;
  map["bad"] = -2.5f;
  ASSERT_NE(map.Find("good"), nullptr);
  EXPECT_FLOAT_EQ(*map.Find("good"), 1.9f);
  EXPECT_FLOAT_EQ(*map.Find("bad"), -2.5f);
  EXPECT_EQ(map.Find("goo"), nullptr);
  EXPECT_EQ(map.Find(""), nullptr);
  EXPECT_EQ(map.size(), 2u);
}

TEST(TermMapTest, ObjectPropertyNamesAreOrdinaryMissingKeys) {
  TermMap<float> map;
  map["nice"] = 1.8f;
  for (const char* k : {"constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "prototype"}) {
    EXPECT_EQ(map.Find(k), nullptr) << k;
  }
  map["constructor"] = 0.5f;
  EXPECT_FLOAT_EQ(*map.Find("constructor"), 0.5f);
}

TEST(TermMapTest, GrowsAndKeepsEveryEntry) {
  TermMap<int> map;
  for (int i = 0; i < 50000; ++i) map["k" + std::to_string(i)] = i;
  EXPECT_EQ(map.size(), 50000u);
  for (int i = 0; i < 50000; i += 997) EXPECT_EQ(*map.Find("k" + std::to_string(i)), i);
  map["k5"] = -1;  // assignment does not add
  EXPECT_EQ(map.size(), 50000u);
  EXPECT_EQ(*map.Find("k5"), -1);
  size_t seen = 0;
  map.ForEach([&](std::string_view, int) { ++seen; });
  EXPECT_EQ(seen, 50000u);
}

TEST(TermMapTest, KeysAreBytesIncludingNulAndUtf8) {
  TermMap<int> map;
  map[std::string_view("a\0b", 3)] = 1;
  map["ખૂબ"] = 2;
  EXPECT_EQ(map.Find("a"), nullptr);
  EXPECT_EQ(*map.Find(std::string_view("a\0b", 3)), 1);
  EXPECT_EQ(*map.Find("ખૂબ"), 2);
}

TEST(TermMapTest, LongKeysDifferingInOneByteAreDistinct) {
  // Keys are compared a word at a time; a difference in any word or in the
  // tail must count.
  TermMap<int> map;
  map["abcdefgh"] = 1;
  map["abcdefgi"] = 2;
  map["abcdefghijklmnopq"] = 3;
  map["abcdefghijklmnopr"] = 4;
  map["xbcdefghijklmnopq"] = 5;
  EXPECT_EQ(*map.Find("abcdefgh"), 1);
  EXPECT_EQ(*map.Find("abcdefgi"), 2);
  EXPECT_EQ(*map.Find("abcdefghijklmnopq"), 3);
  EXPECT_EQ(*map.Find("abcdefghijklmnopr"), 4);
  EXPECT_EQ(*map.Find("xbcdefghijklmnopq"), 5);
  EXPECT_EQ(map.Find("abcdefghijklmnop"), nullptr);
  EXPECT_EQ(map.Find("abcdefghijklmnopqr"), nullptr);
  EXPECT_TRUE(SameBytes("", ""));
  EXPECT_FALSE(SameBytes("abcdefgh1", "abcdefgh2"));
  EXPECT_FALSE(SameBytes("1abcdefgh", "2abcdefgh"));
  EXPECT_FALSE(SameBytes("abc", "abcd"));
}

TEST(TermMapTest, SameBytesSeesADifferenceAtAnyPositionOfAnyLength) {
  // Every length through the word-sized steps, a byte changed at each
  // position: the overlapping words and the short keys' three bytes must
  // between them read every byte.
  for (size_t n = 1; n <= 24; ++n) {
    std::string a(n, 'a');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i);
    EXPECT_TRUE(SameBytes(a, std::string(a))) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = '#';
      EXPECT_FALSE(SameBytes(a, b)) << n << " at " << i;
    }
  }
}

TEST(TermMapTest, PhrasesHashedInPiecesAreFound) {
  TermMap<int> map;
  map["kind of"] = 7;
  uint64_t h = HashFinish(HashBytes(HashByte(HashBytes(kHashSeed, "kind"), ' '), "of"));
  EXPECT_EQ(h, HashTerm("kind of"));
  const int* v = map.FindIf(h, [](std::string_view key) { return key == "kind of"; });
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 7);
  EXPECT_EQ(map.FindIf(h, [](std::string_view) { return false; }), nullptr);  // same hash, other key
  EXPECT_EQ(TermMap<int>().FindIf(h, [](std::string_view) { return true; }), nullptr);
}

}  // namespace
}  // namespace brandmon::sentiment

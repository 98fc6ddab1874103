#include "daemon/match/automaton.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace brandmon::match {
namespace {

using Found = std::set<std::pair<uint32_t, size_t>>;  // (pattern, end)

Found ScanAll(const Automaton& a, std::string_view text) {
  Found out;
  a.Scan(text, [&](uint32_t id, size_t end) { out.insert({id, end}); });
  return out;
}

Found Naive(const std::vector<std::string>& patterns, std::string_view text) {
  Found out;
  for (uint32_t id = 0; id < patterns.size(); ++id) {
    for (size_t pos = text.find(patterns[id]); pos != std::string_view::npos; pos = text.find(patterns[id], pos + 1)) {
      out.insert({id, pos + patterns[id].size()});
    }
  }
  return out;
}

TEST(AutomatonTest, FindsOverlappingAndNestedPatterns) {
  std::vector<std::string> patterns = {"he", "she", "his", "hers"};
  auto a = Automaton::Build(patterns);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ScanAll(*a, "ushers"), (Found{{1, 4}, {0, 4}, {3, 6}}));
  EXPECT_EQ(ScanAll(*a, "xyz"), Found{});
}

TEST(AutomatonTest, DuplicatePatternsBothReport) {
  auto a = Automaton::Build({"acme", "acme"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ScanAll(*a, "acme"), (Found{{0, 4}, {1, 4}}));
}

TEST(AutomatonTest, EmptyAutomatonFindsNothing) {
  auto a = Automaton::Build({});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
  EXPECT_EQ(ScanAll(*a, "anything"), Found{});
}

TEST(AutomatonTest, AgreesWithNaiveSearchOnRandomInput) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> patterns;
    int n = std::uniform_int_distribution<int>(1, 60)(rng);
    for (int i = 0; i < n; ++i) {
      std::string p;
      int len = std::uniform_int_distribution<int>(1, 5)(rng);
      for (int k = 0; k < len; ++k) p.push_back(static_cast<char>('a' + std::uniform_int_distribution<int>(0, 3)(rng)));
      patterns.push_back(p);
    }
    std::string text;
    for (int k = 0; k < 300; ++k)
      text.push_back(static_cast<char>('a' + std::uniform_int_distribution<int>(0, 4)(rng)));
    auto a = Automaton::Build(patterns);
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(ScanAll(*a, text), Naive(patterns, text)) << "round " << round;
  }
}

TEST(AutomatonTest, HandlesAllByteValues) {
  std::vector<std::string> patterns = {std::string("\0\xff", 2), "\x80\x81", "\xe7\xb4\xa2"};
  auto a = Automaton::Build(patterns);
  ASSERT_TRUE(a.ok());
  std::string text = std::string("x\0\xff\x80\x81", 5) + "\xe7\xb4\xa2";
  EXPECT_EQ(ScanAll(*a, text), Naive(patterns, text));
}

TEST(AutomatonTest, RefusesATableOverTheLimit) {
  std::vector<std::string> patterns;
  for (int i = 0; i < 1000; ++i) patterns.push_back("pattern" + std::to_string(i));
  auto a = Automaton::Build(patterns, 1 << 16);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(a.status().message().find("1000 distinct terms"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::match

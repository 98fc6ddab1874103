#include "daemon/text/segmenter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace brandmon::text {
namespace {

std::string Join(const std::vector<std::string_view>& parts) {
  std::string out;
  for (auto p : parts) out += std::string(p) + "|";
  return out;
}

TEST(SegmenterTest, SplitsTextWithoutSpacesIntoDictionaryWords) {
  struct Case {
    std::string text;
    size_t min_words;
  };
  const Case cases[] = {{"我非常喜欢这个产品", 4}, {"この製品が大好きです", 3}, {"ร้านนี้ดีมาก", 2}};
  for (const auto& c : cases) {
    std::vector<std::string_view> parts;
    SegmentWords(c.text, &parts);
    EXPECT_GE(parts.size(), c.min_words) << Join(parts);
    std::string joined;
    for (auto p : parts) joined += p;
    EXPECT_EQ(joined, c.text);
  }
}

TEST(SegmenterTest, DropsPunctuationAndSpaces) {
  std::vector<std::string_view> parts;
  SegmentWords("喜欢，很好。", &parts);
  for (auto p : parts) {
    EXPECT_NE(p, "，");
    EXPECT_NE(p, "。");
  }
  EXPECT_FALSE(parts.empty());
}

TEST(SegmenterTest, EmptyInput) {
  std::vector<std::string_view> parts;
  SegmentWords("", &parts);
  EXPECT_TRUE(parts.empty());
}

}  // namespace
}  // namespace brandmon::text

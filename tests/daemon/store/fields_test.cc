#include "daemon/store/fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace brandmon::store {
namespace {

TEST(FieldsTest, ListsKeepAnyByte) {
  std::vector<std::string> items = {"", "a:b", std::string("\0\xFF", 2), "12:x"};
  EXPECT_EQ(DecodeList(EncodeList(items)), items);
  EXPECT_TRUE(DecodeList("").empty());
}

TEST(FieldsTest, AMalformedRunEndsTheList) {
  EXPECT_EQ(DecodeList("1:a5:bc"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(DecodeList("1:ax:b"), (std::vector<std::string>{"a"}));
  // A length that overflows or runs past the end reads nothing more.
  EXPECT_EQ(DecodeList("1:a99999999999999999999999:b"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(DecodeList("18446744073709551615:b"), std::vector<std::string>{});
}

TEST(FieldsTest, MetricsReadBackExactly) {
  std::vector<std::pair<std::string, double>> metrics = {
      {"followers", 1234.5}, {"likes", 0.1}, {"big", std::numeric_limits<double>::max()}};
  EXPECT_EQ(DecodeMetrics(EncodeMetrics(metrics)), metrics);
  auto bad = DecodeMetrics(EncodeList({"followers", "lots"}));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].second, 0);
}

}  // namespace
}  // namespace brandmon::store

#include "daemon/config/json_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon::config {
namespace {

TEST(JsonReaderTest, AcceptsCommentsAndTrailingCommas) {
  auto v = ParseConfigText(R"({
  // a comment
  "a": 1, /* another */
  "b": [1, 2, ],
})",
                           "x.json");
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_NE(v->Find("a"), nullptr);
  EXPECT_EQ(v->Find("a")->as_int(), 1);
  EXPECT_EQ(v->Find("b")->items().size(), 2u);
}

TEST(JsonReaderTest, ValuesKnowTheirLineAndColumn) {
  auto v = ParseConfigText("{\n  \"name\": \"acme\",\n  \"n\":   42,\n  \"obj\": {\"k\": true}\n}", "conf/x.json");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("name")->pos().ToString(), "conf/x.json:2:11");
  EXPECT_EQ(v->Find("n")->pos().ToString(), "conf/x.json:3:10");
  EXPECT_EQ(v->Find("obj")->pos().ToString(), "conf/x.json:4:10");
  EXPECT_EQ(v->Find("obj")->Find("k")->pos().ToString(), "conf/x.json:4:16");
  EXPECT_EQ(v->members()[1].key_pos.ToString(), "conf/x.json:3:3");
}

TEST(JsonReaderTest, StringPositionSurvivesEscapedQuotes) {
  auto v = ParseConfigText(R"({"a": "say \"hi\" \\", "b": 1})", "x.json");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("a")->as_string(), "say \"hi\" \\");
  EXPECT_EQ(v->Find("a")->pos().col, 7);
}

TEST(JsonReaderTest, ColumnsCountCodePointsNotBytes) {
  auto v = ParseConfigText("{\"é\": \"ü\", \"k\": 1}", "x.json");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("k")->pos().col, 17);
}

struct BadCase {
  const char* text;
  const char* expected_prefix;
};

class JsonReaderErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonReaderErrorTest, ReportsFileLineColumn) {
  auto v = ParseConfigText(GetParam().text, "bad.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(v.status().message().rfind(GetParam().expected_prefix, 0), 0u) << v.status().message();
}

INSTANTIATE_TEST_SUITE_P(Cases, JsonReaderErrorTest,
                         ::testing::Values(BadCase{"{\n  \"a\": 1\n  \"b\": 2\n}", "bad.json:3:3: "},
                                           BadCase{"{\"a\": tru}", "bad.json:1:10: "}, BadCase{"", "bad.json:1:1: "},
                                           BadCase{"{\"a\": \"unterminated", "bad.json:1:20: "},
                                           BadCase{"{} {}", "bad.json:1:4: "},
                                           BadCase{"{\"a\": /* open comment", "bad.json:1:"}));

TEST(JsonReaderTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto v = ParseConfigText(deep, "deep.json");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nesting deeper than 64"), std::string::npos) << v.status().message();
}

TEST(JsonReaderTest, NulByteIsAnError) {
  std::string text = "{\"a\": 1}";
  text.push_back('\0');
  text += "junk";
  EXPECT_FALSE(ParseConfigText(text, "nul.json").ok());
}

TEST(JsonReaderTest, MissingFileNamesThePath) {
  auto v = ParseConfigFile("/nonexistent/brandmon.json");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("/nonexistent/brandmon.json"), std::string::npos);
}

TEST(JsonReaderTest, SurvivesRandomBytes) {
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    int n = static_cast<int>(seed % 64);
    for (int i = 0; i < n; ++i) {
      seed = seed * 1103515245u + 12345u;
      const char alphabet[] = "{}[]\",:0123456789.eE+-truefalsnl /*\\\n\xc3\xa9";
      text.push_back(alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]);
    }
    auto v = ParseConfigText(text, "fuzz.json");
    if (!v.ok()) {
      EXPECT_EQ(v.status().message().rfind("fuzz.json:", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace brandmon::config

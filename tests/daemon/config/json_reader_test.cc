#include "daemon/config/json_reader.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_util.h"

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

// A minified config is one line: finding each value's column must not rescan
// the line from its start (261 KB took 2.4 s that way, 14 MB over ten
// minutes). The work is counted, not timed.
TEST(JsonReaderTest, PositionsInAMinifiedConfigCostLinearWork) {
  std::string text = "{\"brands\":[";
  for (int i = 0; text.size() < (1u << 20); ++i) {
    if (i > 0) text += ',';
    text += "{\"name\":\"b" + std::to_string(i) + "\",\"handles\":[\"@h\u00e9\"],\"n\":" + std::to_string(i) +
            ",\"on\":true,\"q\":\"say \\\"hi\\\"\"}";
  }
  text += "]}";
  ParseStats stats;
  auto v = ParseConfigText(text, "min.json", &stats);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_LE(stats.position_bytes_scanned, 3 * text.size()) << "for " << text.size() << " bytes";
  // The positions are still exact, in code points: the last brand's "n".
  auto column = [&text](size_t offset) {
    int col = 1;
    for (size_t i = 0; i < offset; ++i) col += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    return col;
  };
  const ConfigValue& last = v->Find("brands")->items().back();
  EXPECT_EQ(last.Find("n")->pos().line, 1);
  EXPECT_EQ(last.Find("n")->pos().col, column(text.rfind("\"n\":") + 4));
  EXPECT_EQ(last.members()[3].key_pos.col, column(text.rfind("\"on\"")));
}

TEST(JsonReaderTest, PositionsAfterMultiByteCharactersAndBackwardLookups) {
  auto v = ParseConfigText("{\"\u00e9\u00e9\": \"\u00fc\", \"k\": [1, \"\u20ac\", true]}\n{", "x.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().rfind("x.json:2:1: ", 0), 0u) << v.status().message();
  auto w = ParseConfigText("{\"\u00e9\u00e9\": \"\u00fc\", \"k\": [1, \"\u20ac\", true]}", "x.json");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->Find("k")->items()[1].pos().col, 22);
  EXPECT_EQ(w->Find("k")->items()[2].pos().col, 27);
}

struct Utf8Case {
  const char* text;
  const char* expected;  // message prefix
};

class InvalidUtf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(InvalidUtf8Test, IsRejectedWithPositionAndEscapedBytes) {
  auto v = ParseConfigText(GetParam().text, "u.json");
  ASSERT_FALSE(v.ok());
  const std::string& msg = v.status().message();
  EXPECT_EQ(msg.rfind(GetParam().expected, 0), 0u) << msg;
  for (char c : msg) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "raw byte in: " << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InvalidUtf8Test,
    ::testing::Values(Utf8Case{"{\"a\": \"x\xffy\"}", "u.json:1:9: invalid UTF-8 (\\xff)"},
                      Utf8Case{"{\n  \"k\xe9y\": 1}", "u.json:2:5: invalid UTF-8 (\\xe9\\x79)"},
                      Utf8Case{"{\"a\": \"\xc0\xaf\"}", "u.json:1:8: invalid UTF-8 (\\xc0)"},           // overlong
                      Utf8Case{"{\"a\": \"\xed\xa0\x80\"}", "u.json:1:8: invalid UTF-8 (\\xed\\xa0)"},  // surrogate
                      Utf8Case{"{\"a\": \"\xf4\x90\x80\x80\"}", "u.json:1:8: invalid UTF-8 (\\xf4\\x90)"},
                      Utf8Case{"{\"a\": \"\xe2\x82", "u.json:1:8: invalid UTF-8 (\\xe2\\x82)"},  // cut short
                      Utf8Case{"// caf\xe9\n{}", "u.json:1:7: invalid UTF-8 (\\xe9\\x0a)"}));

TEST(JsonReaderTest, WellFormedUtf8IsAccepted) {
  auto v = ParseConfigText("{\"\u00e9\": \"\u20ac \U0001f600 \xf4\x8f\xbf\xbf\"}", "ok.json");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->Find("\u00e9")->as_string(), "\u20ac \U0001f600 \xf4\x8f\xbf\xbf");
}

// Anything but a regular file is refused at once, without blocking: a FIFO
// with no writer used to hang --check-config and reload.
TEST(JsonReaderTest, NonRegularFilesAreRefusedWithoutBlocking) {
  brandmon::testing::TempDir dir;
  std::string fifo = (dir.path() / "fifo.json").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string sock = (dir.path() / "s.sock").string();
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  struct Case {
    std::string path;
    const char* kind;
  };
  for (const Case& c : {Case{fifo, "a FIFO"}, Case{dir.path().string(), "a directory"},
                        Case{"/dev/null", "a character device"}, Case{"/dev/zero", "a character device"}}) {
    auto v = ParseConfigFile(c.path);
    ASSERT_FALSE(v.ok()) << c.path;
    EXPECT_EQ(v.status().message(), c.path + ": not a regular file (" + c.kind + ")");
  }
  // A socket cannot even be opened.
  auto v = ParseConfigFile(sock);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().rfind(sock + ": ", 0), 0u) << v.status().message();
  close(fd);
}

TEST(JsonReaderTest, ReadsAreCapped) {
  brandmon::testing::TempDir dir;
  std::string big = dir.Write("big.json", std::string(100, ' ') + "{}");
  EXPECT_TRUE(ReadRegularFile(big, 102).ok());
  auto v = ReadRegularFile(big, 101);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), big + ": larger than 101 bytes");
}

}  // namespace
}  // namespace brandmon::config

#include "daemon/feedparse/feed_encoding.h"

#include <gtest/gtest.h>

namespace brandmon::feedparse {
namespace {

std::string Utf8Of(std::string_view bytes, std::string_view charset, std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> local;
  Utf8Document doc = ToUtf8(bytes, charset, warnings ? *warnings : local);
  return std::string(doc.text);
}

TEST(ToUtf8Test, ValidUtf8PassesThroughWithoutCopy) {
  std::string in = "<?xml version=\"1.0\"?><rss>caf\xC3\xA9</rss>";
  std::vector<std::string> w;
  Utf8Document doc = ToUtf8(in, "", w);
  EXPECT_EQ(doc.text, in);
  EXPECT_EQ(doc.text.data(), in.data());
  EXPECT_TRUE(w.empty());
}

TEST(ToUtf8Test, StripsBomAndLeadingWhitespace) {
  EXPECT_EQ(Utf8Of("\xEF\xBB\xBF\n  <?xml version=\"1.0\"?><a/>", ""), "<?xml version=\"1.0\"?><a/>");
}

TEST(ToUtf8Test, DeclaredLatin1IsReadAsWindows1252) {
  std::string in = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xFCnchen \x93q\x94</a>";
  EXPECT_EQ(Utf8Of(in, ""),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xC3\xBCnchen \xE2\x80\x9Cq\xE2\x80\x9D</a>");
}

TEST(ToUtf8Test, HttpCharsetWinsOverTheDeclaration) {
  std::string in = "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xE9t\xE9</a>";
  std::vector<std::string> w;
  EXPECT_EQ(Utf8Of(in, "windows-1252", &w), "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xC3\xA9t\xC3\xA9</a>");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("overrides"), std::string::npos);
}

TEST(ToUtf8Test, HttpUtf8ContradictedByBytesFallsBackToDeclaration) {
  std::string in = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xE9t\xE9</a>";
  std::vector<std::string> w;
  EXPECT_EQ(Utf8Of(in, "utf-8", &w), "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xC3\xA9t\xC3\xA9</a>");
  EXPECT_FALSE(w.empty());
}

TEST(ToUtf8Test, Utf16WithAndWithoutBom) {
  std::string le("\xFF\xFE<\0a\0>\0\xE9\0<\0/\0a\0>\0", 18);
  EXPECT_EQ(Utf8Of(le, ""), "<a>\xC3\xA9</a>");
  std::string be("\0<\0a\0>\0\xE9\0<\0/\0a\0>", 16);
  EXPECT_EQ(Utf8Of(be, ""), "<a>\xC3\xA9</a>");
  // An HTTP utf-16 label on ASCII bytes is wrong and ignored.
  EXPECT_EQ(Utf8Of("<a>x</a>", "utf-16"), "<a>x</a>");
}

TEST(ToUtf8Test, RepairsInvalidUtf8AndControls) {
  std::vector<std::string> w;
  EXPECT_EQ(Utf8Of("<a>ok \xC3\xA9 bad \xE9 \xFF\x01</a>", "", &w), "<a>ok \xC3\xA9 bad \xC3\xA9 \xC3\xBF </a>");
  EXPECT_EQ(w.size(), 2u);  // the repair and the control character
  // A sequence cut at the end of the input is repaired too.
  EXPECT_EQ(Utf8Of("<a>\xE2\x82", ""), "<a>\xC3\xA2\xE2\x80\x9A");
}

TEST(ToUtf8Test, UnknownCharsetIsAWarning) {
  std::vector<std::string> w;
  EXPECT_EQ(Utf8Of("<a/>", "x-klingon", &w), "<a/>");
  EXPECT_FALSE(w.empty());
}

TEST(ToUtf8Test, OtherCharsetsGoThroughIconv) {
  // KOI8-R "мир"
  EXPECT_EQ(Utf8Of("<a>\xCD\xC9\xD2</a>", "koi8-r"), "<a>\xD0\xBC\xD0\xB8\xD1\x80</a>");
}

TEST(DeclaredEncodingTest, ReadsTheProlog) {
  EXPECT_EQ(DeclaredEncoding("<?xml version='1.0' encoding='Windows-1252'?>"), "windows-1252");
  EXPECT_EQ(DeclaredEncoding("<?xml version=\"1.0\"?>"), "");
  EXPECT_EQ(DeclaredEncoding("<rss>"), "");
}

}  // namespace
}  // namespace brandmon::feedparse

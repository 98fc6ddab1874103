#include "daemon/sentiment/ascii_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace brandmon::sentiment {
namespace {

TEST(AsciiTextTest, LowerAsciiLowersEveryCapitalAndNothingElse) {
  // Lengths around the eight-byte step, and the bytes next to 'A' and 'Z'.
  for (std::string in :
       std::vector<std::string>{"", "A", "@AZ[", "Hello", "HELLO WORLD", "`az{ 09 :-) @Acme #Tag",
                                "Mixed CASE text, 12 bytes+", std::string(1, '\x7f') + "ZZZZZZZZZZZZZZZZZ"}) {
    std::string out(in.size(), '?');
    EXPECT_TRUE(LowerAscii(in, out.data())) << in;
    std::string expected = in;
    for (char& c : expected) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    EXPECT_EQ(out, expected);
  }
}

TEST(AsciiTextTest, NonAsciiBytesAnywhereAreReported) {
  for (std::string in :
       std::vector<std::string>{"caf\xc3\xa9", "\xe2\x9c\x93 ok", "twelve bytes\x80", "eight by\xff", "\x80"}) {
    std::string out(in.size(), '?');
    EXPECT_FALSE(LowerAscii(in, out.data())) << in;
  }
}

TEST(AsciiTextTest, IsComparesWithALiteral) {
  EXPECT_TRUE(Is("en", "en"));
  EXPECT_FALSE(Is("e", "en"));
  EXPECT_FALSE(Is("eng", "en"));
  EXPECT_FALSE(Is("EN", "en"));
  EXPECT_TRUE(Is("", ""));
}

}  // namespace
}  // namespace brandmon::sentiment

#include "daemon/base/roff.h"

#include <gtest/gtest.h>

#include <string>

namespace brandmon {
namespace {

using namespace std::string_literals;

struct Case {
  std::string in;
  std::string want;
};

TEST(RoffEscapeTest, LeavesNothingRoffWouldReadAsMarkup) {
  const Case cases[] = {
      {"plain words", "plain words"},
      {"--config PATH", "\\-\\-config PATH"},
      {"C:\\path\\fB", "C:\\epath\\efB"},
      {".TH forged request", "\\&.TH forged request"},
      {"'br forged request", "\\&'br forged request"},
      {"a.b 'c'", "a.b 'c'"},
      {"line\nbreak .SH x", "line break .SH x"},
      {"tab\there", "tab here"},
      {"nul\0esc\x1b[1m"s,
       "nul\xEF\xBF\xBD"
       "esc\xEF\xBF\xBD[1m"},
      {"bad \xff byte", "bad \xEF\xBF\xBD byte"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(RoffEscape(c.in), c.want) << c.in;
}

TEST(RoffInlineTest, MapsCodeAndEmphasisToFonts) {
  const Case cases[] = {
      {"run `brandmonctl reload` now", "run \\fBbrandmonctl reload\\fR now"},
      {"**include**: globs", "\\fBinclude\\fR: globs"},
      {"*Restart required.*", "\\fIRestart required.\\fR"},
      {"**bold `code`**", "\\fBbold \\fBcode\\fR\\fR"},
      {"`*not emphasis*`", "\\fB*not emphasis*\\fR"},
      {"`--flag`", "\\fB\\-\\-flag\\fR"},
      {"`.hidden` file", "\\fB\\&.hidden\\fR file"},
  };
  for (const auto& c : cases) EXPECT_EQ(RoffInline(c.in), c.want) << c.in;
}

TEST(RoffInlineTest, AnUnpairedMarkerStaysText) {
  const Case cases[] = {
      {"a ` b", "a ` b"}, {"2 * 3 * 4", "2 * 3 * 4"},   {"**unclosed", "**unclosed"}, {"``", "``"},
      {"*", "*"},         {"trailing `", "trailing `"}, {"`\\fB`", "\\fB\\efB\\fR"},
  };
  for (const auto& c : cases) EXPECT_EQ(RoffInline(c.in), c.want) << c.in;
}

TEST(RoffBlocksTest, ParagraphsAndListItems) {
  std::string md =
      "# Title\n"
      "\n"
      "<!-- generated,\n"
      "     do not edit -->\n"
      "\n"
      "First paragraph,\n"
      "on two lines.\n"
      "\n"
      "- **one**: item\n"
      "  continued\n"
      "- two\n"
      "\n"
      ".Last";
  EXPECT_EQ(RoffBlocks(md),
            ".PP\nFirst paragraph, on two lines.\n"
            ".IP \\(bu 2\n\\fBone\\fR: item continued\n"
            ".IP \\(bu 2\ntwo\n"
            ".PP\n\\&.Last\n");
}

TEST(RoffBlocksTest, HostileInputStaysInsideTextLines) {
  // Whatever the input, every line out is a request RoffBlocks wrote or text
  // that cannot be read as one.
  std::string md = ".SH INJECTED\n\n- 'so /etc/passwd\n\n<!-- unterminated\n.SH HIDDEN";
  std::string out = RoffBlocks(md);
  EXPECT_EQ(out, ".PP\n\\&.SH INJECTED\n.IP \\(bu 2\n\\&'so /etc/passwd\n");
  EXPECT_EQ(RoffBlocks(""), "");
  EXPECT_EQ(RoffBlocks("\n\n\n"), "");
}

}  // namespace
}  // namespace brandmon

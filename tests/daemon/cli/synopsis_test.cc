#include "daemon/cli/synopsis.h"

#include <gtest/gtest.h>

#include <string>

#include "daemon/cli/command.h"

namespace brandmon::cli {
namespace {

using Words = std::vector<std::string>;

const OptionUse* Find(const Synopsis& s, const std::string& flag) {
  for (const auto& o : s.options) {
    if (o.flag == flag) return &o;
  }
  return nullptr;
}

TEST(SynopsisTest, ReadsOptionsMetavarsAndThePositional) {
  Synopsis s = ParseSynopsis(
      "brandmonctl parse [--format auto|rss|json] [--preset NAME] [--base-url URL]\n"
      "                  [--content-type CT] FILE|-\n"
      "  (--preset NAME maps a JSON API response; FEED_URL stands in for --base-url)");
  ASSERT_EQ(s.options.size(), 4u);
  EXPECT_EQ(s.options[0].flag, "--format");
  EXPECT_EQ(s.options[0].words, (Words{"auto", "rss", "json"}));
  EXPECT_EQ(s.options[0].kind, ValueKind::kWords);
  EXPECT_EQ(Find(s, "--preset")->kind, ValueKind::kPreset);
  EXPECT_EQ(Find(s, "--base-url")->metavar, "URL");
  EXPECT_EQ(Find(s, "--base-url")->kind, ValueKind::kText);
  EXPECT_EQ(Find(s, "--content-type")->metavar, "CT");
  EXPECT_EQ(s.positional, "FILE|-");
  EXPECT_EQ(s.positional_words, (Words{"-"}));
  EXPECT_EQ(s.positional_kind, ValueKind::kFile);
}

TEST(SynopsisTest, FlagsAlternativesAndRepeats) {
  Synopsis s = ParseSynopsis(
      "brandmonctl x (--query QUERY | --config PATH) [--json] [-v] [--target TERM]... [--brand B[,B...]]\n"
      "  [--lang auto|CODE] [--data-dir DIR] SOURCE  (SOURCE.key and SOURCE.pub)\n"
      "  T: RFC 3339; --q: words that must all occur\n"
      "  [--not-synopsis X]");
  EXPECT_EQ(Find(s, "--query")->kind, ValueKind::kText);
  EXPECT_EQ(Find(s, "--config")->kind, ValueKind::kFile);
  EXPECT_EQ(Find(s, "--json")->kind, ValueKind::kNone);
  EXPECT_EQ(Find(s, "-v")->kind, ValueKind::kNone);
  EXPECT_EQ(Find(s, "--target")->metavar, "TERM");
  EXPECT_EQ(Find(s, "--brand")->metavar, "B");
  EXPECT_EQ(Find(s, "--brand")->kind, ValueKind::kBrand);
  EXPECT_EQ(Find(s, "--lang")->words, (Words{"auto"}));
  EXPECT_EQ(Find(s, "--data-dir")->kind, ValueKind::kDir);
  EXPECT_EQ(s.positional, "SOURCE");
  EXPECT_EQ(s.positional_kind, ValueKind::kSource);
  EXPECT_EQ(Find(s, "--q"), nullptr) << "prose after the synopsis";
  EXPECT_EQ(Find(s, "--not-synopsis"), nullptr) << "the synopsis ended at the prose";
  EXPECT_EQ(s.options.size(), 8u);
}

TEST(SynopsisTest, AConfigIsAFileWhateverItsMetavar) {
  Synopsis s = ParseSynopsis("brandmonctl replay --config NEW.json [--since T]");
  EXPECT_EQ(Find(s, "--config")->metavar, "NEW");
  EXPECT_EQ(Find(s, "--config")->kind, ValueKind::kFile);
  EXPECT_EQ(Find(s, "--since")->kind, ValueKind::kText);
}

TEST(SynopsisTest, AnOptionNamedTwiceIsListedOnce) {
  Synopsis s = ParseSynopsis("brandmonctl x [--config PATH] [--config PATH]");
  EXPECT_EQ(s.options.size(), 1u);
}

TEST(SynopsisTest, HostileUsageTextYieldsNoGarbage) {
  const char* inputs[] = {"",
                          "brandmonctl",
                          "brandmonctl x ||| [[[ ((( ]]] ---- --- -- - -X --X --x_y --é",
                          "brandmonctl x [--a |] [--b ||] [--c |A|] [--d a||b] [--e (]",
                          "\n\n\n[--x Y]",
                          "brandmonctl x --1 -- --config\0PATH",
                          "brandmonctl x \xff\xfe [--ok \xc3\xa9]"};
  for (const char* in : inputs) {
    Synopsis s = ParseSynopsis(in);
    for (const auto& o : s.options) {
      EXPECT_TRUE(o.flag.starts_with("-")) << in;
      for (const auto& w : o.words) EXPECT_FALSE(w.empty()) << in;
    }
  }
  Synopsis s = ParseSynopsis("brandmonctl x [--a |] [--b ||] [--c |A|] [--d a||b] --é");
  EXPECT_EQ(Find(s, "--a")->kind, ValueKind::kNone);
  EXPECT_EQ(Find(s, "--c")->metavar, "|A|");
  EXPECT_EQ(Find(s, "--d")->words, (Words{"a", "b"}));
  EXPECT_EQ(Find(s, "--é"), nullptr);
}

TEST(SynopsisTest, EveryCommandOfTheTableHasAReadableSynopsis) {
  // Each option the usage text shows is found, so that the completion offers
  // what --help lists.
  for (const auto& c : Commands()) {
    Synopsis s = ParseSynopsis(c.usage);
    std::string first_line(c.usage.substr(0, c.usage.find('\n')));
    for (size_t at = first_line.find(" [-"); at != std::string::npos; at = first_line.find(" [-", at + 1)) {
      std::string flag = first_line.substr(at + 2, first_line.find_first_of(" ]", at + 2) - at - 2);
      EXPECT_NE(Find(s, flag), nullptr) << c.name << ": " << flag;
    }
  }
}

}  // namespace
}  // namespace brandmon::cli

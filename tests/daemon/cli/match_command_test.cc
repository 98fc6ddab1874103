// Tests of daemon/cli/match_command.cc.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

struct CtlRun {
  int code;
  std::string out;
  std::string err;
};

CtlRun Ctl(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = RunCtl(args, in, out, err);
  return {code, out.str(), err.str()};
}

TEST(MatchCommandTest, QueryPrintsOneLinePerInputLine) {
  CtlRun r = Ctl({"match", "--query", "acme NEAR/3 (refund OR broken)"},
                 "acme is totally broken\nnothing here\r\n\nbroken: Acme\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"match\": true, \"spans\": [[0, 4], [16, 22]]}\n"
            "{\"match\": false, \"spans\": []}\n"
            "{\"match\": false, \"spans\": []}\n"
            "{\"match\": true, \"spans\": [[0, 6], [8, 12]]}\n");
}

TEST(MatchCommandTest, SpansCountCodePoints) {
  CtlRun r = Ctl({"match", "--query=索尼 OR nestle", "--diacritic-insensitive"}, "😀 我喜欢索尼\nNestlé\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"match\": true, \"spans\": [[5, 7]]}\n"
            "{\"match\": true, \"spans\": [[0, 6]]}\n");
}

// Terms match with or without diacritics unless the exact form is asked for.
TEST(MatchCommandTest, DiacriticsAreIgnoredUnlessExactFormsAreAsked) {
  CtlRun plain = Ctl({"match", "--query", "nestle OR café"}, "Nestlé recalls\nCAFE open\nnothing\n");
  EXPECT_EQ(plain.out,
            "{\"match\": true, \"spans\": [[0, 6]]}\n"
            "{\"match\": true, \"spans\": [[0, 4]]}\n"
            "{\"match\": false, \"spans\": []}\n");
  CtlRun exact = Ctl({"match", "--query", "nestle OR café", "--exact-diacritics"}, "Nestlé recalls\nCAFE open\nCafé\n");
  EXPECT_EQ(exact.out,
            "{\"match\": false, \"spans\": []}\n"
            "{\"match\": false, \"spans\": []}\n"
            "{\"match\": true, \"spans\": [[0, 4]]}\n");
}

TEST(MatchCommandTest, FiltersComeFromFlags) {
  CtlRun es = Ctl({"match", "--query", "acme lang:es", "--lang", "es-MX"}, "acme\n");
  EXPECT_EQ(es.out, "{\"match\": true, \"spans\": [[0, 4]]}\n");
  CtlRun none = Ctl({"match", "--query", "acme lang:es"}, "acme\n");
  EXPECT_EQ(none.out, "{\"match\": false, \"spans\": []}\n") << "one word tells no language";
  CtlRun reddit = Ctl({"match", "--query", "acme channel:reddit", "--channel", "reddit"}, "acme\n");
  EXPECT_EQ(reddit.out, "{\"match\": true, \"spans\": [[0, 4]]}\n");
}

// Without --lang, lang: tests the language identified from the line, as the
// daemon does for a mention whose source gives none.
TEST(MatchCommandTest, LangFilterIdentifiesTheLanguageOfTheLine) {
  const std::string spanish = "el pedido de acme llegó tarde y nadie contesta a mis correos desde hace una semana\n";
  const std::string english = "my acme order arrived late and nobody has answered my emails for a whole week\n";
  CtlRun r = Ctl({"match", "--query", "acme lang:es"}, spanish + english);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"match\": true, \"spans\": [[13, 17]]}\n"
            "{\"match\": false, \"spans\": []}\n");
  CtlRun pinned = Ctl({"match", "--query", "acme lang:es", "--lang", "en"}, spanish);
  EXPECT_EQ(pinned.out, "{\"match\": false, \"spans\": []}\n") << "--lang wins over the text";
  // A line that is not valid UTF-8 is read as repaired, not refused.
  CtlRun broken = Ctl({"match", "--query", "acme lang:es"}, "\xff" + spanish);
  EXPECT_EQ(broken.out, "{\"match\": true, \"spans\": [[14, 18]]}\n");
  CtlRun negated = Ctl({"match", "--query", "acme -lang:es"}, spanish + english);
  EXPECT_EQ(negated.out,
            "{\"match\": false, \"spans\": []}\n"
            "{\"match\": true, \"spans\": [[3, 7]]}\n");
}

// lang: reads the language the daemon stores with a mention whose source
// gives none: the sentiment analyzer's, as `score` prints it. The words
// English knows settle the third line as English, which the character model
// alone reads otherwise.
TEST(MatchCommandTest, LangFilterReadsTheLanguageScoreReports) {
  const std::vector<std::string> lines = {
      "el pedido de acme llegó tarde y nadie contesta a mis correos desde hace una semana",
      "my acme order arrived late and nobody has answered my emails for a whole week",
      "acme with karma was bazaar nada",
      "acme bazaar with karma",
      "Acme ની service ખૂબ સરસ છે",
      "acme",
  };
  for (const std::string& line : lines) {
    CtlRun score = Ctl({"score"}, line + "\n");
    size_t at = score.out.find("\"lang\":\"");
    ASSERT_NE(at, std::string::npos) << score.out << score.err;
    std::string lang = score.out.substr(at + 8, score.out.find('"', at + 8) - at - 8);
    CtlRun same = Ctl({"match", "--query", "acme lang:" + lang}, line + "\n");
    EXPECT_EQ(same.code, 0) << same.err;
    EXPECT_TRUE(same.out.starts_with("{\"match\": true")) << line << " read as " << lang;
    if (lang != "en") {
      CtlRun en = Ctl({"match", "--query", "acme lang:en"}, line + "\n");
      EXPECT_TRUE(en.out.starts_with("{\"match\": false")) << line << " read as " << lang;
    }
    if (line == lines[0]) {
      EXPECT_EQ(lang, "es");
    } else if (line == lines[1] || line == lines[2]) {
      EXPECT_EQ(lang, "en") << line;
    }
  }
}

// A one-word reply to a brand is English when English knows the word: a
// lang:en filter keeps it, a lang:fr one does not ("excellent" is French
// too, which the character model alone reads).
TEST(MatchCommandTest, LangFilterKeepsShortEnglishReplies) {
  for (const std::string line : {"@acme Excellent!", "@acme haha :)", "@acme Adorable."}) {
    CtlRun en = Ctl({"match", "--query", "acme lang:en"}, line + "\n");
    EXPECT_EQ(en.code, 0) << en.err;
    EXPECT_EQ(en.out, "{\"match\": true, \"spans\": [[1, 5]]}\n") << line;
    for (const char* other : {"fr", "es", "hi"}) {
      CtlRun no = Ctl({"match", "--query", std::string("acme lang:") + other}, line + "\n");
      EXPECT_EQ(no.out, "{\"match\": false, \"spans\": []}\n") << line << " lang:" << other;
    }
  }
}

TEST(MatchCommandTest, MalformedQueryExitsWithItsPosition) {
  CtlRun r = Ctl({"match", "--query", "(acme OR corp"}, "acme\n");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "brandmonctl match: --query:1:1: unbalanced parenthesis\n"
            "  (acme OR corp\n"
            "  ^\n");
  CtlRun near = Ctl({"match", "--query", "acme NEAR/0 x"}, "");
  EXPECT_NE(near.code, 0);
  EXPECT_NE(near.err.find("--query:1:11: NEAR distance must be between 1 and 100"), std::string::npos) << near.err;
}

TEST(MatchCommandTest, ConfigReportsMatchingBrands) {
  testing::TempDir dir;
  std::string path = dir.Write("brandmon.json", R"({
    "brands": [
      {"name": "acme", "query": "acme OR \"acme corp\" OR #acme"},
      {"name": "globex", "handles": ["@globex"], "hashtags": ["globexlife"]},
      {"name": "initech", "query": "initech -scam"}
    ]
  })");
  CtlRun r = Ctl({"match", "--config", path}, "#acme vs @Globex\ninitech scam\n#GlobexLife and Acme Corp\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"match\": true, \"brands\": [\"acme\", \"globex\"], \"spans\": [[0, 5], [1, 5], [9, 16], [10, 16]]}\n"
            "{\"match\": false, \"brands\": [], \"spans\": []}\n"
            "{\"match\": true, \"brands\": [\"acme\", \"globex\"], \"spans\": [[0, 11], [16, 20], [16, 25]]}\n");
}

TEST(MatchCommandTest, ConfigWithBadQueryNamesTheBrand) {
  testing::TempDir dir;
  std::string path = dir.Write("brandmon.json", R"({"brands": [
      {"name": "a", "query": "a1"}, {"name": "b", "query": "b1"}, {"name": "c", "query": "(acme OR corp"}]})");
  CtlRun r = Ctl({"match", "--config", path}, "acme\n");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("brands[2].query:1:1: unbalanced parenthesis"), std::string::npos) << r.err;
}

TEST(MatchCommandTest, ConfigThatDoesNotLoadFails) {
  CtlRun r = Ctl({"match", "--config", "/nonexistent/brandmon.json"}, "");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("/nonexistent/brandmon.json"), std::string::npos) << r.err;
}

TEST(MatchCommandTest, UsageErrors) {
  EXPECT_EQ(Ctl({"match"}, "").code, 2);
  EXPECT_EQ(Ctl({"match", "--query", "a", "--config", "x"}, "").code, 2);
  EXPECT_EQ(Ctl({"match", "--query"}, "").code, 2);
  EXPECT_EQ(Ctl({"match", "--query", "a", "--bogus"}, "").code, 2);
  CtlRun help = Ctl({"match", "--help"}, "");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--query QUERY | --config PATH"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::cli

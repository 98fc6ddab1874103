#include "daemon/match/query.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

namespace brandmon::match {
namespace {

struct ValidCase {
  std::string query;
  std::string tree;
};

class ValidQueryTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidQueryTest, ParsesToTree) {
  auto parsed = ParseQuery(GetParam().query);
  ASSERT_TRUE(parsed.ok()) << GetParam().query << " -> " << parsed.status().message();
  EXPECT_EQ(ToString(*parsed), GetParam().tree) << GetParam().query;
}

INSTANTIATE_TEST_SUITE_P(
    Queries, ValidQueryTest,
    ::testing::Values(
        ValidCase{"acme", "acme"}, ValidCase{"acme corp", "(AND acme corp)"},
        ValidCase{"acme AND corp", "(AND acme corp)"}, ValidCase{"\"acme corp\"", "\"acme corp\""},
        ValidCase{"acme OR #acme OR @acmecorp", "(OR acme #acme @acmecorp)"},
        ValidCase{"(acme OR \"acme corp\" OR #acme OR @acmecorp) -\"road runner\"",
                  "(AND (OR acme \"acme corp\" #acme @acmecorp) (NOT \"road runner\"))"},
        ValidCase{"acme NEAR/3 (refund OR broken)", "(NEAR/3 acme (OR refund broken))"},
        ValidCase{"nestle* lang:es channel:reddit", "(AND nestle* lang:es channel:reddit)"},
        ValidCase{"title:acme", "title:acme"}, ValidCase{"title:\"acme corp\"", "title:\"acme corp\""},
        ValidCase{"author:(acme OR bob)", "(OR author:acme author:bob)"},
        ValidCase{"url:acme site:Acme.COM", "(AND url:acme site:acme.com)"},
        ValidCase{"acme NOT scam", "(AND acme (NOT scam))"}, ValidCase{"a OR b c", "(OR a (AND b c))"},
        ValidCase{"(a OR b) (c OR d)", "(AND (OR a b) (OR c d))"}, ValidCase{"a OR (b OR c)", "(OR a b c)"},
        ValidCase{"acme or corp", "(AND acme or corp)"},  // lower-case operators are terms
        ValidCase{"https://acme.com/x", "https://acme.com/x"}, ValidCase{"10:30 acme", "(AND 10:30 acme)"},
        ValidCase{"acme -lang:en", "(AND acme (NOT lang:en))"}, ValidCase{"LANG:PT-br acme", "(AND lang:pt-br acme)"},
        ValidCase{"\"acme corp*\"", "\"acme corp\"*"}, ValidCase{"a NEAR/2 b NEAR/3 c", "(NEAR/3 (NEAR/2 a b) c)"},
        ValidCase{"acme NEAR/2 \"acme corp\" OR z", "(OR (NEAR/2 acme \"acme corp\") z)"},
        ValidCase{"NOT NOT acme", "(NOT (NOT acme))"}, ValidCase{"((acme))", "acme"},
        ValidCase{"acme\n  OR\tcorp", "(OR acme corp)"},
        ValidCase{"Nestlé\u3000café", "(AND Nestlé café)"},  // ideographic space separates
        ValidCase{"索尼 OR ソニー", "(OR 索尼 ソニー)"}, ValidCase{"coca-cola", "coca-cola"},
        ValidCase{"acme site:acme.com", "(AND acme site:acme.com)"}, ValidCase{"site:acme.com", "site:acme.com"},
        ValidCase{"acme (lang:es OR lang:fr)", "(AND acme (OR lang:es lang:fr))"}));

struct InvalidCase {
  std::string query;
  std::string error;
};

class InvalidQueryTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidQueryTest, ReportsPositionAndReason) {
  auto parsed = ParseQuery(GetParam().query);
  ASSERT_FALSE(parsed.ok()) << GetParam().query << " parsed as " << ToString(*parsed);
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), GetParam().error);
}

std::string Nested(int depth) { return std::string(depth, '(') + "acme" + std::string(depth, ')'); }

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Queries, InvalidQueryTest,
    ::testing::Values(
        InvalidCase{"", "1:1: empty query"}, InvalidCase{"   ", "1:1: empty query"},
        InvalidCase{"(acme OR corp", "1:1: unbalanced parenthesis"},
        InvalidCase{"acme OR corp)", "1:13: unbalanced parenthesis"},
        InvalidCase{"brand (acme OR (corp)", "1:7: unbalanced parenthesis"},
        InvalidCase{"acme)", "1:5: unbalanced parenthesis"},
        InvalidCase{"café (x", "1:6: unbalanced parenthesis"},  // columns count code points
        InvalidCase{"acme\nOR (x", "2:4: unbalanced parenthesis"},
        InvalidCase{"\"acme corp", "1:1: unterminated phrase"}, InvalidCase{"acme \"\"", "1:6: empty phrase"},
        InvalidCase{"()", "1:1: empty parentheses"}, InvalidCase{"acme OR", "1:8: expected a term after 'OR'"},
        InvalidCase{"OR acme", "1:1: 'OR' needs a term before it"},
        InvalidCase{"acme AND", "1:9: expected a term after 'AND'"},
        InvalidCase{"acme AND OR corp", "1:10: expected a term after 'AND'"},
        InvalidCase{"acme NOT", "1:9: expected a term after 'NOT'"},
        InvalidCase{"acme NEAR corp", "1:6: expected a distance after NEAR, like NEAR/3"},
        InvalidCase{"acme NEAR/x corp", "1:6: expected a distance after NEAR, like NEAR/3"},
        InvalidCase{"acme NEAR/0 corp", "1:11: NEAR distance must be between 1 and 100, got 0"},
        InvalidCase{"acme NEAR/101 corp", "1:11: NEAR distance must be between 1 and 100, got 101"},
        InvalidCase{"(a b) NEAR/2 c", "1:1: 'NEAR/2' needs terms, phrases or OR groups of them on both sides"},
        InvalidCase{"a NEAR/2 -b", "1:10: 'NEAR/2' needs terms, phrases or OR groups of them on both sides"},
        InvalidCase{"a NEAR/2 lang:es", "1:10: 'NEAR/2' needs terms, phrases or OR groups of them on both sides"},
        InvalidCase{"ac*me", "1:3: wildcard '*' is only allowed at the end of a term"},
        InvalidCase{"\"ac* me\"", "1:4: wildcard '*' is only allowed at the end of a term"},
        InvalidCase{"a*", "1:1: wildcard needs at least 2 letters before '*'"},
        InvalidCase{"acme *", "1:6: wildcard '*' needs a term before it"},
        InvalidCase{"#", "1:1: hashtag needs a name after '#'"},
        InvalidCase{"@ acme", "1:1: handle needs a name after '@'"},
        InvalidCase{"acme !!!", "1:6: term '!!!' has no letters or digits"},
        InvalidCase{"acme - corp", "1:6: term '-' has no letters or digits"},
        InvalidCase{"\"...\"", "1:1: phrase \"...\" has no letters or digits"},
        InvalidCase{"titel:acme", "1:1: unknown field 'titel' (fields: title, author, url, site, lang, channel)"},
        InvalidCase{"title: acme", "1:1: missing value after 'title:'"},
        InvalidCase{"title:-acme", "1:7: expected a term, phrase or group after 'title:'"},
        InvalidCase{"title:(author:x)", "1:8: field scopes cannot be nested"},
        InvalidCase{"title:(acme lang:es)", "1:13: 'lang:' cannot be inside a field scope"},
        InvalidCase{"acme lang:english", "1:11: expected a language code like lang:es, got 'english'"},
        InvalidCase{"acme channel:\"x y\"", "1:14: expected a plain value after 'channel:'"},
        InvalidCase{"acme channel:red*", "1:14: expected a plain value after 'channel:'"},
        InvalidCase{"acme site:acme..com", "1:11: expected a host like site:acme.com, got 'acme..com'"},
        InvalidCase{"-acme", "1:1: query can match without any of its terms: it needs a term outside NOT"},
        InvalidCase{"lang:es", "1:1: query can match without any of its terms: it needs a term outside NOT"},
        InvalidCase{"acme OR NOT corp", "1:1: query can match without any of its terms: it needs a term outside NOT"},
        InvalidCase{"channel:x OR acme", "1:1: query can match without any of its terms: it needs a term outside NOT"},
        InvalidCase{std::string("acme\0", 5), "1:5: nul byte in query"},
        InvalidCase{"acme \xff", "1:6: invalid utf-8 in query"},
        InvalidCase{"acme \xc3", "1:6: invalid utf-8 in query"},
        InvalidCase{"acme \xed\xa0\x80", "1:6: invalid utf-8 in query"},  // a UTF-16 surrogate
        InvalidCase{"acme\x01", "1:5: control character U+0001 in query"},
        InvalidCase{Nested(40), "1:33: query nests deeper than 32 levels"},
        InvalidCase{Repeat("NOT ", 40) + "acme", "1:129: query nests deeper than 32 levels"},
        InvalidCase{"a" + Repeat(" NEAR/1 a", 40), "1:282: query nests deeper than 32 levels"},
        InvalidCase{std::string(1 << 20, 'a'), "1:1: query is 1048576 bytes, more than the limit of 65536"}));

TEST(QueryTest, DeepNestingJustUnderTheLimitParses) {
  auto parsed = ParseQuery(Nested(kMaxQueryDepth));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(ToString(*parsed), "acme");
}

TEST(QueryTest, LongQueryUnderTheLimitParses) {
  std::string q = "brand0";
  for (int i = 1; q.size() < kMaxQueryBytes - 20; ++i) q += " OR brand" + std::to_string(i);
  auto parsed = ParseQuery(q);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->kind, QueryNode::Kind::kOr);
  EXPECT_GT(parsed->children.size(), 4000u);
}

TEST(QueryTest, PositionOfCountsLinesAndCodePoints) {
  EXPECT_EQ(PositionOf("abc", 0), "1:1");
  EXPECT_EQ(PositionOf("ab\ncd", 4), "2:2");
  EXPECT_EQ(PositionOf("é(", 2), "1:2");
  EXPECT_EQ(PositionOf("ab", 99), "1:3");
}

// Every error names a position inside the query (or just past its end), and
// nothing crashes, whatever bytes come in.
void ExpectWellFormedOutcome(const std::string& q) {
  auto parsed = ParseQuery(q);
  if (parsed.ok()) return;
  static const std::regex kShape(R"(^(\d+):(\d+): [a-z'(].*)");
  std::smatch m;
  const std::string& msg = parsed.status().message();
  ASSERT_TRUE(std::regex_match(msg, m, kShape)) << msg;
  size_t line = std::stoul(m[1]), col = std::stoul(m[2]);
  EXPECT_GE(line, 1u);
  EXPECT_GE(col, 1u);
  EXPECT_LE(col, q.size() + 1) << msg;
}

TEST(QueryFuzzTest, RandomTokenSoupNeverCrashes) {
  const std::vector<std::string> pieces = {"acme",    " ",
                                           "(",       ")",
                                           "\"",      "OR",
                                           "AND",     "NOT",
                                           "-",       "NEAR/2",
                                           "NEAR",    "*",
                                           "#",       "@",
                                           "title:",  "lang:",
                                           "site:",   "channel:",
                                           "author:", "url:",
                                           "é",       "索",
                                           "\n",      ":",
                                           "x",       std::string("\0", 1),
                                           "\xff",    "\xe2\x80"};
  std::mt19937 rng(20240501);
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    int n = std::uniform_int_distribution<int>(0, 14)(rng);
    for (int k = 0; k < n; ++k) q += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
    ExpectWellFormedOutcome(q);
  }
}

TEST(QueryFuzzTest, MutatedValidQueriesNeverCrash) {
  const std::string base = "(acme OR \"acme corp\" OR #acme OR @acmecorp) -\"road runner\" title:x NEAR/3 (a OR b*)";
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string q = base;
    int edits = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int e = 0; e < edits && !q.empty(); ++e) {
      size_t pos = std::uniform_int_distribution<size_t>(0, q.size() - 1)(rng);
      switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
        case 0: q.erase(pos, 1); break;
        case 1: q.insert(pos, 1, static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng))); break;
        default: q[pos] = base[std::uniform_int_distribution<size_t>(0, base.size() - 1)(rng)]; break;
      }
    }
    ExpectWellFormedOutcome(q);
  }
}

}  // namespace
}  // namespace brandmon::match

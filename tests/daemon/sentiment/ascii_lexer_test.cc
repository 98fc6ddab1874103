#include "daemon/sentiment/ascii_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/sentiment/ascii_text.h"

namespace brandmon::sentiment {
namespace {

struct Piece {
  AsciiKind kind;
  size_t begin;
  size_t end;
  bool operator==(const Piece&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Piece& p) {
  return os << static_cast<int>(p.kind) << "@[" << p.begin << "," << p.end << ")";
}

AsciiKind KindOf(text::Token::Kind kind) {
  switch (kind) {
    case text::Token::Kind::kWord: return AsciiKind::kWord;
    case text::Token::Kind::kNumber: return AsciiKind::kNumber;
    case text::Token::Kind::kEmoticon: return AsciiKind::kEmoticon;
    case text::Token::Kind::kUrl: return AsciiKind::kUrl;
    case text::Token::Kind::kHandle: return AsciiKind::kHandle;
    case text::Token::Kind::kHashtag: return AsciiKind::kHashtag;
    default: return AsciiKind::kPunct;
  }
}

// The tokens text::Tokenize reads (a hashtag's words aside: the ASCII pass
// splits those itself).
std::vector<Piece> Tokenized(std::string_view text) {
  std::vector<text::Token> tokens;
  text::Tokenize(text, text::TokenizerOptions{}, &tokens);
  std::vector<Piece> out;
  for (const text::Token& t : tokens) {
    if (!t.in_hashtag) out.push_back({KindOf(t.kind), t.begin, t.begin + t.text.size()});
  }
  return out;
}

TEST(AsciiLexerTest, SplitsAsTheTokenizerDoesAndHashesTheLowerCasedKey) {
  for (std::string_view text : {
           "I LOVE this phone!!! :-) <3",
           "don't co-op 1,000.50 3.5km U.S.A. well-being x-ray",
           "@acme_support #WorstServiceEver http://url_removed www.Example.com/x HTTPS://A.B",
           "xD XD o_O T_T 8) 8-) :'( >:[ :l =) ;-) ^_^ :-/ -_-",
           "what?!? ...hmm -- (yes) [no] {maybe} a/b a_b 'quoted' \"double\"",
           "ht htt http:/ ww www x 42 007 1,2,3 1.2.3 9-5 #1 @ # #_ @_x",
           "Tab\tand\nnew line\r\nend. Trailing-",
           "-leading 'apos' it's' ''x",
       }) {
    std::string lower(text.size(), '\0');
    ASSERT_TRUE(LowerAscii(text, lower.data()));
    AsciiLexer lexer(text, lower.data());
    std::vector<Piece> lexed;
    for (size_t pos = 0; pos < text.size();) {
      if (text::kAsciiClass[static_cast<unsigned char>(text[pos])] & text::kSpaceByte) {
        ++pos;
        continue;
      }
      Lexeme lex = lexer.LexAt(pos);
      ASSERT_GT(lex.end, pos) << text;
      if (lex.kind == AsciiKind::kWord || lex.kind == AsciiKind::kNumber || lex.kind == AsciiKind::kEmoticon) {
        EXPECT_EQ(lex.hash, HashTerm(lexer.Lower(pos, lex.end))) << text.substr(pos, lex.end - pos);
      }
      lexed.push_back({lex.kind, pos, lex.end});
      pos = lex.end;
    }
    EXPECT_EQ(lexed, Tokenized(text)) << text;
  }
}

TEST(AsciiLexerTest, UrlEndStopsAtWhiteSpaceAndNeedsAPrefix) {
  std::string_view text = "see HTTP://a.b/c?d=1 and www.x.y\tthen http:/no wwwx";
  std::string lower(text.size(), '\0');
  ASSERT_TRUE(LowerAscii(text, lower.data()));
  AsciiLexer lexer(text, lower.data());
  EXPECT_EQ(lexer.UrlEnd(text.find("HTTP")), text.find(" and"));
  EXPECT_EQ(lexer.UrlEnd(text.find("www.")), text.find("\tthen"));
  EXPECT_EQ(lexer.UrlEnd(text.find("http:/no")), 0u);
  EXPECT_EQ(lexer.UrlEnd(text.find("wwwx")), 0u);
  EXPECT_EQ(lexer.UrlEnd(0), 0u);
}

}  // namespace
}  // namespace brandmon::sentiment

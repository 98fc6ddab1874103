#include "daemon/sentiment/lexicon.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/test_util.h"

namespace brandmon::sentiment {
namespace {

using brandmon::testing::TempDir;

void WriteMinimal(const TempDir& dir) {
  dir.Write("sentiment/en/lexicon.tsv", "# comment\ngood\t1.9\nBad\t-2.5\n:)\t2\nthe shit\t3\n");
  dir.Write("sentiment/en/rules.tsv",
            "negator\tnot\nnegator_never\tnever\nbooster\tvery\t0.293\nbooster\tkind of\t-0.293\ncontrast\tbut\n"
            "emphatic\tso\nstopword\tthe\nstopword\tand\n");
  dir.Write("sentiment/es/lexicon.tsv", "bueno\t1.6\n");
  dir.Write("sentiment/es/rules.tsv", "stopword\tel\nstopword\tla\nsuffix\ta\to\nsuffix\tos\t-\n");
  dir.Write("sentiment/ja/lexicon.tsv", "良い\t1.6\n");
  dir.Write("sentiment/ja/rules.tsv", "setting\tnegation_after\t1\nnegator\tない\nstopword\tの\n");
  dir.Write("sentiment/ko/lexicon.tsv", "최악\t-3\n");
  dir.Write("sentiment/ko/rules.tsv", "setting\tword_pieces\t1\nnegator\t안\n");
  dir.Write("sentiment/emoji.tsv", "😡\t-3\n");
}

TEST(LexiconTest, LoadsPacksRulesAndSymbols) {
  TempDir dir;
  WriteMinimal(dir);
  auto set = LoadLexiconSet(dir.path().string());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const LexiconSet& s = **set;
  ASSERT_NE(s.english, nullptr);
  EXPECT_FLOAT_EQ(s.english->terms.Find("bad")->valence, -2.5f);  // keys are case-folded
  EXPECT_TRUE(s.english->terms.Find("not")->flags & TermInfo::kNegator);
  EXPECT_TRUE(s.english->terms.Find("never")->flags & TermInfo::kNever);
  EXPECT_FLOAT_EQ(s.english->terms.Find("very")->booster, 0.293f);
  EXPECT_TRUE(s.english->terms.Find("kind of")->flags & TermInfo::kPhrase);
  EXPECT_EQ(s.english->terms.Find("kind")->phrase_words, 2);
  EXPECT_EQ(s.english->terms.Find("the")->phrase_words, 2);
  EXPECT_TRUE(s.english->terms.Find("but")->flags & TermInfo::kContrast);
  const LanguagePack* es = s.Find("es");
  ASSERT_NE(es, nullptr);
  ASSERT_EQ(es->suffixes.size(), 2u);
  EXPECT_EQ(es->suffixes[1].second, "");
  EXPECT_TRUE(s.japanese->negation_after);
  EXPECT_FALSE(s.english->negation_after);
  // Korean reads missing words through their pieces, as the unspaced
  // languages always do, and has the Hangul slot.
  ASSERT_NE(s.korean, nullptr);
  EXPECT_TRUE(s.korean->word_pieces);
  EXPECT_FALSE(s.korean->unspaced);
  EXPECT_TRUE(s.japanese->word_pieces);
  EXPECT_FALSE(s.english->word_pieces);
  EXPECT_EQ(s.russian, nullptr);
  // Latin packs share the stopword index; Japanese is not Latin.
  EXPECT_EQ(s.latin_packs.size(), 2u);
  EXPECT_NE(s.latin_stopwords.Find("el"), nullptr);
  EXPECT_EQ(s.latin_stopwords.Find("の"), nullptr);
  // Emoticons from the English lexicon and emoji score in every language.
  EXPECT_FLOAT_EQ(*s.symbols.Find(":)"), 2.0f);
  EXPECT_FLOAT_EQ(*s.symbols.Find("😡"), -3.0f);
  EXPECT_GT(s.MemoryBytes(), 0u);
}

TEST(LexiconTest, PrefiltersAdmitEveryStopwordAndSymbol) {
  // The analyzer skips the stopword and symbol look-ups for words whose
  // first byte and length no key has; a key the prefilter refused would
  // never be found.
  TempDir dir;
  WriteMinimal(dir);
  auto set = LoadLexiconSet(dir.path().string());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const LexiconSet& s = **set;
  size_t stopwords = 0, symbols = 0;
  s.latin_stopwords.ForEach([&](std::string_view key, uint16_t) {
    ++stopwords;
    ASSERT_LT(key.size(), 64u);
    EXPECT_TRUE((s.stopword_shapes[static_cast<unsigned char>(key[0])] >> key.size()) & 1) << key;
  });
  s.symbols.ForEach([&](std::string_view key, float) {
    ++symbols;
    EXPECT_TRUE(s.symbol_first_byte[static_cast<unsigned char>(key[0])]) << key;
  });
  EXPECT_EQ(stopwords, 4u);  // the, and, el, la
  EXPECT_EQ(symbols, 2u);
  // Shapes no stopword has are refused: "th", "them", "x".
  EXPECT_FALSE((s.stopword_shapes['t'] >> 2) & 1);
  EXPECT_FALSE((s.stopword_shapes['t'] >> 4) & 1);
  EXPECT_EQ(s.stopword_shapes['x'], 0u);
  EXPECT_FALSE(s.symbol_first_byte['a']);
  // Every phrase passes the filter on its first two words; other pairs do not.
  size_t phrases = 0;
  for (const auto& pack : s.packs) {
    pack->terms.ForEach([&](std::string_view key, const TermInfo& info) {
      if (!(info.flags & TermInfo::kPhrase)) return;
      ++phrases;
      size_t space = key.find(' ');
      std::string_view second = key.substr(space + 1);
      second = second.substr(0, second.find(' '));
      EXPECT_TRUE(pack->MayStartPhrase(HashTerm(key.substr(0, space)), HashTerm(second))) << key;
    });
  }
  EXPECT_EQ(phrases, 2u);  // "the shit", "kind of"
  EXPECT_FALSE(s.english->MayStartPhrase(HashTerm("kind"), HashTerm("the")));
  EXPECT_FALSE(s.english->MayStartPhrase(HashTerm("of"), HashTerm("kind")));
}

TEST(LexiconTest, ReportsMissingAndMalformedData) {
  TempDir empty;
  auto none = LoadLexiconSet(empty.path().string());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);

  struct Case {
    std::string file;
    std::string content;
    std::string want;
  };
  const Case cases[] = {
      {"sentiment/en/lexicon.tsv", "good\t1.9\nbad\n", "lexicon.tsv:2"},
      {"sentiment/en/lexicon.tsv", "good\tlots\n", "bad number 'lots'"},
      {"sentiment/en/lexicon.tsv", "good\t9\n", "outside -4 to 4"},
      {"sentiment/en/rules.tsv", "shout\tloud\n", "unknown rule kind 'shout'"},
      {"sentiment/en/rules.tsv", "booster\tvery\n", "rules.tsv:1"},
      {"sentiment/en/rules.tsv", "setting\tfast\t1\n", "unknown setting 'fast'"},
      {"sentiment/en/rules.tsv", "setting\tword_pieces\n", "expected setting<TAB>name<TAB>value"},
      {"sentiment/emoji.tsv", "😡\n", "emoji.tsv:1"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    WriteMinimal(dir);
    dir.Write(c.file, c.content);
    auto set = LoadLexiconSet(dir.path().string());
    ASSERT_FALSE(set.ok()) << c.content;
    EXPECT_EQ(set.status().code(), Status::Code::kCorrupt);
    EXPECT_NE(set.status().message().find(c.want), std::string::npos) << set.status().message();
  }
}

TEST(LexiconTest, NeedsAnEnglishPack) {
  TempDir dir;
  dir.Write("sentiment/es/lexicon.tsv", "bueno\t1.6\n");
  auto set = LoadLexiconSet(dir.path().string());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("english"), std::string::npos);
}

TEST(LexiconTest, ReadsValenceFilesAndFoldsKeys) {
  TempDir dir;
  std::string path = dir.Write("extra.tsv", "# skate slang\nSICK\t2\r\n\nrad\t2.5\n");
  std::map<std::string, double> out;
  ASSERT_TRUE(ReadValenceFile(path, &out).ok());
  EXPECT_EQ(out, (std::map<std::string, double>{{"rad", 2.5}, {"sick", 2}}));
  Status missing = ReadValenceFile(dir.path().string() + "/none.tsv", &out);
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_NE(missing.message().find("none.tsv"), std::string::npos);
}

TEST(LexiconTest, TermKeyNormalizesAndFolds) {
  EXPECT_EQ(TermKey("  GOOD "), "good");
  EXPECT_EQ(TermKey("ＧＯＯＤ"), "good");
  EXPECT_EQ(TermKey("Cafe\xCC\x81"), "café");
  EXPECT_EQ(TermKey("ખૂબ"), "ખૂબ");
  EXPECT_EQ(TermKey(""), "");
}

}  // namespace
}  // namespace brandmon::sentiment

#include "daemon/match/matcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon/text/tokens.h"

namespace brandmon::match {
namespace {

using Spans = std::vector<std::pair<uint32_t, uint32_t>>;

BrandMatcher Build(const std::string& query, bool insensitive = false) {
  auto m = BrandMatcher::Build({{"brand", query, {insensitive}}});
  EXPECT_TRUE(m.ok()) << query << ": " << m.status().message();
  return std::move(m).value();
}

// The text spans of the one brand when it matches, nullopt when it does not.
std::optional<Spans> MatchSpans(const BrandMatcher& m, const MatchInput& in) {
  auto hits = m.Match(in);
  if (hits.empty()) return std::nullopt;
  Spans out;
  for (const Span& s : hits[0].spans) {
    if (s.field == Field::kText) out.emplace_back(s.start, s.end);
  }
  return out;
}

struct TextCase {
  std::string name;
  std::string query;
  std::string text;
  bool insensitive;
  std::optional<Spans> spans;  // nullopt: no match
};

class TextMatchTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(TextMatchTest, MatchesWhereExpected) {
  const TextCase& c = GetParam();
  BrandMatcher m = Build(c.query, c.insensitive);
  MatchInput in;
  in.text = c.text;
  EXPECT_EQ(MatchSpans(m, in), c.spans) << c.query << " in " << c.text;
}

const std::optional<Spans> kNo = std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    Scripts, TextMatchTest,
    ::testing::Values(
        TextCase{"latin_case", "acme", "I love ACME!", false, Spans{{7, 11}}},
        TextCase{"latin_word_boundary", "acme", "acmeville and macme", false, kNo},
        TextCase{"latin_every_occurrence", "acme", "acme, Acme; ACME", false, Spans{{0, 4}, {6, 10}, {12, 16}}},
        TextCase{"accent_sensitive_exact_form", "nestle", "Nestlé recalls", false, kNo},
        TextCase{"accent_insensitive", "nestle", "Nestlé recalls", true, Spans{{0, 6}}},
        TextCase{"accent_in_query_insensitive", "nestlé", "NESTLE recalls", true, Spans{{0, 6}}},
        TextCase{"accent_sensitive_exact", "nestlé", "NESTLÉ recalls", false, Spans{{0, 6}}},
        TextCase{"accent_decomposed_text", "nestlé", "Nestle\u0301 recalls", false, Spans{{0, 7}}},
        TextCase{"sharp_s", "strasse", "Die Straße ist", false, Spans{{4, 10}}},
        TextCase{"ligature", "finance", "ﬁnance news", false, Spans{{0, 6}}},
        TextCase{"turkish_dotted_i", "istanbul", "İSTANBUL'da", true, Spans{{0, 8}}},
        TextCase{"stroke_letters", "lodz", "Łódź fair", true, Spans{{0, 4}}},
        TextCase{"cyrillic", "сбербанк", "Я люблю СБЕРБАНК.", false, Spans{{8, 16}}},
        TextCase{"cyrillic_boundary", "сбербанк", "сбербанкомат закрыт", false, kNo},
        TextCase{"greek_final_sigma", "κόσμος", "ΚΌΣΜΟΣ news", false, Spans{{0, 6}}},
        TextCase{"greek_tonos_insensitive", "αθήνα", "ΑΘΗΝΑ 2024", true, Spans{{0, 5}}},
        TextCase{"greek_tonos_sensitive", "αθήνα", "ΑΘΗΝΑ 2024", false, kNo},
        TextCase{"arabic", "سامسونج", "أحب سامسونج كثيرا", false, Spans{{4, 11}}},
        TextCase{"arabic_harakat", "سامسونج", "أحب سَامسونج", true, Spans{{4, 12}}},
        TextCase{"devanagari", "टाटा", "मुझे टाटा पसंद है", false, Spans{{5, 9}}},
        TextCase{"devanagari_boundary", "टाटा", "टाटानगर", false, kNo},
        TextCase{"gujarati", "અમુલ", "મને અમુલ ગમે છે", false, Spans{{4, 8}}},
        TextCase{"chinese_substring", "索尼", "我喜欢索尼的相机", false, Spans{{3, 5}}},
        TextCase{"japanese_katakana", "ソニー", "ソニーの新しいカメラ", false, Spans{{0, 3}}},
        TextCase{"japanese_voicing_mark", "カ", "ガム", false, kNo},
        TextCase{"korean_particle", "삼성", "삼성이 좋아요", false, Spans{{0, 2}}},
        TextCase{"thai_no_spaces", "ซัมซุง", "ฉันชอบซัมซุงมาก", false, Spans{{6, 12}}},
        TextCase{"latin_inside_han", "acme", "我爱acme手机", false, Spans{{2, 6}}},
        TextCase{"emoji_offsets", "acme", "😀😀 acme", false, Spans{{3, 7}}},
        TextCase{"hashtag", "#acme", "#Acme rocks", false, Spans{{0, 5}}},
        TextCase{"hashtag_not_plain_word", "#acme", "acme rocks", false, kNo},
        TextCase{"term_inside_hashtag", "acme", "#acme rocks", false, Spans{{1, 5}}},
        TextCase{"handle", "@acme", "RT @ACME: hi", false, Spans{{3, 8}}},
        TextCase{"handle_whole", "@acme", "@acme_support hi", false, kNo},
        TextCase{"handle_not_email", "@acme", "mail bob@acme.com", false, kNo},
        TextCase{"cashtag", "$acme", "buy $ACME now", false, Spans{{4, 9}}},
        TextCase{"url_in_text", "acme.com", "see https://www.acme.com/deal", false, Spans{{16, 24}}},
        TextCase{"url_whole_label", "acme.com", "acme.community", false, kNo},
        TextCase{"phrase_over_punctuation", "\"acme corp\"", "ACME, corp!", false, Spans{{0, 10}}},
        TextCase{"phrase_over_hyphen", "\"acme corp\"", "acme-corp", false, Spans{{0, 9}}},
        TextCase{"phrase_not_split", "\"acme corp\"", "acme big corp", false, kNo},
        TextCase{"hyphenated_term", "coca-cola", "Coca Cola zero", false, Spans{{0, 9}}},
        TextCase{"wildcard_whole_word", "nestle*", "Nestléworld rocks", false, Spans{{0, 11}}},
        TextCase{"wildcard_word_start", "nestle*", "anestle", false, kNo},
        TextCase{"phrase_wildcard", "\"acme corp*\"", "acme corporation", false, Spans{{0, 16}}},
        TextCase{"negation", "(acme OR \"acme corp\") -\"road runner\"", "acme and the road runner", false, kNo},
        TextCase{"negation_absent", "(acme OR \"acme corp\") -\"road runner\"", "acme corp ships", false,
                 Spans{{0, 4}, {0, 9}}},
        TextCase{"and_needs_both", "acme refund", "acme is great", false, kNo},
        TextCase{"and_spans_both", "acme refund", "refund from acme", false, Spans{{0, 6}, {12, 16}}},
        TextCase{"false_branch_marks_nothing", "(acme refund) OR widget", "acme widget", false, Spans{{5, 11}}},
        TextCase{"near_within", "acme NEAR/3 (refund OR broken)", "acme is totally broken", false,
                 Spans{{0, 4}, {16, 22}}},
        TextCase{"near_reversed", "acme NEAR/3 broken", "broken again, acme", false, Spans{{0, 6}, {14, 18}}},
        TextCase{"near_too_far", "acme NEAR/3 broken", "acme is totally and utterly broken", false, kNo},
        TextCase{"near_marks_only_close_pairs", "acme NEAR/1 broken", "acme fine. acme broken", false,
                 Spans{{11, 15}, {16, 22}}},
        TextCase{"near_phrase", "\"acme corp\" NEAR/2 refund", "acme corp gave refund", false, Spans{{0, 9}, {15, 21}}},
        TextCase{"near_phrase_too_far", "\"acme corp\" NEAR/2 refund", "acme corp gave a refund", false, kNo},
        TextCase{"near_same_word_is_not_near", "acme NEAR/2 acme*", "acme", false, kNo},
        TextCase{"near_chain", "a1 NEAR/1 b1 NEAR/1 c1", "a1 b1 c1", false, Spans{{0, 2}, {3, 5}, {6, 8}}},
        TextCase{"near_cjk", "索尼 NEAR/2 相机", "索尼的相机", false, Spans{{0, 2}, {3, 5}}}),
    [](const ::testing::TestParamInfo<TextCase>& info) { return info.param.name; });

TEST(MatcherTest, FieldScopesLookOnlyInTheirField) {
  BrandMatcher m = Build("title:acme OR author:bob OR url:acmeshop");
  MatchInput in;
  in.text = "acme bob acmeshop";
  EXPECT_TRUE(m.Match(in).empty());
  in.title = "About ACME";
  auto hits = m.Match(in);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].spans, (std::vector<Span>{{Field::kTitle, 6, 10}}));
  EXPECT_EQ(hits[0].terms, std::vector<std::string>{"title:acme"});
  in.title = "";
  in.url = "https://acmeshop.example/x";
  hits = m.Match(in);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].spans, (std::vector<Span>{{Field::kUrl, 8, 16}}));
  in.url = "";
  in.author = "Bob Smith";
  EXPECT_EQ(m.Match(in).size(), 1u);
}

TEST(MatcherTest, UnscopedTermsLookInTextAndTitle) {
  BrandMatcher m = Build("acme");
  MatchInput in;
  in.title = "Acme news";
  in.text = "nothing here";
  auto hits = m.Match(in);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].spans, (std::vector<Span>{{Field::kTitle, 0, 4}}));
  in.title = "";
  in.author = "acme";
  EXPECT_TRUE(m.Match(in).empty());
}

TEST(MatcherTest, LanguageAndChannelFilters) {
  BrandMatcher m = Build("nestle* lang:es channel:reddit");
  MatchInput in;
  in.text = "nestle otra vez";
  in.lang = "es-MX";
  in.channel = "Reddit";
  EXPECT_EQ(m.Match(in).size(), 1u);
  in.lang = "en";
  EXPECT_TRUE(m.Match(in).empty());
  in.lang = "est";  // a different language that starts with "es"
  EXPECT_TRUE(m.Match(in).empty());
  in.lang = "es";
  in.channel = "youtube";
  EXPECT_TRUE(m.Match(in).empty());

  BrandMatcher not_en = Build("acme -lang:en");
  MatchInput en;
  en.text = "acme";
  en.lang = "en-GB";
  EXPECT_TRUE(not_en.Match(en).empty());
  en.lang = "";
  EXPECT_EQ(not_en.Match(en).size(), 1u);  // unknown language is not English
}

TEST(MatcherTest, SiteMatchesHostAndSubdomains) {
  BrandMatcher m = Build("site:acme.com");
  MatchInput in;
  for (std::string url : {"https://acme.com", "https://shop.ACME.com:8443/x?y", "http://user@blog.acme.com./p"}) {
    in.url = url;
    EXPECT_EQ(m.Match(in).size(), 1u) << url;
  }
  for (std::string url : {"https://notacme.com/", "https://acme.com.evil.io/", "https://evil.io/acme.com", ""}) {
    in.url = url;
    EXPECT_TRUE(m.Match(in).empty()) << url;
  }
}

TEST(MatcherTest, ManyBrandsReportEachMatchWithItsTerms) {
  auto m = BrandMatcher::Build({{"acme", "acme OR @acmecorp OR \"acme corp\"", {}},
                                {"globex", "globex OR #globex", {}},
                                {"initech", "initech* -scam", {}},
                                {"acme_too", "acme", {true}}});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->brand_count(), 4u);
  EXPECT_EQ(m->brand_name(1), "globex");
  MatchInput in;
  in.text = "@AcmeCorp beats #Globex; Initech is a scam";
  auto hits = m->Match(in);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].brand, 0u);
  EXPECT_EQ(hits[0].name, "acme");
  EXPECT_EQ(hits[0].terms, std::vector<std::string>{"@acmecorp"});
  EXPECT_EQ(hits[1].brand, 1u);
  EXPECT_EQ(hits[1].terms, (std::vector<std::string>{"globex", "#globex"}));
  EXPECT_EQ(hits[1].spans, (std::vector<Span>{{Field::kText, 16, 23}, {Field::kText, 17, 23}}));
}

TEST(MatcherTest, BuildErrorNamesTheBrandAndPosition) {
  auto m = BrandMatcher::Build({{"ok", "acme", {}}, {"ok2", "globex", {}}, {"bad", "(acme OR  corp", {}}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(m.status().message(), "brands[2].query:1:1: unbalanced parenthesis");
}

TEST(MatcherTest, EmptyBrandListMatchesNothing) {
  auto m = BrandMatcher::Build({});
  ASSERT_TRUE(m.ok());
  MatchInput in;
  in.text = "anything";
  EXPECT_TRUE(m->Match(in).empty());
}

TEST(MatcherTest, ScratchReuseGivesTheSameAnswers) {
  auto m = BrandMatcher::Build({{"a", "acme NEAR/2 broken", {}}, {"b", "globex", {true}}, {"c", "site:x.org", {}}});
  ASSERT_TRUE(m.ok());
  std::vector<std::string> texts = {"acme is broken", "globex", "", "acme globex broken", "nothing", "acme broken"};
  MatchScratch scratch;
  for (int round = 0; round < 3; ++round) {
    for (const auto& t : texts) {
      MatchInput in;
      in.text = t;
      in.url = round == 1 ? "https://x.org/" : "";
      auto fresh = m->Match(in);
      auto reused = m->Match(in, scratch);
      ASSERT_EQ(fresh.size(), reused.size()) << t;
      for (size_t i = 0; i < fresh.size(); ++i) {
        EXPECT_EQ(fresh[i].brand, reused[i].brand);
        EXPECT_EQ(fresh[i].spans, reused[i].spans);
      }
    }
  }
}

TEST(MatcherTest, ConcurrentMatchesAgree) {
  std::vector<BrandSpec> specs;
  for (int i = 0; i < 50; ++i)
    specs.push_back({"b" + std::to_string(i), "brand" + std::to_string(i) + " OR x" + std::to_string(i) + "*", {}});
  auto m = BrandMatcher::Build(specs);
  ASSERT_TRUE(m.ok());
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i)
    texts.push_back("brand" + std::to_string(i % 60) + " and x" + std::to_string((i + 1) % 7) + "yz");
  auto run = [&](std::vector<size_t>* counts) {
    MatchScratch scratch;
    for (const auto& t : texts) {
      MatchInput in;
      in.text = t;
      counts->push_back(m->Match(in, scratch).size());
    }
  };
  std::vector<size_t> serial, a, b;
  run(&serial);
  std::thread ta(run, &a), tb(run, &b);
  ta.join();
  tb.join();
  EXPECT_EQ(a, serial);
  EXPECT_EQ(b, serial);
  EXPECT_EQ(serial[0], 2u);  // brand0, and x1* of brand 1
}

TEST(MatcherTest, HostileTextsStayBounded) {
  BrandMatcher m = Build("acme NEAR/5 (broken OR acme*) OR \"a a a\"");
  MatchInput in;
  std::string repeated;
  for (int i = 0; i < 20000; ++i) repeated += "acme broken ";
  in.text = repeated;
  auto hits = m.Match(in);
  ASSERT_EQ(hits.size(), 1u);
  for (const auto& s : hits[0].spans) EXPECT_LE(s.end, repeated.size());

  std::string junk;
  std::mt19937 rng(99);
  for (int i = 0; i < (1 << 20); ++i) junk.push_back(static_cast<char>(rng() & 0xFF));
  in.text = junk;
  for (const auto& h : m.Match(in)) {
    for (const auto& s : h.spans) EXPECT_LE(s.end, junk.size());
  }
  std::string as(1 << 20, 'a');
  as[500] = ' ';
  in.text = as;
  m.Match(in);  // a million-byte word: must simply finish
}

// The daemon hands the matcher the tokens it splits for the sentiment and
// the rules; the fold read through them must match exactly as the fields'
// own, whatever the text holds.
TEST(MatcherTest, GivenTokensMatchAsTheFieldsDo) {
  struct Case {
    std::string query;
    bool insensitive;
    std::string title;
    std::string text;
    Spans spans;  // of the text
  };
  const Case cases[] = {
      {"nestlé", false, "", "Nestlé recalls", Spans{{0, 6}}},        // NFC
      {"nestlé", false, "", "Nestle\u0301 recalls", Spans{{0, 7}}},  // NFD: the input's code points
      {"nestle", true, "Nestle\u0301", "Nestle\u0301 and Nestlé", Spans{{0, 7}, {12, 18}}},
      {"acme", false, "",
       "\xFF"
       "acme\xC3 ok acme",
       Spans{{1, 5}, {10, 14}}},                                                   // invalid UTF-8
      {"索尼 NEAR/2 相机", false, "", "我喜欢索尼的相机", Spans{{3, 5}, {6, 8}}},  // Han, words of one character
      {"acme.com", false, "", "see https://www.acme.com/deal", Spans{{16, 24}}},
      {"łódź", true, "", "LODZ and Łódź", Spans{{0, 4}, {9, 13}}},
      {"acme NEAR/1 refund", false, "", "a\u0301cme and acme refund", Spans{{10, 14}, {15, 21}}},
  };
  MatchScratch scratch;
  text::Tokens title, text;  // reused from case to case, as the pipeline does
  for (const Case& c : cases) {
    BrandMatcher m = Build(c.query, c.insensitive);
    MatchInput plain;
    plain.title = c.title;
    plain.text = c.text;
    std::vector<BrandHit> expected = m.Match(plain);
    ASSERT_EQ(MatchSpans(m, plain), c.spans) << c.text;
    title.Reset(c.title);
    text.Reset(c.text);
    MatchInput given = plain;
    given.title_tokens = &title;
    given.text_tokens = &text;
    std::vector<BrandHit> hits = m.Match(given, scratch);
    ASSERT_EQ(hits.size(), expected.size()) << c.text;
    EXPECT_EQ(hits[0].spans, expected[0].spans) << c.text;
    EXPECT_EQ(hits[0].terms, expected[0].terms) << c.text;
    // The tokens read after matching are those of the text as ever.
    EXPECT_EQ(text.tokens().size(), text::Tokens(c.text).tokens().size()) << c.text;
  }
}

TEST(MatcherTest, DecomposedHangulMatchesAsComposed) {
  BrandMatcher m = Build("삼성");
  MatchInput in;
  in.text = "\u1109\u1161\u11b7\u1109\u1165\u11bc\u110b\u1175 \uc88b\uc544\uc694";  // 삼성이 좋아요, jamo
  EXPECT_EQ(MatchSpans(m, in), (Spans{{0, 6}}));
}

class CountingLanguage final : public LanguageSource {
 public:
  explicit CountingLanguage(std::string lang) : lang_(std::move(lang)) {}
  std::string Language() const override {
    ++asked;
    return lang_;
  }
  mutable int asked = 0;

 private:
  std::string lang_;
};

TEST(MatcherTest, LangFilterAsksTheLanguageSourceOnlyWhenItMust) {
  BrandMatcher m = Build("(acme lang:es) OR (acme NEAR/2 pedido lang:es)");
  CountingLanguage spanish("es");
  MatchInput in;
  in.lang_source = &spanish;
  in.text = "el pedido de acme";
  EXPECT_EQ(m.Match(in).size(), 1u);
  EXPECT_EQ(spanish.asked, 1) << "once per Match, however many filters";
  in.text = "nothing of the brand";
  EXPECT_TRUE(m.Match(in).empty());
  EXPECT_EQ(spanish.asked, 1) << "no term hit, no question";
  in.text = "acme";
  in.lang = "en";
  EXPECT_TRUE(m.Match(in).empty());
  EXPECT_EQ(spanish.asked, 1) << "the mention's own language wins";
  in.lang = "";
  CountingLanguage unknown("und");
  in.lang_source = &unknown;
  EXPECT_TRUE(m.Match(in).empty());
  in.lang_source = nullptr;
  EXPECT_TRUE(m.Match(in).empty()) << "no source: the language is unknown";
}

TEST(DefaultBrandQueryTest, NameHandlesAndHashtags) {
  EXPECT_EQ(DefaultBrandQuery("Acme Corp", {"@acme", "acmehelp"}, {"acme", "#AcmeLife"}),
            "\"Acme Corp\" OR @acme OR @acmehelp OR #acme OR #AcmeLife");
  EXPECT_EQ(DefaultBrandQuery("Say \"Hi\" (now)", {}, {}), "\"Say Hi now\"");
  EXPECT_EQ(DefaultBrandQuery("", {"@"}, {}), "");
  // The default query of a brand finds its name, handles and hashtags.
  auto m = BrandMatcher::Build({{"acme", DefaultBrandQuery("Acme Corp", {"acmehelp"}, {"acme"}), {}}});
  ASSERT_TRUE(m.ok()) << m.status().message();
  for (std::string text : {"acme corp is late", "@AcmeHelp hi", "#acme"}) {
    MatchInput in;
    in.text = text;
    EXPECT_EQ(m->Match(in).size(), 1u) << text;
  }
}

TEST(MatchOptionTableTest, DefaultsAndDocs) {
  MatchOptions o;
  o.diacritic_insensitive = false;
  config::ApplyDefaults(MatchOptionTable(), o);
  EXPECT_TRUE(o.diacritic_insensitive) << "terms match with or without diacritics unless a brand asks otherwise";
  for (const auto& spec : MatchOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
}

}  // namespace
}  // namespace brandmon::match

#include "daemon/sentiment/analyzer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon/text/tokens.h"
#include "tests/support/test_util.h"

namespace brandmon::sentiment {
namespace {

class AnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = Analyzer::Load(std::string(BRANDMON_SOURCE_DIR) + "/data", SentimentOptions{});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = new Analyzer(std::move(a).value());
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    analyzer_ = nullptr;
  }
  static double C(std::string_view text) { return analyzer_->Score(text).compound; }
  static Analyzer* analyzer_;
};

Analyzer* AnalyzerTest::analyzer_ = nullptr;

TEST_F(AnalyzerTest, BasicPolarityAndOutputShape) {
  for (std::string_view text : {"I love this phone", "This is the worst service ever", "The store opens at nine", "",
                                "   ", "!!!", "😍😍", "ખૂબ સરસ"}) {
    SentimentScore s = analyzer_->Score(text);
    EXPECT_GE(s.compound, -1.0);
    EXPECT_LE(s.compound, 1.0);
    EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-9) << text;
    EXPECT_GE(s.pos, 0);
    EXPECT_GE(s.neg, 0);
  }
  EXPECT_EQ(analyzer_->Score("I love this phone").label(), "positive");
  EXPECT_EQ(analyzer_->Score("This is the worst service ever").label(), "negative");
  EXPECT_EQ(analyzer_->Score("The store opens at nine").label(), "neutral");
  EXPECT_EQ(analyzer_->Score("").compound, 0.0);
}

TEST_F(AnalyzerTest, LabelThresholds) {
  EXPECT_EQ(LabelFor(0.05), "positive");
  EXPECT_EQ(LabelFor(0.0499), "neutral");
  EXPECT_EQ(LabelFor(-0.05), "negative");
  EXPECT_EQ(LabelFor(-0.0499), "neutral");
}

TEST_F(AnalyzerTest, Negation) {
  EXPECT_GT(C("The food is good"), 0.05);
  for (std::string_view text : {"The food is not good", "The food isn't good", "The food isnt good",
                                "The food was never good", "The food doesn't taste good", "Food ain't good"}) {
    EXPECT_LT(C(text), -0.05) << text;
  }
  EXPECT_GT(C("The food is not bad"), 0.05);
  EXPECT_GT(C("It was not the worst"), 0.05);
  EXPECT_GT(C("No problem, happy to help"), C("happy to help"));
  EXPECT_GT(C("no problem"), 0.05);
  EXPECT_GT(C("It was never so good"), C("It was good"));  // "never so" emphasizes
}

TEST_F(AnalyzerTest, BoostersAndDampeners) {
  double plain = C("The service is good");
  EXPECT_GT(C("The service is very good"), plain);
  EXPECT_GT(C("The service is extremely good"), plain);
  double damped = C("The service is slightly good");
  EXPECT_LT(damped, plain);
  EXPECT_GT(damped, 0);
  EXPECT_LT(C("The service is kind of good"), plain);
  EXPECT_LT(C("The service is very bad"), C("The service is bad"));
}

TEST_F(AnalyzerTest, ModifiersDoNotReachAcrossAClauseBreak) {
  // "no" corrects the word before it; it does not negate what follows the comma.
  EXPECT_GT(C("I like, no, love this phone"), 0.3);
  EXPECT_LT(C("I no love this phone"), C("I like, no, love this phone"));
  // A booster before a comma boosts nothing after it.
  EXPECT_DOUBLE_EQ(C("really, good"), C("good"));
  EXPECT_GT(C("really good"), C("good"));
}

TEST_F(AnalyzerTest, QuestionsWeighLessThanStatements) {
  double statement = C("It is a bad thing.");
  double question = C("Is it a bad thing?");
  EXPECT_LT(question, -0.05);  // still negative
  EXPECT_GT(question, statement);
  EXPECT_LT(C("Why is it so good?"), C("It is so good."));
  EXPECT_GT(C("Why is it so good?"), 0.05);
  // '!' makes it an exclamation, not a question to weigh down.
  EXPECT_DOUBLE_EQ(C("Such a great day?!"), C("Such a great day!?"));
  EXPECT_GT(C("Such a great day?!"), C("Such a great day?"));
}

TEST_F(AnalyzerTest, QuestionsAskingForInformationClaimNoPraise) {
  // The quality asked about is not claimed...
  for (std::string_view text :
       {"Is it a good thing?", "Any good films out this week?", "@acme is the new app any good?",
        "What's a good place to eat near the station?", "Will the update be free?", "Is he like his brother?"}) {
    EXPECT_DOUBLE_EQ(C(text), 0.0) << text;
  }
  // ...but a complaint put as a question still counts, at half weight as in
  // any question, and so does the writer's emoticon.
  EXPECT_LT(C("Does anyone else hate the new app?"), -0.05);
  EXPECT_DOUBLE_EQ(C("Does anyone else hate the new app?"), C("Anyone else hate the new app?"));
  EXPECT_GT(C("Is it growing on you? :)"), 0.05);
  // Only the question's own sentence, and only when its first word asks:
  // "why" and "how" often complain, a negative auxiliary leans on the answer.
  EXPECT_GT(C("The app is good. Is it free?"), 0.05);
  EXPECT_GT(C("I was at this awesome party, were you?"), 0.05);
  EXPECT_GT(C("How is it so good?"), 0.05);
  EXPECT_DOUBLE_EQ(C("#question is it any good?"), 0.0);  // a hashtag is not the first word
  EXPECT_GT(C("question: is it any good?"), 0.05);
  // An exclamation is not a question to weigh down.
  EXPECT_GT(C("Is it good?!"), 0.05);
}

TEST_F(AnalyzerTest, AnExclamationAloneShowsExcitement) {
  EXPECT_GT(C("And then I found $20 in my back pocket!"), 0.05);
  EXPECT_DOUBLE_EQ(C("And then I found $20 in my back pocket."), 0.0);
  EXPECT_GT(C("Heading to the stadium tonight!!"), C("Heading to the stadium tonight!"));
  // Not when something is negated: that is more often a complaint.
  EXPECT_DOUBLE_EQ(C("My order never arrived!"), 0.0);
  EXPECT_DOUBLE_EQ(C("They didn't call back!"), 0.0);
  // Nor without words, nor when the words carry sentiment of their own.
  EXPECT_DOUBLE_EQ(C("!!!!"), 0.0);
  EXPECT_LT(C("The delivery was delayed!"), -0.05);
  SentimentScore s = analyzer_->Score("Heading to the stadium tonight!");
  EXPECT_EQ(s.label(), "positive");
  EXPECT_GT(s.pos, 0.0);
  EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-9);
}

TEST_F(AnalyzerTest, ALinkSharedWithoutTheWritersOwnWordsReportsAndWeighsHalf) {
  double said = C("Acme recalls a million cars over a deadly defect");
  double shared = C("Acme recalls a million cars over a deadly defect http://news.example/recall");
  EXPECT_LT(shared, -0.05);  // still negative
  EXPECT_GT(shared, said);
  EXPECT_DOUBLE_EQ(C("Acme recalls a million cars over a deadly defect www.news.example/recall"), shared);
  // The writer's own words are not a report.
  EXPECT_DOUBLE_EQ(C("I hate this new ad https://ads.example/acme"), C("I hate this new ad"));
  EXPECT_DOUBLE_EQ(C("Our best sale ever: https://shop.example"), C("Our best sale ever:"));
  // German has first-person words too: a shared link reports, "ich" speaks.
  EXPECT_GT(C("Die Lieferung war eine Katastrophe https://x.example"), C("Die Lieferung war eine Katastrophe"));
  EXPECT_DOUBLE_EQ(C("Ich finde die Lieferung eine Katastrophe https://x.example"),
                   C("Ich finde die Lieferung eine Katastrophe"));
  // Nor in a language without first-person words to tell them apart.
  EXPECT_LT(C("质量太差了"), -0.05);
  EXPECT_DOUBLE_EQ(C("质量太差了 https://x.example"), C("质量太差了"));
  // The brand-targeted score, which alerts read, is what the words say.
  CodePointSpan acme{0, 4};
  ScoreRequest req{.targets = std::span<const CodePointSpan>(&acme, 1)};
  EXPECT_DOUBLE_EQ(*analyzer_->Score("Acme recalls a million cars over a deadly defect http://x.example", req).target,
                   *analyzer_->Score("Acme recalls a million cars over a deadly defect", req).target);
}

TEST_F(AnalyzerTest, CharacterReferencesScoreAsTheCharactersTheyStandFor) {
  EXPECT_DOUBLE_EQ(C("&lt;3 the new store"), C("<3 the new store"));
  EXPECT_GT(C("&lt;3 the new store"), 0.05);
  EXPECT_DOUBLE_EQ(C("Tom &amp; Jerry"), C("Tom & Jerry"));
  EXPECT_DOUBLE_EQ(C("it gives me &gt;:["), C("it gives me >:["));
  EXPECT_DOUBLE_EQ(C("&#x1F621; &#128525;"), C("😡 😍"));
  EXPECT_LT(C("&#x1F621;"), -0.05);
  // Brand spans are offsets into the text as given; they move with the
  // decoding, so the clause aimed at is still the brand's.
  std::string text = "Their app &amp; site are awful &amp; slow but Acme was great";
  uint32_t at = static_cast<uint32_t>(text.find("Acme"));
  CodePointSpan acme{at, at + 4};
  ScoreRequest req{.targets = std::span<const CodePointSpan>(&acme, 1)};
  SentimentScore s = analyzer_->Score(text, req);
  ASSERT_TRUE(s.target.has_value());
  EXPECT_GT(*s.target, 0.3);
  std::string plain = "Their app & site are awful & slow but Acme was great";
  uint32_t plain_at = static_cast<uint32_t>(plain.find("Acme"));
  CodePointSpan plain_acme{plain_at, plain_at + 4};
  ScoreRequest plain_req{.targets = std::span<const CodePointSpan>(&plain_acme, 1)};
  EXPECT_DOUBLE_EQ(*s.target, *analyzer_->Score(plain, plain_req).target);
  // Where the targeted clause ("but Acme was great") starts is an offset
  // into the text as given too.
  ASSERT_TRUE(s.target_at.has_value());
  EXPECT_EQ(*s.target_at, static_cast<uint32_t>(text.find("but Acme")));
}

// The clause that weighs most in the targeted score, in its direction,
// names the sentence a rule quotes.
TEST_F(AnalyzerTest, TheTargetedScoreSaysWhereItsWeightiestClauseStarts) {
  std::string text = "Acme opened a store in Lyon. The queue was long. Acme staff were rude and awful.";
  std::vector<CodePointSpan> spans;
  for (size_t at = text.find("Acme"); at != std::string::npos; at = text.find("Acme", at + 1)) {
    spans.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(at + 4)});
  }
  ScoreRequest req{.targets = spans};
  SentimentScore s = analyzer_->Score(text, req);
  ASSERT_LT(*s.target, -0.05);
  ASSERT_TRUE(s.target_at.has_value());
  EXPECT_EQ(*s.target_at, static_cast<uint32_t>(text.find("Acme staff")));
  SentimentScore neutral = analyzer_->Score("Acme opened a store in Lyon.", {.targets = spans});
  ASSERT_TRUE(neutral.target_at.has_value()) << "the first clause aimed at when none weighs";
  EXPECT_EQ(*neutral.target_at, 0u);
  EXPECT_FALSE(analyzer_->Score(text).target_at.has_value()) << "no spans, no clause";
}

TEST_F(AnalyzerTest, TokensSplitForOtherReadersScoreAsTheText) {
  for (std::string_view text :
       {"I love this phone!!", "No me gusta nada, qué desastre", "Service cafe\xCC\x81 horrible \xFF vraiment",
        "&lt;3 the new store", "ખૂબ સરસ", "बहुत बुरा अनुभव", "THE WORST :( #NeverAgain", ""}) {
    SentimentScore want = analyzer_->Score(text);
    for (bool split_before : {false, true}) {
      text::Tokens tokens(text);
      if (split_before) (void)tokens.tokens();  // as the rules read them first in the pipeline
      SentimentScore got = analyzer_->Score(tokens);
      EXPECT_EQ(got.compound, want.compound) << text;
      EXPECT_EQ(got.pos, want.pos) << text;
      EXPECT_EQ(got.neg, want.neg) << text;
      EXPECT_EQ(got.lang, want.lang) << text;
    }
  }
}

// The words a score was made of, with their weights: the same score as
// Score() gives, each rated word where it is written, and the clauses the
// targeted score sums marked.
TEST_F(AnalyzerTest, ATraceNamesTheWordsThatCarriedTheScore) {
  std::string text = "The Acme kettle is not good, but the Globex one is really great.";
  CodePointSpan acme{4, 8};
  ScoreRequest req{.targets = std::span(&acme, 1)};
  text::Tokens tokens(text);
  ScoreTrace trace = analyzer_->Trace(tokens, req);
  SentimentScore want = analyzer_->Score(text, req);
  EXPECT_EQ(trace.score.compound, want.compound);
  EXPECT_EQ(trace.score.target, want.target);
  ASSERT_EQ(trace.words.size(), 2u);
  const WeightedWord& good = trace.words[0];
  EXPECT_EQ(good.text, "good");
  EXPECT_EQ(good.at, text.find("good"));
  EXPECT_GT(good.valence, 0);
  EXPECT_LT(good.weight, 0) << "negated";
  EXPECT_TRUE(good.targeted);
  const WeightedWord& great = trace.words[1];
  EXPECT_EQ(great.text, "great");
  EXPECT_GT(great.weight, great.valence) << "boosted by really";
  EXPECT_FALSE(great.targeted) << "about Globex";
  EXPECT_FALSE(analyzer_->Trace(tokens).words[0].targeted) << "no spans, nothing targeted";
}

TEST_F(AnalyzerTest, ATraceOfPhrasesEmojiAndCharacterReferencesPointsIntoTheTextAsGiven) {
  std::string text = "&lt;3 &amp; kudos to Acme \xF0\x9F\x98\x8D but the app sucks";
  text::Tokens tokens(text);
  ScoreTrace trace = analyzer_->Trace(tokens);
  EXPECT_EQ(trace.score.compound, analyzer_->Score(text).compound);
  std::vector<std::pair<std::string, uint32_t>> words;
  for (const WeightedWord& w : trace.words) words.emplace_back(w.text, w.at);
  ASSERT_EQ(words.size(), 4u) << ::testing::PrintToString(words);
  EXPECT_EQ(words[0], std::pair(std::string("<3"), 0u)) << "at the reference as written";
  EXPECT_EQ(words[1].first, "kudos");
  EXPECT_EQ(words[1].second, static_cast<uint32_t>(text.find("kudos")));
  EXPECT_EQ(words[2].first, "\xF0\x9F\x98\x8D");
  EXPECT_EQ(words[3].first, "sucks");
  for (std::string_view hostile : {std::string_view(""), std::string_view("\xFF\xFE&#0;&#x110000;"),
                                   std::string_view("!!!???"), std::string_view("#\xE2\x80\xAE bad")}) {
    text::Tokens t(hostile);
    ScoreTrace tr = analyzer_->Trace(t);
    EXPECT_EQ(tr.score.compound, analyzer_->Score(hostile).compound) << hostile;
  }
}

TEST_F(AnalyzerTest, RatedWordsInsideNamesWeighLess) {
  // Capitalized runs and a word next to a number, mid-sentence, are names.
  EXPECT_LT(std::fabs(C("watched Fight Club tonight")), std::fabs(C("watched the fight tonight")));
  EXPECT_LT(C("saw Super 8 with my brother"), C("saw super 8 with my brother"));
  EXPECT_GT(C("saw Super 8 with my brother"), 0.05);  // weighs less, still counts
  // Not a name: a sentence's first word, a lone capital, all-caps or title-case text.
  EXPECT_DOUBLE_EQ(C("Great service today"), C("great service today"));
  EXPECT_DOUBLE_EQ(C("the service was Great today"), C("the service was great today"));
  EXPECT_DOUBLE_EQ(C("Watched Fight Club Tonight"), C("watched fight club tonight"));
  // German capitalizes every noun.
  ScoreRequest german;
  german.lang = "de";
  EXPECT_DOUBLE_EQ(analyzer_->Score("das ist ein Riesen Erfolg", german).compound,
                   analyzer_->Score("das ist ein riesen erfolg", german).compound);
}

TEST_F(AnalyzerTest, ContrastiveButWeighsTheSecondClause) {
  EXPECT_LT(C("The food was great but the service was awful"), -0.05);
  EXPECT_GT(C("The food was awful but the service was great"), 0.05);
  EXPECT_GT(C("La comida era horrible pero el servicio fue excelente"), 0.05);
}

TEST_F(AnalyzerTest, ASentenceOpeningWithButOutweighsThoseBefore) {
  EXPECT_LT(C("The food was great. But the service was awful."), -0.05);
  EXPECT_GT(C("The food was great. The service was awful."), C("The food was great. But the service was awful."));
}

TEST_F(AnalyzerTest, CapsAndPunctuationEmphasis) {
  EXPECT_GT(C("The service was GREAT"), C("The service was great"));
  EXPECT_LT(C("The service was TERRIBLE"), C("The service was terrible"));
  // All-caps text has nothing to stand out from.
  EXPECT_DOUBLE_EQ(C("THE SERVICE WAS GREAT"), C("the service was great"));
  EXPECT_GT(C("great!!!"), C("great!"));
  EXPECT_GT(C("great!"), C("great"));
  EXPECT_DOUBLE_EQ(C("great!!!!"), C("great!!!!!!!!!!"));
  EXPECT_LT(C("awful!!!"), C("awful"));
  EXPECT_DOUBLE_EQ(C("!!!!"), 0.0);  // emphasis without words is not sentiment
}

TEST_F(AnalyzerTest, IdiomsAndNegatedIdioms) {
  EXPECT_GT(C("this new phone is the bomb"), 0.3);
  EXPECT_LT(C("this new phone is not the bomb"), -0.05);
  EXPECT_LT(C("yeah right, best phone ever"), C("best phone ever"));
  EXPECT_LT(C("that merger was the kiss of death"), -0.05);
  EXPECT_LT(C("what a waste of money"), -0.05);
}

TEST_F(AnalyzerTest, EmojiAndEmoticons) {
  EXPECT_LT(C("😡"), -0.05);
  EXPECT_GT(C("😍"), 0.05);
  EXPECT_GT(C("👍🏽"), 0.05);  // skin tone falls back to the base emoji
  EXPECT_LT(C("my order 💔"), -0.05);
  EXPECT_GT(C("thanks :)"), C("thanks"));
  EXPECT_LT(C("late again :("), -0.05);
  EXPECT_GT(C("<3"), 0.05);
  EXPECT_LT(C("ઓર્ડર 😡"), -0.05);  // emoji score in every language
  // Emoticons the tokenizer splits are still read whole from the lexicon.
  EXPECT_LT(C("lost my pen :l"), C("lost my pen"));
  EXPECT_LT(C("first day of the season >:["), -0.05);
}

TEST_F(AnalyzerTest, UnknownWordsScoreZeroWhateverTheirName) {
  for (std::string_view w : {"constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "prototype", "length",
                             "undefined", "NaN"}) {
    SentimentScore s = analyzer_->Score(w);
    EXPECT_EQ(s.compound, 0.0) << w;
    EXPECT_EQ(s.label(), "neutral");
  }
}

TEST_F(AnalyzerTest, HashtagsScoreTheirWords) {
  EXPECT_LT(C("#WorstServiceEver"), -0.05);
  EXPECT_GT(C("#LoveIt"), 0.05);
}

TEST_F(AnalyzerTest, LongTextsDoNotSaturate) {
  std::string positive, mixed;
  for (int i = 0; i < 50; ++i) positive += "The product is great. ";
  positive += "Delivery was awful.";
  for (int i = 0; i < 30; ++i) mixed += "I love the screen. I hate the battery. ";
  double p = C(positive);
  EXPECT_GT(p, 0.5);
  EXPECT_LT(p, 0.95);
  EXPECT_LT(std::fabs(C(mixed)), 0.5);
  // A short text of the same sentences still counts each one.
  EXPECT_GT(C("Great screen. Great battery. Great price."), C("Great screen."));
}

TEST_F(AnalyzerTest, BrandTargetedScore) {
  // "Acme was great but their rival is awful": the text leans negative, Acme's clause is positive.
  std::string_view text = "Acme was great but their rival is awful";
  CodePointSpan acme{0, 4};
  ScoreRequest req;
  req.targets = std::span<const CodePointSpan>(&acme, 1);
  SentimentScore s = analyzer_->Score(text, req);
  EXPECT_LT(s.compound, -0.05);
  ASSERT_TRUE(s.target.has_value());
  EXPECT_GT(*s.target, 0.05);

  std::string_view issue = "Their rival is awful but Acme was great";
  CodePointSpan acme2{25, 29};
  req.targets = std::span<const CodePointSpan>(&acme2, 1);
  EXPECT_GT(*analyzer_->Score(issue, req).target, 0.05);

  std::string_view two = "Acme is wonderful. Globex is a disaster.";
  CodePointSpan globex{19, 25};
  req.targets = std::span<const CodePointSpan>(&globex, 1);
  EXPECT_LT(*analyzer_->Score(two, req).target, -0.05);
  EXPECT_FALSE(analyzer_->Score(two).target.has_value());

  // Offsets are code points: a Gujarati sentence before the brand.
  std::string_view gu = "ખૂબ ખરાબ છે. Acme સરસ છે";
  CodePointSpan acme3{13, 17};
  req.targets = std::span<const CodePointSpan>(&acme3, 1);
  EXPECT_GT(*analyzer_->Score(gu, req).target, 0.05);
  // Spans past the end do not crash.
  CodePointSpan far{1000, 1004};
  req.targets = std::span<const CodePointSpan>(&far, 1);
  EXPECT_TRUE(analyzer_->Score("good", req).target.has_value());
}

TEST_F(AnalyzerTest, BrandOverridesApplyWithoutTouchingOthers) {
  std::string_view text = "this skateboard is sick";
  EXPECT_LT(C(text), -0.05);
  auto skate = analyzer_->MakeOverrides({{"sick", 2}});
  ASSERT_TRUE(skate.ok());
  ScoreRequest req;
  req.overrides = &*skate;
  EXPECT_GT(analyzer_->Score(text, req).compound, 0.05);
  EXPECT_LT(C(text), -0.05);  // other brands unchanged
  auto neutral = analyzer_->MakeOverrides({{"SICK", 0}});
  ASSERT_TRUE(neutral.ok());
  req.overrides = &*neutral;
  EXPECT_EQ(analyzer_->Score(text, req).compound, 0.0);
  auto bad = analyzer_->MakeOverrides({{"sick", 4.5}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("sick"), std::string::npos);
}

TEST_F(AnalyzerTest, GlobalOverridesAndExtraLexiconFiles) {
  brandmon::testing::TempDir dir;
  SentimentOptions options;
  options.lexicon_files.push_back(dir.Write("slang.tsv", "gnarly\t2.5\nsick\t1\n"));
  options.lexicon = {{"sick", 2}};
  auto a = Analyzer::Load(std::string(BRANDMON_SOURCE_DIR) + "/data", options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GT(a->Score("gnarly").compound, 0.05);
  // The map's 2 wins over the file's 1: one word of valence v scores v / sqrt(v^2 + 15).
  EXPECT_NEAR(a->Score("sick").compound, 2 / std::sqrt(4.0 + 15.0), 1e-4);

  options.lexicon_files = {(dir.path() / "missing.tsv").string()};
  auto missing = Analyzer::Load(std::string(BRANDMON_SOURCE_DIR) + "/data", options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.tsv"), std::string::npos);
  EXPECT_FALSE(Analyzer::Load(dir.path().string(), SentimentOptions{}).ok());
}

TEST_F(AnalyzerTest, LanguageIsIdentifiedOrPinned) {
  EXPECT_EQ(analyzer_->Score("The service was great").lang, "en");
  EXPECT_EQ(analyzer_->Score("El servicio es muy bueno y la comida también").lang, "es");
  EXPECT_EQ(analyzer_->Score("સરસ").lang, "gu");
  EXPECT_EQ(analyzer_->Score("很好").lang, "zh");
  ScoreRequest req;
  req.lang = "hi";
  SentimentScore s = analyzer_->Score("service bakwas hai", req);
  EXPECT_EQ(s.lang, "hi");
  EXPECT_LT(s.compound, -0.05);  // Latin words look in romanized Hindi
}

TEST_F(AnalyzerTest, ShortEnglishTextsWithNoAreEnglish) {
  // "no" is an English function word as much as a Portuguese or Catalan
  // one: a short English text with "no" is read as English (or as "und",
  // too short to tell, which is scored as English) and its "no" scores.
  for (std::string_view text : {"no such thing", "No and no.", "there's no other way man", "no perks!"}) {
    SentimentScore s = analyzer_->Score(text);
    EXPECT_TRUE(s.lang == "en" || s.lang == "und") << text << ": " << s.lang;
    EXPECT_LT(s.compound, -0.05) << text;
  }
  EXPECT_EQ(analyzer_->Score("Estou no trabalho e o dia está ótimo").lang, "pt");
  EXPECT_EQ(analyzer_->Score("No m'agrada gens, és molt dolent i no funciona").lang, "ca");
}

TEST_F(AnalyzerTest, EnglishWordsTellEnglishWithoutTheCharacterModel) {
  // Short repeated English words can read like another language to
  // character n-grams; words the English lexicon knows, and English
  // function words, settle them as English, through either path.
  for (std::string_view text : {"Haha haha haha lol", "Super super super", "Fail fail fail", "Lame lame lame"}) {
    for (bool general : {false, true}) {
      ScoreRequest req;
      req.general_path = general;
      SentimentScore s = analyzer_->Score(text, req);
      EXPECT_EQ(s.lang, "en") << text << (general ? " (general path)" : "");
      EXPECT_TRUE(s.scored) << text;
      EXPECT_NE(s.label(), "neutral") << text;
    }
  }
  // Other languages' function words are not outvoted by an English word or
  // two, and text English does not know is left to the model.
  EXPECT_EQ(analyzer_->Score("el servicio no es bueno y la comida es muy mala, pero el precio es bajo").lang, "es");
  EXPECT_EQ(analyzer_->Score("ik heb het niet gedaan want het was te laat").lang, "nl");
  EXPECT_EQ(analyzer_->Score("bahut badhiya hai yaar, mast service").lang, "hi");
}

TEST_F(AnalyzerTest, ShortPostsEnglishKnowsAreEnglishAndOthersKeepTheirLanguage) {
  // One word the English lexicon knows reads to character n-grams as
  // French, Spanish or Hinglish as often as not ("excellent" is French too,
  // "haha" common in Hinglish tweets); English settles it, through either
  // path, handles and emoticons aside.
  for (std::string_view text : {"Excellent!", "Adorable.", "@acme haha :)", "Outrageous!", "@acme_help lol"}) {
    for (bool general : {false, true}) {
      ScoreRequest req;
      req.general_path = general;
      SentimentScore s = analyzer_->Score(text, req);
      EXPECT_EQ(s.lang, "en") << text << (general ? " (general path)" : "");
      EXPECT_TRUE(s.scored) << text;
    }
  }
  // Short posts with words of their own language keep it.
  EXPECT_EQ(analyzer_->Score("bahut acha hai").lang, "hi");
  EXPECT_EQ(analyzer_->Score("kya bakwas hai").lang, "hi");
  EXPECT_EQ(analyzer_->Score("Gracias!").lang, "es");
  EXPECT_EQ(analyzer_->Score("Muy bueno!").lang, "es");
  EXPECT_EQ(analyzer_->Score("Danke!").lang, "de");
  EXPECT_EQ(analyzer_->Score("Sehr gut!").lang, "de");
  // One word with no clear language: another language's stopword as much
  // as English's, or a sound no lexicon knows.
  EXPECT_EQ(analyzer_->Score("No").lang, "und");
  EXPECT_EQ(analyzer_->Score("Hmmm...").lang, "und");
}

TEST_F(AnalyzerTest, AsciiTextsScoreAsTheGeneralPathDoes) {
  // ASCII texts skip repair and normalization, and English ones take a
  // one-pass path of their own; a no-break space, which tokenizes as a space
  // but is not ASCII, sends the same text down the general path. It follows
  // an ASCII space: an emoticon chunk ends at ASCII white space only.
  for (std::string_view text :
       {"The service was GREAT but the food is not good at all :-)", "I DON'T like it, isn't it kind of BAD?",
        "@acme_help the app is very, very slow #WorstServiceEver", "no problem, happy to help!!! <3",
        "It was never so good. But the staff were rude", "watched Fight Club tonight and it was the best",
        // Bytes next to 'A' and 'Z' ('@', '[', '`', '{') keep their case-free form.
        "the queue was long :[ and the app crashed :@", "GREAT update =] works @ home [ok] `{fine}`",
        // Caps, emoticon chunks and stopwords of other languages.
        "lost my pen :l but the new one is SO GOOD", "XD that was AWESOME", "Das ist nicht gut, aber OK",
        "el servicio es muy malo y la comida peor", "a GREAT day\nI LOVE it \nbut NOT the rain :("}) {
    SentimentScore ascii = analyzer_->Score(text);
    SentimentScore general = analyzer_->Score(std::string(text) + " \u00a0");
    EXPECT_EQ(ascii.compound, general.compound) << text;
    EXPECT_EQ(ascii.pos, general.pos) << text;
    EXPECT_EQ(ascii.neg, general.neg) << text;
    EXPECT_EQ(ascii.lang, general.lang) << text;
    EXPECT_NE(ascii.compound, 0.0) << text;
  }
}

// Scores `text` through the ASCII path (when it takes it) and the general
// path, plain, with brand overrides, with brand spans and with English
// pinned, and expects the same results bit for bit.
void ExpectPathsAgree(const Analyzer& analyzer, const LexiconOverrides& overrides, std::string_view text) {
  CodePointSpan spans[] = {{0, 1}, {4, 9}, {20, 21}};
  for (int variant = 0; variant < 4; ++variant) {
    ScoreRequest fast;
    if (variant == 1) fast.overrides = &overrides;
    if (variant == 2) fast.targets = spans;
    if (variant == 3) fast.lang = "en";
    ScoreRequest general = fast;
    general.general_path = true;
    SentimentScore a = analyzer.Score(text, fast);
    SentimentScore b = analyzer.Score(text, general);
    EXPECT_EQ(a.compound, b.compound) << variant << ": " << text;
    EXPECT_EQ(a.pos, b.pos) << variant << ": " << text;
    EXPECT_EQ(a.neu, b.neu) << variant << ": " << text;
    EXPECT_EQ(a.neg, b.neg) << variant << ": " << text;
    EXPECT_EQ(a.lang, b.lang) << variant << ": " << text;
    EXPECT_EQ(a.target, b.target) << variant << ": " << text;
  }
}

TEST_F(AnalyzerTest, AsciiPathAgreesWithTheGeneralPath) {
  auto overrides = analyzer_->MakeOverrides({{"good", -2.0}, {"service", 1.5}, {"not", 1.0}, {"kind of", 2.0}});
  ASSERT_TRUE(overrides.ok());
  std::vector<std::string> texts = {
      // Case, caps emphasis, negation, boosters, contrast, punctuation.
      "The service was GREAT but the food is not good at all",
      "I DON'T like it, isn't it kind of BAD?",
      "THE FOOD IS GOOD",
      "the food is good, NOT bad!!!",
      "Very very good. But the staff were rude!",
      "It was never so good... honestly",
      "is it a bad thing?? no, it is not",
      "What a waste of money?!",
      "this new phone is the bomb, yeah right",
      "no problem, happy to help!!!",
      "I like, no, love it (really) - and you; me: too",
      "watched Fight Club tonight and it was the best",
      "Super 8 was super good and Top Gun was Great",
      "sort of good, kind of bad, just kidding",
      // Line breaks start sentences; phrases read across them.
      "a GREAT day\nI LOVE it \nbut NOT the rain",
      "thumbs\nup for the kind\r\nof service",
      // Emoticons, emoticon chunks, handles, hashtags, URLs, numbers.
      "thanks :) but late again :( :-( ;) xD XD <3 </3",
      "lost my pen :l and the app crashed :@ >:[ (: :-/",
      "good:) hmm:( o_O T_T ^_^ -_- 8) 8-)",
      "@acme_help the app is very, very slow #WorstServiceEver",
      "#kindOf #good_bad #USAToday #2015best #top10worst #x #",
      "see http://t.co/Ab1 and www.good.com or HTTPS://x.y/good?bad",
      "it costs 1,000 or 3.5 or 12-abc or co-op or well-known 2nd 4real",
      "don't can't won't it's 'quoted' trailing' -dash dash-",
      "\"good\" (good) good.bad good,bad good!bad good?bad",
      // Other languages in ASCII: the vote leaves the ASCII path.
      "Das ist nicht gut, aber OK",
      "el servicio es muy malo y la comida peor",
      "la comida es muy buena pero el servicio no",
      "service bakwas hai yaar, bahut kharab",
      "yeh phone accha hai but battery bekaar hai",
      "Estou no trabalho e o dia esta otimo",
      "No m'agrada gens, es molt dolent",
      "c'est vraiment nul, je ne suis pas content",
      "No, no, no. Not good",
      // Not ASCII at all.
      "caf\u00e9 terrible \U0001F621",
      "good \u00a0 bad",
      // Edges.
      "",
      " ",
      "a",
      "!",
      ":)",
      "#",
      "@",
      "good",
      "GOOD",
      "\v:)\f good \t bad \x01",
  };
  // Every pair of some fragments, so that each rule meets the others.
  const std::vector<std::string> fragments = {
      "good", "NOT",   "bad",     "but",  "very", "kind of",   "the bomb", ":)", ":(", "?",     "!",           ".", ",",
      "no",   "Great", "#LoveIt", "@bob", "3.5",  "muy bueno", "hai",      "\n", "xD", "isn't", "http://x.co", "-",
  };
  for (const auto& a : fragments) {
    for (const auto& b : fragments) {
      texts.push_back(a + " " + b + " it was");
      texts.push_back("so " + a + b + " " + a);
    }
  }
  for (const auto& text : texts) ExpectPathsAgree(*analyzer_, *overrides, text);
}

TEST_F(AnalyzerTest, HostileInput) {
  std::string emoji;
  while (emoji.size() < (1u << 20)) emoji += "😡";
  SentimentScore s = analyzer_->Score(emoji);
  EXPECT_LT(s.compound, -0.05);
  EXPECT_GE(s.compound, -1.0);

  std::string word(100000, 'x');
  EXPECT_EQ(analyzer_->Score(word).compound, 0.0);
  std::string han;
  for (int i = 0; i < 20000; ++i) han += "好";
  s = analyzer_->Score(han);
  EXPECT_TRUE(std::isfinite(s.compound));

  for (std::string bytes : {std::string("\xFF\xFE\xFD good"), std::string("bad \xC3"), std::string("\0\0\0", 3),
                            std::string("\xED\xA0\x80\xF4\x90\x80\x80"), std::string(5000, '!'), std::string(5000, '.'),
                            std::string("\x1B[31mred\x1B[0m"), std::string(10000, '#')}) {
    s = analyzer_->Score(bytes);
    EXPECT_TRUE(std::isfinite(s.compound));
    EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-9);
  }
  EXPECT_GT(analyzer_->Score("\xFF good").compound, 0.05);

  std::string sentences;
  for (int i = 0; i < 70000; ++i) sentences += "ok. ";  // more sentences than a sentence index holds
  EXPECT_TRUE(std::isfinite(analyzer_->Score(sentences).compound));

  // One sentence of a megabyte of handles and one-letter words, which have
  // no unit: each word's bookkeeping stays constant, or this takes many
  // seconds. Its first word is "a", so the question does not ask.
  std::string letters;
  for (int i = 0; i < 200000; ++i) letters += "@h a ";
  EXPECT_GT(analyzer_->Score(letters + "is it good?").compound, 0.05);
  ScoreRequest general;
  general.general_path = true;
  EXPECT_DOUBLE_EQ(analyzer_->Score(letters, general).compound, 0.0);
}

TEST_F(AnalyzerTest, EveryScriptScoresWithoutError) {
  for (std::string_view text : {"Привет, это отлично", "שלום עולם", "Γεια σου κόσμε", "안녕하세요 좋아요", "ร้านนี้ดีมาก",
                                "ሰላም", "வணக்கம்", "ᚠᚢᚦ", "𝔤𝔬𝔬𝔡", "ｇｏｏｄ ｊｏｂ", "e\xCC\x81\xCC\x81\xCC\x81"}) {
    SentimentScore s = analyzer_->Score(text);
    EXPECT_TRUE(std::isfinite(s.compound)) << text;
    EXPECT_FALSE(s.lang.empty());
  }
}

TEST_F(AnalyzerTest, ScoringIsThreadSafe) {
  std::vector<std::string> texts = {"I love it", "ખૂબ ખરાબ", "很好", "no problem at all", "El servicio es malo"};
  std::vector<double> want;
  for (const auto& t : texts) want.push_back(C(t));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(2, 0);
  for (int k = 0; k < 2; ++k) {
    threads.emplace_back([&, k] {
      for (int r = 0; r < 200; ++r) {
        for (size_t i = 0; i < texts.size(); ++i) mismatches[k] += analyzer_->Score(texts[i]).compound != want[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches[0] + mismatches[1], 0);
}

TEST_F(AnalyzerTest, LexiconsFitTheMemoryBudget) {
  EXPECT_LT(analyzer_->MemoryBytes(), 50u * 1000 * 1000);
  auto langs = analyzer_->Languages();
  for (const char* want : {"en", "es", "pt", "fr", "de", "it", "ca", "nl", "pl", "tr", "id", "ar", "hi", "hi-latn",
                           "gu", "ru", "zh", "ja", "ko"}) {
    EXPECT_NE(std::find(langs.begin(), langs.end(), want), langs.end()) << want;
  }
}

// testdata/<lang>.tsv: expected language<TAB>expected label<TAB>text, written
// for these tests. Each table must label at least 80% right, never with the
// opposite polarity, and identify the language of at least 90%.
TEST_F(AnalyzerTest, PerLanguageTables) {
  std::string dir = std::string(BRANDMON_SOURCE_DIR) + "/tests/daemon/sentiment/testdata";
  int tables = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tsv") continue;
    ++tables;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0, right = 0, lang_right = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string lang, label, text;
      std::getline(ss, lang, '\t');
      std::getline(ss, label, '\t');
      std::getline(ss, text);
      SentimentScore s = analyzer_->Score(text);
      ++n;
      right += s.label() == label;
      lang_right += s.lang == lang;
      bool opposite =
          (label == "positive" && s.label() == "negative") || (label == "negative" && s.label() == "positive");
      EXPECT_FALSE(opposite) << entry.path().filename() << ": " << text << " scored " << s.compound;
    }
    ASSERT_GT(n, 0) << entry.path();
    EXPECT_GE(right * 10, n * 8) << entry.path().filename() << ": " << right << "/" << n;
    EXPECT_GE(lang_right * 10, n * 9) << entry.path().filename() << ": language " << lang_right << "/" << n;
  }
  EXPECT_GE(tables, 13);
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double n = static_cast<double>(x.size()), mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// A guard against regressions on the VADER tweets ground truth; the goal and
// the full figures live in bench/sentiment.
TEST_F(AnalyzerTest, GroundTruthGuard) {
  std::string path = std::string(BRANDMON_SOURCE_DIR) + "/tests/data/sentiment/tweets_groundtruth.tsv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "no ground truth at " << path;
  std::vector<double> gold, pred;
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    gold.push_back(std::strtod(line.c_str() + a + 1, nullptr));
    pred.push_back(C(std::string_view(line).substr(b + 1)));
  }
  ASSERT_GT(gold.size(), 4000u);
  EXPECT_GE(Pearson(gold, pred), 0.85);
}

}  // namespace
}  // namespace brandmon::sentiment

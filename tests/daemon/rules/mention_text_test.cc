#include "daemon/rules/mention_text.h"

#include <gtest/gtest.h>

namespace brandmon::rules {
namespace {

Mention Of(std::string title, std::string text) {
  Mention m;
  m.title = std::move(title);
  m.text = std::move(text);
  return m;
}

// The words of each sentence, joined by spaces.
std::vector<std::string> SentenceWords(const MentionText& t) {
  std::vector<std::string> out;
  for (const Sentence& s : t.sentences) {
    std::string joined;
    for (uint32_t w = s.word_begin; w < s.word_end; ++w) joined += (joined.empty() ? "" : " ") + t.words[w];
    out.push_back((s.title ? "T:" : "") + joined + (s.question ? "?" : ""));
  }
  return out;
}

TEST(SplitMentionTest, TheTitleIsASentenceAheadOfTheTextsSentences) {
  MentionText t = SplitMention(Of("Acme recall", "Acme recalls toasters. Why now? Nobody knows"));
  EXPECT_EQ(SentenceWords(t),
            (std::vector<std::string>{"T:acme recall", "acme recalls toasters", "why now?", "nobody knows"}));
  EXPECT_EQ(t.words.size(), 9u);
  ASSERT_EQ(t.sentences.size(), 4u);
  EXPECT_EQ(t.sentences[0].cp_begin, 0u);
  EXPECT_EQ(t.sentences[0].cp_end, 11u);
  EXPECT_EQ(t.sentences[1].cp_begin, 0u) << "code points of the text, not of the title";
  EXPECT_EQ(t.sentences[2].cp_begin, 23u);
  EXPECT_EQ(t.sentences[3].cp_end, 44u);
}

TEST(SplitMentionTest, QuestionMarksOfEveryScriptAndSentenceEndsOfDevanagari) {
  MentionText t = SplitMention(Of("", "¿Alguien sabe? मेरा ऑर्डर कहाँ है। क्या आएगा? ¿Qué pasa"));
  EXPECT_EQ(SentenceWords(t), (std::vector<std::string>{"alguien sabe?", "मेरा ऑर्डर कहाँ है", "क्या आएगा?", "qué pasa?"}));
  EXPECT_TRUE(SplitMention(Of("", "")).sentences.empty());
  EXPECT_EQ(SentenceWords(SplitMention(Of("Only a title?", ""))), std::vector<std::string>{"T:only a title?"});
}

TEST(SplitMentionTest, HostileTextSplitsSafely) {
  std::string bytes("acme\0\xFF\xC3 recall?\xE2\x80. next", 22);
  MentionText t = SplitMention(Of(bytes, bytes));
  EXPECT_GE(t.sentences.size(), 2u);
  for (const Sentence& s : t.sentences) {
    EXPECT_LE(s.word_begin, s.word_end);
    EXPECT_LE(s.word_end, t.words.size());
    EXPECT_LE(s.cp_begin, s.cp_end);
  }
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "ab. ";
  EXPECT_EQ(SplitMention(Of("", many)).sentences.size(), 20000u);
}

TEST(FocusTest, SalienceIsTitleLeadOrShareOfSentences) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "Sentence " + std::to_string(i) + " is here. ";
  Mention m = Of("A title", text);
  MentionText t = SplitMention(m);
  ASSERT_EQ(t.sentences.size(), 11u);
  auto word_of = [&](size_t sentence) { return t.sentences[sentence].word_begin; };
  // Named once in passing, in text sentence 8 of 10.
  Focus passing = FocusOf(t.sentences, {}, {word_of(8)});
  EXPECT_EQ(passing.text_sentences, 10u);
  EXPECT_EQ(passing.sentences, std::vector<uint32_t>{8});
  EXPECT_DOUBLE_EQ(passing.salience, 0.2);
  EXPECT_DOUBLE_EQ(FocusOf(t.sentences, {}, {word_of(2)}).salience, 0.75) << "in the second sentence of the text";
  EXPECT_DOUBLE_EQ(FocusOf(t.sentences, {}, {word_of(3), word_of(5), word_of(7)}).salience, 0.6);
  EXPECT_DOUBLE_EQ(FocusOf(t.sentences, {{0, 5, true}}, {}).salience, 1) << "in the title";
  Focus by_span = FocusOf(t.sentences, {{t.sentences[9].cp_begin + 2, t.sentences[9].cp_begin + 6, false}}, {});
  EXPECT_EQ(by_span.sentences, std::vector<uint32_t>{9}) << "a span finds its sentence by code point";
  EXPECT_FALSE(by_span.in_title);
  Focus shortish = FocusOf(SplitMention(Of("", "One. Two. Three.")).sentences, {}, {});
  EXPECT_DOUBLE_EQ(shortish.salience, 1) << "all of a short text is about what it names";
}

TEST(ExcerptTest, QuotesTheSentencesOnOneLineAndCutsAroundTheMatch) {
  Mention m = Of("", "First one.\n\tSecond   one is here.  Third.");
  MentionText t = SplitMention(m);
  ASSERT_EQ(t.sentences.size(), 3u);
  EXPECT_EQ(Excerpt(m, t.sentences, 1, 1, 0, 100), "Second one is here.");
  EXPECT_EQ(Excerpt(m, t.sentences, 0, 1, 0, 100), "First one. Second one is here.");
  EXPECT_EQ(Excerpt(m, t.sentences, 2, 1, 0, 100), "");
  EXPECT_EQ(Excerpt(m, t.sentences, 0, 3, 0, 100), "");

  std::string words;
  for (int i = 0; i < 60; ++i) words += "w" + std::to_string(i) + " ";
  words += "ACME is here and then ";
  for (int i = 60; i < 120; ++i) words += "w" + std::to_string(i) + " ";
  Mention long_one = Of("", words);
  MentionText lt = SplitMention(long_one);
  uint32_t acme = static_cast<uint32_t>(words.find("ACME"));  // ASCII: bytes are code points
  std::string cut = Excerpt(long_one, lt.sentences, 0, 0, acme, 60);
  EXPECT_LE(cut.size(), 60u);
  EXPECT_EQ(cut.rfind("...", 0), 0u) << cut;
  EXPECT_EQ(cut.substr(cut.size() - 3), "...") << cut;
  EXPECT_NE(cut.find("ACME is here"), std::string::npos) << cut;
  EXPECT_EQ(cut.find("  "), std::string::npos) << cut;
  EXPECT_EQ(cut[3], 'w') << "cut at a space: " << cut;
}

TEST(ExcerptTest, CountsCodePointsAndNeverSplitsOne) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "मेरा ";
  text += "Acme";
  Mention m = Of("", text);
  MentionText t = SplitMention(m);
  std::string cut = Excerpt(m, t.sentences, 0, 0, 500, 40);
  EXPECT_NE(cut.find("Acme"), std::string::npos) << cut;
  EXPECT_LE(cut.size(), 40u * 3);
  Mention broken = Of("", "caf\xC3 \xFF Acme \xE2\x82 done");
  std::string repaired = Excerpt(broken, SplitMention(broken).sentences, 0, 0, 0, 100);
  EXPECT_EQ(ValidUtf8(repaired), repaired) << "invalid bytes become U+FFFD";
  EXPECT_NE(repaired.find("Acme"), std::string::npos);
  std::string no_spaces(300, 'x');
  Mention dense = Of("", "\xE0\xA4\xAE" + no_spaces + "\xE0\xA4\xAE");
  std::string dense_cut = Excerpt(dense, SplitMention(dense).sentences, 0, 0, 150, 20);
  EXPECT_EQ(dense_cut.size(), 20u) << dense_cut;
  EXPECT_EQ(ValidUtf8(dense_cut), dense_cut);
}

}  // namespace
}  // namespace brandmon::rules

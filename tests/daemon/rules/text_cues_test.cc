#include "daemon/rules/text_cues.h"

#include <gtest/gtest.h>

namespace brandmon::rules {
namespace {

using Strings = std::vector<std::string>;

TEST(WordsTest, SplitsLowercasesAndKeepsTagsAndInnerPunctuation) {
  struct Case {
    std::string text;
    Strings words;
  };
  for (const Case& c : {
           Case{"Hello, World!", {"hello", "world"}},
           Case{"@AcmeCorp why?? #Fail", {"@acmecorp", "why", "#fail"}},
           Case{"doesn't work, re-install", {"doesn't", "work", "re-install"}},
           Case{"doesn\xE2\x80\x99t", {"doesn't"}},
           Case{"\xE2\x80\x9Cquoted\xE2\x80\x9D\xE2\x80\xA6next", {"quoted", "next"}},
           Case{"caf\xC3\xA9 cr\xC3\xA8me", {"caf\xC3\xA9", "cr\xC3\xA8me"}},
           Case{"# @ - ' trailing- 'quote'", {"trailing", "quote"}},
           Case{"see https://acme.com/x?y=1 now", {"see", "now"}},
           Case{"#WorstServiceEver 3.5 stars", {"#worstserviceever", "3.5", "stars"}},
           Case{"", {}},
       }) {
    EXPECT_EQ(Words(c.text), c.words) << c.text;
  }
}

TEST(WordsTest, HostileInputIsSafe) {
  std::string nul("a\0b", 3);
  EXPECT_EQ(Words(nul), (Strings{"a", "b"}));
  EXPECT_EQ(Words("\xFF\xFE \xC3"), Strings{});  // repaired to U+FFFD, which is no word
  std::string huge(4 << 20, 'x');
  EXPECT_EQ(Words(huge).size(), 1u);
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "ab ";
  EXPECT_EQ(Words(many).size(), 100000u);
}

TEST(WordsTest, FoldsEveryScriptAsTheTokenizerSplitsIt) {
  struct Case {
    std::string text;
    Strings words;
  };
  for (const Case& c : {
           Case{"¿DÓNDE está mi pedido?", {"dónde", "está", "mi", "pedido"}},
           Case{"¡ATENCIÓN al CLIENTE!", {"atención", "al", "cliente"}},
           Case{"Do\xCC\x81nde", {"dónde"}},  // decomposed accent
           Case{"ÇA NE MARCHE PAS", {"ça", "ne", "marche", "pas"}},
           Case{"acme का ऑफ़र धोखा।", {"acme", "का", "ऑफ़र", "धोखा"}},
           Case{"મારું રિફંડ ક્યાં છે?", {"મારું", "રિફંડ", "ક્યાં", "છે"}},
           Case{"ΓΕΙΑ σου", {"γεια", "σου"}},
       }) {
    EXPECT_EQ(Words(c.text), c.words) << c.text;
  }
}

TEST(ContainsPhraseTest, CuesMatchAcrossCaseAndScripts) {
  EXPECT_TRUE(ContainsPhrase(Words("¿CÓMO PUEDO cancelar?"), "cómo puedo"));
  EXPECT_TRUE(ContainsPhrase(Words("Mi pedido NUNCA LLEGÓ."), "nunca llegó"));
  EXPECT_TRUE(ContainsPhrase(Words("कोई जवाब नहीं।"), "जवाब नहीं"));
  EXPECT_FALSE(ContainsPhrase(Words("कोई जवाबनहीं"), "जवाब नहीं"));
}

TEST(ContainsPhraseTest, WholeConsecutiveWordsOnly) {
  Strings words = Words("Still waiting for my refund, how do I reach @acme?");
  EXPECT_TRUE(ContainsPhrase(words, "still waiting"));
  EXPECT_TRUE(ContainsPhrase(words, "How do I"));
  EXPECT_TRUE(ContainsPhrase(words, "refund"));
  EXPECT_TRUE(ContainsPhrase(words, "@Acme"));
  EXPECT_FALSE(ContainsPhrase(words, "acme"));  // the handle is its own word
  EXPECT_FALSE(ContainsPhrase(words, "refunds"));
  EXPECT_FALSE(ContainsPhrase(words, "waiting still"));
  EXPECT_FALSE(ContainsPhrase(words, ""));
  EXPECT_FALSE(ContainsPhrase(words, "  ,, "));
  EXPECT_FALSE(ContainsPhrase(Words("scammer"), "scam"));
}

TEST(PhraseSetTest, FindsEveryPhraseThatContainsWordsFinds) {
  const std::vector<std::string> phrases = {"still waiting",     "waiting", "no reply at all", "@acmecorp", "refund",
                                            "still waiting for", ""};
  PhraseSet set;
  for (size_t i = 0; i < phrases.size(); ++i) set.Add(Words(phrases[i]), static_cast<uint32_t>(i % 5));
  EXPECT_EQ(set.id_count(), 5u);
  for (const std::string text : {"Still waiting for a REFUND @AcmeCorp", "no reply at", "no reply at all!", "waiting",
                                 "stillwaiting refunds", ""}) {
    std::vector<uint8_t> found(set.id_count(), 0);
    std::vector<std::string> words = Words(text);
    set.Find(words, found);
    std::vector<uint8_t> expected(set.id_count(), 0);
    for (size_t i = 0; i < phrases.size(); ++i) {
      if (ContainsPhrase(words, phrases[i])) expected[i % 5] = 1;
    }
    EXPECT_EQ(found, expected) << text;
  }
}

TEST(PhraseSetTest, HitsSayWhereEachPhraseOccursEveryTime) {
  PhraseSet set;
  set.Add(Words("still waiting"), 0);
  set.Add(Words("waiting"), 1);
  set.Add(Words("my"), 2);
  set.Add(Words("still"), 0);  // a shorter phrase of the same id, at the same word
  std::vector<uint8_t> found(3, 0);
  std::vector<PhraseHit> hits;
  set.Find(Words("still waiting for my refund, my order, still waiting"), found, &hits);
  EXPECT_EQ(found, (std::vector<uint8_t>{1, 1, 1}));
  EXPECT_EQ(hits, (std::vector<PhraseHit>{{0, 0}, {1, 1}, {2, 3}, {2, 5}, {0, 7}, {1, 8}}));
}

TEST(CuesTest, LanguageSelectsItsListElseAll) {
  auto en = CuesFor("en-GB");
  ASSERT_EQ(en.size(), 1u);
  EXPECT_EQ(en[0]->lang, "en");
  auto fr = CuesFor("FR");
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_EQ(fr[0]->lang, "fr");
  EXPECT_EQ(CuesFor("").size(), BuiltinCues().size());
  EXPECT_EQ(CuesFor("xx").size(), BuiltinCues().size());
  auto hinglish = CuesFor("hi-Latn");
  ASSERT_EQ(hinglish.size(), 2u) << "Hinglish mixes in English";
  EXPECT_EQ(hinglish[0]->lang, "hi");
  EXPECT_EQ(hinglish[1]->lang, "en");
  std::vector<std::string_view> langs;
  for (const auto& cues : BuiltinCues()) {
    langs.push_back(cues.lang);
    EXPECT_FALSE(cues.questions.empty()) << cues.lang;
    EXPECT_FALSE(cues.complaints.empty()) << cues.lang;
    EXPECT_FALSE(cues.first_person.empty()) << cues.lang;
    for (const auto* list : {&cues.questions, &cues.complaints, &cues.first_person}) {
      for (auto cue : *list) EXPECT_FALSE(Words(cue).empty()) << cue;
    }
    for (auto word : cues.first_person) EXPECT_EQ(Words(word).size(), 1u) << "one word: " << word;
  }
  EXPECT_EQ(langs, (std::vector<std::string_view>{"en", "fr", "de", "es", "it", "pt", "nl", "hi", "gu"}));
}

// Each language's cues find what a customer writes in it.
TEST(CuesTest, QuestionsComplaintsAndFirstPersonInEachLanguage) {
  struct Case {
    const char* lang;
    const char* text;
    bool question, complaint, first_person;
  };
  for (const Case& c : {
           Case{"en", "Does anyone know if my order shipped", true, false, true},
           Case{"en", "still waiting, unacceptable", false, true, false},
           Case{"es", "¿Alguien sabe si mi pedido salió?", true, false, true},
           Case{"es", "la lavadora dejó de funcionar", false, true, false},
           Case{"hi", "क्या किसी को पता है, मेरा ऑर्डर कहाँ है", true, false, true},
           Case{"hi", "टोस्टर खराब हो गया", false, true, false},
           Case{"hi", "kya kisi ko pata hai mera order kahan hai", true, false, true},
           Case{"hi", "mixer kaam nahi kar raha", false, true, false},
           Case{"hi", "still waiting", false, true, false},
           Case{"gu", "શું કોઈને ખબર છે મારો ઓર્ડર ક્યારે આવશે", true, false, true},
           Case{"gu", "કેટલ બગડી ગયું", false, true, false},
       }) {
    std::vector<std::string> words = Words(c.text);
    bool question = false, complaint = false, first_person = false;
    for (const LanguageCues* cues : CuesFor(c.lang)) {
      for (auto cue : cues->questions) question |= ContainsPhrase(words, cue);
      for (auto cue : cues->complaints) complaint |= ContainsPhrase(words, cue);
      for (auto word : cues->first_person) first_person |= ContainsPhrase(words, word);
    }
    EXPECT_EQ(question, c.question) << c.text;
    EXPECT_EQ(complaint, c.complaint) << c.text;
    EXPECT_EQ(first_person, c.first_person) << c.text;
  }
}

TEST(WordSetTest, HoldsExactlyItsWords) {
  const std::vector<std::string_view> members = {"acme", "acm\xC3\xA9", "a", "x-ray",
                                                 "\xE0\xA4\xA7\xE0\xA5\x8B\xE0\xA4\x96\xE0\xA4\xBE"};
  WordSet set(members.begin(), members.end());
  for (std::string_view w : members) EXPECT_TRUE(set.contains(w)) << w;
  // Words with a member's first byte and length, and others.
  for (std::string_view w : {"acne", "acm", "acmes", "b", "x-rax", "", "\xE0\xA4\xA7"}) {
    EXPECT_FALSE(set.contains(w)) << w;
  }
  set.insert("");
  EXPECT_TRUE(set.contains(""));
  EXPECT_FALSE(WordSet().contains(""));
}

TEST(WordSetTest, LookupsByHashAgreeWithLookupsByText) {
  auto hashed = [](const std::string& w) { return HashedWord{w, text::HashWord(w)}; };
  // Few members leave most hashes' bits clear, many set all of them.
  for (int members : {2, 20000}) {
    std::vector<std::string> words;
    for (int i = 0; i < members; ++i) words.push_back("w" + std::to_string(i));
    WordSet set(words.begin(), words.end());
    for (int i = 0; i < 2 * members + 100; ++i) {
      std::string w = "w" + std::to_string(i);
      EXPECT_EQ(set.contains(hashed(w)), i < members) << w;
      EXPECT_EQ(set.contains(hashed(w)), set.contains(w)) << w;
    }
  }
}

TEST(CuesTest, StopwordsAndQuestionMarks) {
  EXPECT_TRUE(IsStopword("the"));
  EXPECT_TRUE(IsStopword("https"));
  EXPECT_TRUE(IsStopword("und"));
  EXPECT_FALSE(IsStopword("recall"));
  EXPECT_TRUE(HasQuestionMark("why?"));
  EXPECT_TRUE(
      HasQuestionMark("\xC2\xBF"
                      "por qu\xC3\xA9"));
  EXPECT_TRUE(HasQuestionMark("\xE4\xB8\xBA\xE4\xBB\x80\xE4\xB9\x88\xEF\xBC\x9F"));
  EXPECT_TRUE(HasQuestionMark("\xD9\x84\xD9\x85\xD8\xA7\xD8\xB0\xD8\xA7\xD8\x9F"));  // Arabic
  EXPECT_FALSE(HasQuestionMark("no question here."));
}

}  // namespace
}  // namespace brandmon::rules

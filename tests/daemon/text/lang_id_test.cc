#include "daemon/text/lang_id.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace brandmon::text {
namespace {

TEST(LangIdTest, DecisiveScriptsWinEvenInShortText) {
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"સરસ", "gu"},      {"Acme ની સર્વિસ ખૂબ સરસ છે", "gu"},
      {"बहुत अच्छा", "hi"}, {"رائع", "ar"},
      {"很好", "zh"},     {"とても良い", "ja"},
      {"最高です", "ja"}, {"좋아요", "ko"},
      {"ดีมาก", "th"},     {"Ужасный сервис, деньги не вернули", "ru"},
  };
  for (const auto& c : cases) {
    auto g = GuessByScript(c.text);
    ASSERT_TRUE(g.has_value()) << c.text;
    EXPECT_EQ(g->code, c.want) << c.text;
    EXPECT_GT(g->confidence, 0.3);
    EXPECT_EQ(IdentifyLanguage(c.text).code, c.want);
  }
}

TEST(LangIdTest, LanguagesSharingAScriptAreToldApartByTheirLetters) {
  struct Case {
    std::string text;
    std::string want;
  };
  // Complaints written for this test.
  const Case cases[] = {
      {"Жахливий сервіс, гроші так і не повернули", "uk"},
      {"Жахливий сервіс", "uk"},
      {"Я ўжо тыдзень чакаю, а грошы ўсё яшчэ не вярнулі", "be"},
      {"Қызмет өте нашар, ақшамды қайтармады", "kk"},
      {"Ќе ги вратат ли парите? Ѓубре од услуга", "mk"},
      {"Ужасна услуга, новац ми још нису вратили, љут сам", "sr"},
      {"Ужасный сервис, деньги не вернули", "ru"},
      // One Ukrainian place name does not make a Russian post Ukrainian.
      {"Я из Київ, сервис ужасный, деньги не вернули", "ru"},
      {"این شرکت پول مرا پس نمی دهد", "fa"},
      {"یہ سروس بہت خراب ہے، میرے پیسے واپس نہیں کیے", "ur"},
      {"الخدمة سيئة جدا ولم يعيدوا أموالي", "ar"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IdentifyLanguage(c.text).code, c.want) << c.text;
    auto g = GuessByScript(c.text);
    ASSERT_TRUE(g.has_value()) << c.text;
    EXPECT_EQ(g->code, c.want) << c.text;
  }
  // Bulgarian has no letter of its own: its words tell it from Russian.
  EXPECT_EQ(
      IdentifyLanguage("Ужасно обслужване, още не са ми върнали парите, никога повече няма да купувам от тях").code,
      "bg");
}

TEST(LangIdTest, LatinTextGoesToTheModel) {
  EXPECT_FALSE(GuessByScript("the service was great").has_value());
  EXPECT_FALSE(GuessByScript("12345 !!!").has_value());
  // A single Devanagari word in a long English sentence is not decisive.
  EXPECT_FALSE(GuessByScript("I went to the market today and it was a very long day, नमस्ते").has_value());
  struct Case {
    std::string text;
    std::string want;
  };
  // Tweet-length complaints, written for this test, in every Latin-script
  // language the model knows.
  const Case cases[] = {
      {"The customer service was absolutely terrible and nobody answered my calls", "en"},
      {"El servicio al cliente fue terrible y nadie contestó mis llamadas", "es"},
      {"O atendimento foi péssimo e ninguém respondeu às minhas ligações", "pt"},
      {"Le service client était horrible et personne n'a répondu à mes appels", "fr"},
      {"Der Kundenservice war schrecklich und niemand hat meine Anrufe beantwortet", "de"},
      {"Il servizio clienti è stato pessimo e nessuno ha risposto alle mie chiamate", "it"},
      {"El servei d'atenció al client va ser horrible i ningú no em va contestar", "ca"},
      {"De klantenservice was verschrikkelijk en niemand nam de telefoon op", "nl"},
      {"Obsługa klienta była okropna i nikt nie odbierał moich telefonów", "pl"},
      {"Müşteri hizmetleri berbattı ve kimse telefonlarıma cevap vermedi", "tr"},
      {"Layanan pelanggannya buruk sekali dan tidak ada yang menjawab telepon saya", "id"},
      {"yaar ye service bilkul bekaar hai, koi phone nahi uthata", "hi-latn"},
  };
  for (const auto& c : cases) {
    LanguageGuess g = IdentifyLanguage(c.text);
    EXPECT_EQ(g.code, c.want) << c.text;
    EXPECT_GT(g.confidence, 0.0) << c.text;
  }
}

TEST(LangIdTest, HandlesHashtagsUrlsAndEmojiDoNotDecide) {
  // English handles, tags and links around a German complaint.
  EXPECT_EQ(IdentifyLanguage("@AcmeSupport #fail #customerservice Lieferung kommt schon wieder nicht, "
                             "total enttäuscht 😡 https://t.co/abc")
                .code,
            "de");
  // A Hindi post with a Latin-script handle and link stays Hindi.
  EXPECT_EQ(IdentifyLanguage("@AcmeIndia सेवा बहुत खराब है https://acme.example/help").code, "hi");
  // Nothing but handles, tags and links says nothing.
  EXPECT_EQ(IdentifyLanguage("@acme #deals https://acme.example").code, "und");
}

TEST(LangIdTest, HinglishIsNotEnglish) {
  EXPECT_EQ(IdentifyLanguage("bhai kya bakwas product hai, paisa barbaad ho gaya").code, "hi-latn");
  EXPECT_EQ(IdentifyLanguage("the product broke after two days and support never replied").code, "en");
}

TEST(LangIdTest, TooShortOrTooMixedIsUndetermined) {
  EXPECT_EQ(IdentifyLanguage("ok").code, "und");
  EXPECT_EQ(IdentifyLanguage("@user 👍👍").code, "und");
  // One word needs a wide lead: a sound such as "hmmm" leans to Hinglish,
  // whose tweets hold many, by a margin that is a guess on one word.
  EXPECT_EQ(IdentifyLanguage("Hmmm...").code, "und");
  EXPECT_EQ(IdentifyLanguage("@acme Hmmm").code, "und");
  // A word that is its language's own still tells it.
  EXPECT_EQ(IdentifyLanguage("Danke!").code, "de");
  EXPECT_EQ(IdentifyLanguage("Gracias!").code, "es");
  EXPECT_EQ(IdentifyLanguage("bakwas").code, "hi-latn");
}

TEST(LangIdTest, HostileInputNeverFails) {
  // Long runs, control bytes, lone continuation bytes (repaired by callers,
  // but the model must survive them), and text past the model's window.
  std::string long_text(100000, 'a');
  EXPECT_FALSE(IdentifyLanguage(long_text).code.empty());
  std::string words;
  for (int i = 0; i < 5000; ++i) words += "der die das und ";
  EXPECT_EQ(IdentifyLanguage(words).code, "de");
  EXPECT_FALSE(IdentifyLanguage(std::string("\x01\x02 \t\n \x7f", 8)).code.empty());
  EXPECT_EQ(IdentifyLanguage("@").code, "und");
  EXPECT_EQ(IdentifyLanguage("#").code, "und");
}

TEST(LangIdTest, TheModelReadsWordsNotTheirSpacingLinksOrWhatFollowsItsWindow) {
  auto same = [](std::string_view a, std::string_view b) {
    LanguageGuess x = IdentifyLanguage(a), y = IdentifyLanguage(b);
    EXPECT_EQ(x.code, y.code) << a << " / " << b;
    EXPECT_DOUBLE_EQ(x.confidence, y.confidence) << a << " / " << b;
  };
  const std::string post = "die Lieferung kommt schon wieder nicht und der Support antwortet nie";
  // Any white space separates words alike.
  std::string tabs = post;
  for (char& c : tabs) c = c == ' ' ? '\t' : c;
  same(post, tabs);
  same(post, "\n\f" + post + "\v\r ");
  // Links in any case, handles and tags say nothing; punctuation only
  // separates words.
  same(post, "HTTPS://Acme.example/der-die-das " + post + " WWW.acme.example @Acme #Lieferung");
  same(post, "die Lieferung, kommt schon wieder nicht -- und der Support antwortet nie!!!");
  // Nothing past the model's window (its first 320 bytes) counts, however
  // English it is.
  std::string long_post;
  while (long_post.size() < 400) long_post += post + " ";
  same(long_post, long_post + "the and of you it is was that with for this");
}

TEST(LangIdTest, NothingToTellIsUndetermined) {
  EXPECT_EQ(IdentifyLanguage("").code, "und");
  EXPECT_EQ(IdentifyLanguage("😡😡 !!! 123").code, "und");
}

}  // namespace
}  // namespace brandmon::text

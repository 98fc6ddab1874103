#include <gtest/gtest.h>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

ScoredMention On(std::string channel, std::string text, std::string lang = "en", std::string author = "ann") {
  ScoredMention sm = Mention("1", std::move(text), std::move(author));
  sm.mention.channel = std::move(channel);
  sm.lang = std::move(lang);
  return sm;
}

// The alerts of needs_reply on `sm` alone, with no cooldown from before.
std::vector<Alert> Replies(const ScoredMention& sm, double score = 0, BrandRules rules = AcmeRules()) {
  Brand brand(rules);
  auto rule = MakeNeedsReplyRule(brand);
  Cooldowns cooldowns;
  return RunOne(*rule, brand, sm, score, cooldowns, FromUnixMillis(kT0));
}

TEST(NeedsReplyRuleTest, QuestionsComplaintsAndLowRatings) {
  Brand brand(AcmeRules());
  auto rule = MakeNeedsReplyRule(brand);
  Cooldowns cooldowns;
  WallTime now = FromUnixMillis(kT0);
  auto question = RunOne(*rule, brand, Mention("1", "open on sunday, acme?", "a"), 0, cooldowns, now);
  ASSERT_EQ(question.size(), 1u);
  EXPECT_EQ(question[0].summary, "question for acme on reddit by a: open on sunday, acme?");
  EXPECT_EQ(question[0].snippet, "open on sunday, acme?");
  EXPECT_EQ(question[0].severity, Severity::kInfo);
  auto complaint = RunOne(*rule, brand, Mention("2", "still waiting for my acme order", "b"), 0, cooldowns, now);
  ASSERT_EQ(complaint.size(), 1u);
  EXPECT_EQ(complaint[0].summary.rfind("complaint for acme", 0), 0u);
  EXPECT_EQ(complaint[0].severity, Severity::kWarning);
  ScoredMention review = Mention("3", "meh", "c");
  review.mention.SetMetric("rating", 2);
  auto low = RunOne(*rule, brand, review, 0.2, cooldowns, now);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].summary, "2-star review for acme on reddit by c: meh");
  EXPECT_TRUE(RunOne(*rule, brand, Mention("4", "what a game?", "d"), 0, cooldowns, now).empty())
      << "a question mark without the brand";
  EXPECT_TRUE(RunOne(*rule, brand, Mention("5", "still waiting for my acme order", "b"), 0, cooldowns, now).empty())
      << "the author's cooldown holds";
}

// Each way a post is addressed to a brand, in each language the rule reads:
// its handle, a reply to its own post, a review, a question with the brand
// as addressee or as subject, a complaint in the first person about it.
struct Form {
  const char* lang;
  const char* form;
  const char* text;
  ReplyReason reason;
};

ScoredMention Posted(const Form& f) {
  std::string form = f.form;
  ScoredMention sm = On(form == "review" ? "appstore" : "x", f.text, f.lang);
  if (form == "reply") sm.mention.reply_to = "AcmeCorp";
  if (form == "review") sm.mention.SetMetric("rating", 1);
  return sm;
}

const char* Reason(ReplyReason r) {
  return r == ReplyReason::kQuestion ? "question" : r == ReplyReason::kComplaint ? "complaint" : "1-star review";
}

TEST(NeedsReplyRuleTest, EachAddresseeFormInEachLanguage) {
  using R = ReplyReason;
  const Form forms[] = {
      {"en", "handle", "@acmecorp my order never arrived", R::kComplaint},
      {"en", "reply", "thanks, but the acme replacement is broken too", R::kComplaint},
      {"en", "review", "The acme app crashes every time", R::kLowRating},
      {"en", "addressee", "Acme, why is the kettle lid loose?", R::kQuestion},
      {"en", "subject", "Does anyone know if Acme ships to Pune?", R::kQuestion},
      {"en", "first person", "My Acme blender stopped working after two days.", R::kComplaint},
      {"es", "handle", "@acmecorp mi pedido nunca llegó", R::kComplaint},
      {"es", "reply", "el repuesto de acme también está roto", R::kComplaint},
      {"es", "review", "la app de acme se cierra sola", R::kLowRating},
      {"es", "addressee", "Acme, ¿por qué tarda tanto el envío?", R::kQuestion},
      {"es", "subject", "¿Alguien sabe si Acme tiene tienda en Madrid?", R::kQuestion},
      {"es", "first person", "Mi horno Acme dejó de funcionar a la semana.", R::kComplaint},
      {"hi", "handle", "@acmecorp मेरा ऑर्डर अभी तक नहीं मिला", R::kComplaint},
      {"hi", "reply", "acme का नया टोस्टर भी टूटा हुआ है", R::kComplaint},
      {"hi", "review", "acme ऐप बार बार बंद हो जाता है", R::kLowRating},
      {"hi", "addressee", "Acme, डिलीवरी कब आएगा?", R::kQuestion},
      {"hi", "subject", "क्या किसी को पता है कि Acme पुणे में डिलीवरी करता है?", R::kQuestion},
      {"hi", "first person", "मेरा Acme टोस्टर दो दिन में खराब हो गया।", R::kComplaint},
      {"gu", "handle", "@acmecorp મારો ઓર્ડર હજુ સુધી મળ્યો નથી", R::kComplaint},
      {"gu", "reply", "acme નું નવું કેટલ પણ તૂટેલું છે", R::kComplaint},
      {"gu", "review", "acme ની એપ વારંવાર બંધ થઈ જાય છે", R::kLowRating},
      {"gu", "addressee", "Acme, ડિલિવરી ક્યારે આવશે?", R::kQuestion},
      {"gu", "subject", "શું કોઈને ખબર છે કે Acme અમદાવાદમાં સર્વિસ આપે છે?", R::kQuestion},
      {"gu", "first person", "મારું Acme કેટલ બે દિવસમાં બગડી ગયું.", R::kComplaint},
      // Hinglish: Hindi in Latin letters, mixed with English.
      {"hi", "handle", "@acmecorp mera order abhi tak nahi mila", R::kComplaint},
      {"hi", "reply", "acme ka replacement bhi toota hua hai", R::kComplaint},
      {"hi", "review", "acme app baar baar band ho jata hai", R::kLowRating},
      {"hi", "addressee", "Acme bhai, delivery kab aayega?", R::kQuestion},
      {"hi", "subject", "Kya kisi ko pata hai Acme ka service center Pune mein kahan hai?", R::kQuestion},
      {"hi", "first person", "Mera Acme mixer kaam nahi kar raha.", R::kComplaint},
  };
  for (const Form& f : forms) {
    std::string name = std::string(f.lang) + " " + f.form + ": " + f.text;
    // A reply carries no cue: what it says is negative.
    double score = std::string(f.form) == "reply" ? -0.4 : 0;
    auto alerts = Replies(Posted(f), score);
    ASSERT_EQ(alerts.size(), 1u) << name;
    EXPECT_EQ(alerts[0].summary.rfind(std::string(Reason(f.reason)) + " for acme", 0), 0u)
        << name << " -> " << alerts[0].summary;
    EXPECT_EQ(alerts[0].snippet, f.text) << name;
    EXPECT_EQ(*alerts[0].Figure("addressed"),
              std::string(f.form) == "handle" || std::string(f.form) == "reply" || std::string(f.form) == "review")
        << name;
  }
}

// The same words in an article or a video, which speak to their readers,
// need no reply unless they name the brand's handle or reply to its post.
TEST(NeedsReplyRuleTest, ArticlesAndVideosNeedAReplyOnlyWhenTheyAddressTheHandle) {
  for (const char* channel : {"rss", "blog", "youtube"}) {
    for (const auto& [lang, text] : std::initializer_list<std::pair<const char*, const char*>>{
             {"en", "Does anyone know if Acme ships to Pune?"},
             {"en", "My Acme blender stopped working after two days."},
             {"es", "¿Alguien sabe si Acme tiene tienda en Madrid?"},
             {"hi", "क्या किसी को पता है कि Acme पुणे में डिलीवरी करता है?"},
             {"gu", "શું કોઈને ખબર છે કે Acme અમદાવાદમાં સર્વિસ આપે છે?"},
             {"hi", "Mera Acme mixer kaam nahi kar raha."}}) {
      EXPECT_TRUE(Replies(On(channel, text, lang)).empty()) << channel << ": " << text;
    }
    auto asked = Replies(On(channel, "Refunds are late. We put the question to @acmecorp. When will they arrive?"));
    ASSERT_EQ(asked.size(), 1u) << channel;
    EXPECT_EQ(asked[0].snippet, "We put the question to @acmecorp. When will they arrive?")
        << "the handle's sentence and the question after it";
    ScoredMention reply = On(channel, "acme shipped the wrong part");
    reply.mention.reply_to = "@acmecorp";
    EXPECT_EQ(Replies(reply, -0.3).size(), 1u) << channel << ": a reply to the brand's post";
  }
}

TEST(NeedsReplyRuleTest, WhatIsNotAddressedToTheBrandStaysQuiet) {
  struct Case {
    const char* why;
    ScoredMention mention;
    double score;
  };
  ScoredMention own = On("x", "Have you tried the new Acme kettle? Tell us what you think!", "en", "@AcmeCorp");
  ScoredMention own_handle = On("x", "@acmecorp where is my order?", "en", "acmecorp");
  const Case cases[] = {
      {"the brand's own account", own, 0},
      {"the brand's own account, even to its handle", own_handle, -0.6},
      {"a question before the sentence naming the brand",
       On("x", "Who else thinks the ref was awful tonight? Sent from my Acme phone"), -0.5},
      {"a question after the sentence naming the brand",
       On("x", "Listening to the new album on my Acme earbuds. Who is going to the concert?"), 0},
      {"a complaint not in the first person", On("x", "Acme customer service is the worst, three weeks no answer"),
       -0.7},
      {"a question in a news headline", On("rss", "Is the Acme Barista worth its price?"), 0},
      {"a question about something else in a forum",
       On("reddit", "The old Acme router is in a drawer. Any advice on switches?"), 0},
      {"a handle that is not the brand's", On("x", "@acmefans where is my order?"), -0.3},
  };
  for (const Case& c : cases) EXPECT_TRUE(Replies(c.mention, c.score).empty()) << c.why;
}

TEST(NeedsReplyRuleTest, TheKindsItReadsAreAnOption) {
  ScoredMention video = On("youtube", "Why does the Acme kettle lid pop open?");
  EXPECT_TRUE(Replies(video).empty()) << "a video speaks to its viewers by default";
  ScoredMention forum = On("reddit", "Why does the Acme kettle lid pop open?");
  EXPECT_EQ(Replies(forum).size(), 1u);
  BrandRules rules = AcmeRules();
  rules.options.needs_reply.kinds = {"social", "video"};
  EXPECT_EQ(Replies(video, 0, rules).size(), 1u) << "videos added";
  EXPECT_TRUE(Replies(forum, 0, rules).empty()) << "forums left out";
  forum.mention.text = "@acmecorp why does the kettle lid pop open?";
  EXPECT_EQ(Replies(forum, 0, rules).size(), 1u) << "the handle addresses the brand in any kind";
  ScoredMention review = On("trustpilot", "The Acme kettle arrived broken");
  review.mention.SetMetric("rating", 1);
  EXPECT_TRUE(Replies(review, 0, rules).empty()) << "reviews left out";
  EXPECT_EQ(Replies(review).size(), 1u);
  ScoredMention kind_set = On("my-crm", "Why does the Acme kettle lid pop open?");
  kind_set.mention.kind = ChannelKind::kNews;
  EXPECT_TRUE(Replies(kind_set).empty()) << "the mention's own kind wins over its channel's";
}

// A long post quotes the sentence holding the question, not its start.
TEST(NeedsReplyRuleTest, TheSnippetIsTheSentenceThatAsks) {
  ScoredMention post = On(
      "reddit",
      "I have had this kettle for a year and it was fine until last week. Now the lid pops open every time the water "
      "boils, which splashes the counter. Customer support told me to descale it, which I did twice. Has anyone "
      "found a fix for the Acme K-2 lid? It is otherwise a great kettle.");
  auto alerts = Replies(post);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].snippet, "Has anyone found a fix for the Acme K-2 lid?");
  EXPECT_EQ(alerts[0].summary, "question for acme on reddit by ann: Has anyone found a fix for the Acme K-2 lid?");
}

TEST(NeedsReplyRuleTest, TheVerdictSaysWhy) {
  FakeClock clock;
  RuleSet set({AcmeRules()}, clock);
  auto verdict_of = [&](const ScoredMention& sm) {
    for (const auto& [rule, verdict] : set.Judge(sm, set.Prepare(sm))) {
      if (rule == "needs_reply") return verdict;
    }
    return Verdict{};
  };
  Verdict asked = verdict_of(On("x", "Does anyone know if Acme ships to Pune?"));
  EXPECT_TRUE(asked.alert);
  EXPECT_EQ(asked.why, "a social post: a question in a sentence naming the brand");
  Verdict article = verdict_of(On("rss", "Does anyone know if Acme ships to Pune?"));
  EXPECT_FALSE(article.alert);
  EXPECT_NE(article.why.find("a news post speaks to its readers"), std::string::npos) << article.why;
  Verdict own = verdict_of(On("x", "@acmecorp where is my order?", "en", "@acmecorp"));
  EXPECT_FALSE(own.alert);
  EXPECT_NE(own.why.find("own account"), std::string::npos) << own.why;
}

}  // namespace
}  // namespace brandmon::rules

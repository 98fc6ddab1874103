#include "daemon/feedparse/feed_ampersand.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace brandmon::feedparse::feed_internal {
namespace {

std::string EscapeWhole(std::string_view text, size_t* escaped = nullptr) {
  std::string storage;
  size_t count = 0;
  std::string out(EscapeStrayAmpersands(text, storage, count));
  if (escaped != nullptr) *escaped = count;
  return out;
}

TEST(FeedAmpersandTest, StrayAmpersandsAreEscapedAndReferencesKept) {
  size_t escaped = 0;
  EXPECT_EQ(EscapeWhole("<t>Q&A: AT&T &bogus; &amp; &eacute; &#233; &#xE9;</t>", &escaped),
            "<t>Q&amp;A: AT&amp;T &amp;bogus; &amp; &eacute; &#233; &#xE9;</t>");
  EXPECT_EQ(escaped, 3u);
}

TEST(FeedAmpersandTest, CdataIsLeftAlone) {
  size_t escaped = 0;
  EXPECT_EQ(EscapeWhole("<l><![CDATA[?a=1&b=2]]></l><t>a&b</t>", &escaped),
            "<l><![CDATA[?a=1&b=2]]></l><t>a&amp;b</t>");
  EXPECT_EQ(escaped, 1u);
}

TEST(FeedAmpersandTest, AnyNameIsAReferenceOnceTheDocumentDeclaresEntities) {
  EXPECT_EQ(EscapeWhole("<!DOCTYPE r [<!ENTITY brand \"Acme\">]><r>&brand; &bogus; a & b</r>"),
            "<!DOCTYPE r [<!ENTITY brand \"Acme\">]><r>&brand; &bogus; a &amp; b</r>");
}

TEST(FeedAmpersandTest, NothingToEscapeGivesTheTextItself) {
  std::string storage;
  size_t escaped = 1;
  std::string_view text = "<t>a &amp; b</t>";
  std::string_view out = EscapeStrayAmpersands(text, storage, escaped);
  EXPECT_EQ(out.data(), text.data());
  EXPECT_EQ(escaped, 0u);
}

TEST(FeedAmpersandTest, InPartsTheOutputIsTheSameWhereverTheDocumentIsCut) {
  const std::string doc = "<r>Q&A &eacute; <![CDATA[x&y]]> AT&T &#38; &bogus; <![CDATA[]]>&amp;&lt;" +
                          std::string(100, 'z') + " tail & end</r>";
  size_t whole_escaped = 0;
  const std::string whole = EscapeWhole(doc, &whole_escaped);
  for (size_t cut = 0; cut <= doc.size(); ++cut) {
    for (size_t cut2 = cut; cut2 <= doc.size(); cut2 += 7) {
      AmpersandEscaper escaper;
      std::string out;
      escaper.Feed(std::string_view(doc).substr(0, cut), false, out);
      escaper.Feed(std::string_view(doc).substr(cut, cut2 - cut), false, out);
      escaper.Feed(std::string_view(doc).substr(cut2), true, out);
      ASSERT_EQ(out, whole) << "cut at " << cut << " and " << cut2;
      ASSERT_EQ(escaper.escaped(), whole_escaped);
    }
  }
}

}  // namespace
}  // namespace brandmon::feedparse::feed_internal

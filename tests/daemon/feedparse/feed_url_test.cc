#include "daemon/feedparse/feed_url.h"

#include <gtest/gtest.h>

namespace brandmon::feedparse {
namespace {

TEST(ResolveUrlTest, ResolvesRelativeReferences) {
  EXPECT_EQ(ResolveUrl("https://a.example/blog/", "posts/1.html"), "https://a.example/blog/posts/1.html");
  EXPECT_EQ(ResolveUrl("https://a.example/blog/feed.xml", "/x?y=1"), "https://a.example/x?y=1");
  EXPECT_EQ(ResolveUrl("https://a.example/blog/", "../up"), "https://a.example/up");
  EXPECT_EQ(ResolveUrl("https://a.example/", "//cdn.example/i.png"), "https://cdn.example/i.png");
  EXPECT_EQ(ResolveUrl("https://a.example/", "  https://b.example/z \n"), "https://b.example/z");
  EXPECT_EQ(ResolveUrl("", "rel/1"), "rel/1");  // nothing to resolve against
  EXPECT_EQ(ResolveUrl("https://a.example/", ""), "https://a.example/");
}

TEST(UnwrapRedirectTest, GoogleAlertsLinksPointAtTheArticle) {
  EXPECT_EQ(UnwrapRedirect("https://www.google.com/url?rct=j&sa=t&url=https://news.example/a%3Fb%3D1&ct=ga"),
            "https://news.example/a?b=1");
  EXPECT_EQ(UnwrapRedirect("https://www.google.com/url?q=http://x.example/&sa=U"), "http://x.example/");
  EXPECT_EQ(UnwrapRedirect("https://www.google.com/url?url=javascript:alert(1)"),
            "https://www.google.com/url?url=javascript:alert(1)");
  EXPECT_EQ(UnwrapRedirect("https://example.com/url?url=https://x"), "https://example.com/url?url=https://x");
}

TEST(UrlHostTest, ExtractsTheHost) {
  EXPECT_EQ(UrlHost("https://user@www.youtube.com:443/feeds"), "www.youtube.com");
  EXPECT_EQ(UrlHost("http://reddit.com"), "reddit.com");
  EXPECT_EQ(UrlHost("/relative"), "");
}

}  // namespace
}  // namespace brandmon::feedparse

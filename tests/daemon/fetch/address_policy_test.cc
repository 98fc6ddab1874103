#include "daemon/fetch/address_policy.h"

#include <gtest/gtest.h>

namespace brandmon::fetch {
namespace {

TEST(AddressPolicyTest, TellsPrivateAddressesFromPublicOnes) {
  struct Case {
    const char* ip;
    const char* kind;
  } cases[] = {
      {"127.0.0.1", "loopback"},
      {"127.255.0.9", "loopback"},
      {"0.0.0.0", "unspecified"},
      {"10.1.2.3", "private (RFC 1918)"},
      {"172.16.0.1", "private (RFC 1918)"},
      {"172.31.255.255", "private (RFC 1918)"},
      {"172.32.0.1", ""},
      {"192.168.1.1", "private (RFC 1918)"},
      {"100.64.0.1", "shared (CGNAT)"},
      {"100.127.255.255", "shared (CGNAT)"},
      {"100.128.0.1", ""},
      {"169.254.169.254", "cloud metadata"},
      {"169.254.170.2", "cloud metadata"},
      {"100.100.100.200", "cloud metadata"},
      {"169.254.1.1", "link-local"},
      {"224.0.0.1", "multicast"},
      {"255.255.255.255", "reserved"},
      {"8.8.8.8", ""},
      {"93.184.216.34", ""},
      {"::1", "loopback"},
      {"::", "unspecified"},
      {"[::1]", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:169.254.169.254", "cloud metadata"},
      {"::ffff:8.8.8.8", ""},
      {"64:ff9b::a9fe:a9fe", "cloud metadata"},
      {"fd00:ec2::254", "cloud metadata"},
      {"fd12:3456::1", "unique-local"},
      {"fc00::1", "unique-local"},
      {"fe80::1%eth0", "link-local"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast"},
      {"2606:4700:4700::1111", ""},
      {"not-an-address", "unreadable"},
      {"", "unreadable"},
  };
  for (const auto& c : cases) EXPECT_EQ(PrivateAddressKind(c.ip), c.kind) << c.ip;
}

TEST(AddressPolicyTest, NeverLeavesHttpsForHttp) {
  TransferPolicy open;
  open.rules.allow_private = true;
  Status s = CheckRedirect("https://a.example/feed", "http://a.example/feed?token=s3cret", open);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "redirect to http://a.example/feed refused: it leaves https for http");
  EXPECT_TRUE(CheckRedirect("http://a.example/feed", "https://a.example/feed", open).ok()) << "an upgrade is fine";
  EXPECT_STREQ(RedirectProtocols("https://a.example/"), "https");
  EXPECT_STREQ(RedirectProtocols("HTTPS://a.example/"), "https");
  EXPECT_STREQ(RedirectProtocols("http://a.example/"), "http,https");
}

TEST(AddressPolicyTest, CredentialsStayOnTheirOrigin) {
  TransferPolicy keyed;
  keyed.credentials = true;
  EXPECT_TRUE(CheckRedirect("https://api.example/v1/x", "https://api.example/v2/x?page=2", keyed).ok());
  EXPECT_TRUE(CheckRedirect("https://api.example/x", "https://API.example:443/y", keyed).ok()) << "same origin";
  for (const char* other : {"https://cdn.example/x", "https://api.example:8443/x", "https://api.example.evil/x"}) {
    Status s = CheckRedirect("https://api.example/x", other, keyed);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << other;
    EXPECT_NE(s.message().find("the source sends credentials, which stay on https://api.example:443"),
              std::string::npos)
        << s.message();
  }
  Status s = CheckRedirect("https://api.example/x", "https://user:pw@cdn.example/y?key=s3cret", keyed);
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("pw"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("redirect to https://cdn.example/y refused"), std::string::npos) << s.message();
  TransferPolicy anonymous;
  EXPECT_TRUE(CheckRedirect("https://api.example/x", "https://cdn.example/x", anonymous).ok());
}

TEST(AddressPolicyTest, PrivateAddressesOnlyWhereTheSourceAllowsThem) {
  TransferPolicy plain;
  const std::string first = "http://feeds.example/rss";
  EXPECT_TRUE(CheckAddress(first, first, "93.184.216.34", plain).ok());
  EXPECT_TRUE(CheckAddress(first, first, "10.0.0.5", plain).ok()) << "a plain source may read a local feed";
  EXPECT_TRUE(CheckAddress(first, "https://feeds.example/rss2", "10.0.0.5", plain).ok()) << "same host";
  Status meta = CheckAddress(first, "http://169.254.169.254/latest/meta-data/", "169.254.169.254", plain);
  EXPECT_EQ(meta.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(meta.message(),
            "redirect to http://169.254.169.254/latest/meta-data/ refused: it reaches 169.254.169.254 (cloud "
            "metadata) (allow_private permits it)");
  EXPECT_FALSE(CheckAddress(first, "http://internal.example/", "::1", plain).ok()) << "a name, resolved to loopback";

  TransferPolicy denied;
  denied.rules.deny_private = true;
  Status own = CheckAddress(first, first, "192.168.1.10", denied);
  EXPECT_EQ(own.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(own.message(),
            "http://feeds.example/rss reaches 192.168.1.10 (private (RFC 1918)), refused by deny_private");
  EXPECT_TRUE(CheckAddress(first, first, "93.184.216.34", denied).ok());

  TransferPolicy allowed;
  allowed.rules.allow_private = true;
  EXPECT_TRUE(CheckAddress(first, "http://169.254.169.254/", "169.254.169.254", allowed).ok());
}

TEST(AddressPolicyTest, ReadsHostsAndUserInfo) {
  EXPECT_EQ(UrlHost("https://User@Example.COM.:8443/x"), "example.com");
  EXPECT_EQ(UrlHost("http://[::1]:80/"), "::1");
  EXPECT_EQ(UrlHost("not a url"), "");
  EXPECT_TRUE(HasUserInfo("https://user:pw@example.com/"));
  EXPECT_TRUE(HasUserInfo("https://user@example.com/"));
  EXPECT_FALSE(HasUserInfo("https://example.com/?user=x"));
}

}  // namespace
}  // namespace brandmon::fetch

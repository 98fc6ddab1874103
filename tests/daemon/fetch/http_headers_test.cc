#include "daemon/fetch/http_headers.h"

#include <gtest/gtest.h>

namespace brandmon::fetch {
namespace {

using namespace std::chrono_literals;

brandmon::HttpResponse With(brandmon::Headers headers) {
  brandmon::HttpResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  return r;
}

const WallTime kNow = WallTime(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z

TEST(RetryAfterTest, SecondsAndDates) {
  struct Case {
    std::string value;
    std::optional<Duration> want;
  };
  for (const auto& c : std::vector<Case>{{"120", 120s},
                                         {" 0 ", 0s},
                                         {"Thu, 01 Jan 2026 00:05:00 GMT", 300s},
                                         {"Wed, 31 Dec 2025 23:00:00 GMT", 0s},
                                         {"-5", std::nullopt},
                                         {"soon", std::nullopt}}) {
    EXPECT_EQ(RetryAfter(With({{"retry-after", c.value}}), kNow), c.want) << c.value;
  }
  EXPECT_EQ(RetryAfter(With({}), kNow), std::nullopt);
}

TEST(MaxAgeTest, ReadsCacheControl) {
  struct Case {
    std::string value;
    std::optional<Duration> want;
  };
  for (const auto& c : std::vector<Case>{{"max-age=600", 600s},
                                         {"public, max-age=3600, must-revalidate", 3600s},
                                         {"no-cache", 0s},
                                         {"private, no-store, max-age=60", 0s},
                                         {"max-age=abc", std::nullopt},
                                         {"public", std::nullopt}}) {
    EXPECT_EQ(MaxAge(With({{"cache-control", c.value}})), c.want) << c.value;
  }
}

TEST(RateLimitWaitTest, OnlyWhenExhausted) {
  // X API style: epoch seconds.
  EXPECT_EQ(RateLimitWait(With({{"x-rate-limit-remaining", "0"}, {"x-rate-limit-reset", "1767226500"}}), kNow), 900s);
  // IETF draft style: delta seconds.
  EXPECT_EQ(RateLimitWait(With({{"ratelimit-remaining", "0"}, {"ratelimit-reset", "30"}}), kNow), 30s);
  EXPECT_EQ(RateLimitWait(With({{"x-ratelimit-remaining", "12"}, {"x-ratelimit-reset", "30"}}), kNow), std::nullopt);
  EXPECT_EQ(RateLimitWait(With({{"x-ratelimit-remaining", "0"}}), kNow), std::nullopt);
}

TEST(LoggableUrlTest, DropsCredentialsAndQuery) {
  EXPECT_EQ(LoggableUrl("https://user:pw@api.example.com:8443/v1/search?q=acme&key=SECRET#x"),
            "https://api.example.com:8443/v1/search");
  EXPECT_EQ(LoggableUrl("http://example.com"), "http://example.com");
  EXPECT_EQ(LoggableUrl("not a url?key=1"), "not a url");
}

TEST(IsSecretHeaderTest, Names) {
  for (const char* name : {"Authorization", "cookie", "X-Api-Key", "X-Auth-Token", "Client-Secret"}) {
    EXPECT_TRUE(IsSecretHeader(name)) << name;
  }
  for (const char* name : {"Accept", "Content-Type", "User-Agent", "If-None-Match"}) {
    EXPECT_FALSE(IsSecretHeader(name)) << name;
  }
}

}  // namespace
}  // namespace brandmon::fetch

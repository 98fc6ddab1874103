#include "daemon/settings/http_options.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"

namespace brandmon::settings {
namespace {

struct Parent {
  HttpOptions http;
};

const config::OptionTable<Parent>& ParentTable() {
  static const config::OptionTable<Parent> t = {
      HttpSection<Parent>("http", &Parent::http, "The HTTP listener."),
  };
  return t;
}

// Applies `json` as the "http" object and returns the joined errors.
std::string Apply(const std::string& json, Parent& out) {
  auto v = config::ParseConfigText("{\"http\": " + json + "}", "conf/x.json");
  EXPECT_TRUE(v.ok()) << json;
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  config::ApplyTable(ParentTable(), *v, "", ctx, out);
  return diag.Joined();
}

TEST(HttpOptionsTest, DefaultsListenOnLoopbackWithoutToken) {
  HttpOptions o = DefaultHttpOptions();
  EXPECT_EQ(o.listen, "127.0.0.1:9464");
  EXPECT_TRUE(o.token.empty());
  EXPECT_EQ(o.read_timeout, std::chrono::seconds(5));
  for (const auto& spec : HttpOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
  Parent p;
  EXPECT_EQ(Apply("{}", p), "");
  EXPECT_EQ(p.http.listen, o.listen);
  EXPECT_EQ(Apply(R"({"listen": ""})", p), "");
  EXPECT_TRUE(p.http.listen.empty());
}

struct Case {
  std::string json;
  std::string expected;  // "" when valid, else a fragment of the error
};

class HttpOptionsCheckTest : public ::testing::TestWithParam<Case> {};

TEST_P(HttpOptionsCheckTest, AcceptsOrNamesTheOptionAndTheValue) {
  Parent p;
  std::string errors = Apply(GetParam().json, p);
  if (GetParam().expected.empty()) {
    EXPECT_EQ(errors, "");
  } else {
    EXPECT_NE(errors.find(GetParam().expected), std::string::npos) << errors;
    EXPECT_NE(errors.find("conf/x.json:1:"), std::string::npos) << errors;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpOptionsCheckTest,
    ::testing::Values(Case{R"({"listen": "127.0.0.1:0"})", ""}, Case{R"({"listen": "[::1]:9464"})", ""},
                      Case{R"({"listen": "127.0.0.2:80"})", ""},
                      Case{R"({"listen": "0.0.0.0:9464", "token": "a-long-token"})", ""},
                      Case{R"({"listen": "0.0.0.0:9464"})",
                           "http.listen: \"0.0.0.0:9464\" is not a loopback address: set token"},
                      Case{R"({"listen": "[::]:9464"})", "is not a loopback address"},
                      Case{R"({"listen": "localhost:9464"})", "host \"localhost\" is not an IP address"},
                      Case{R"({"listen": "::1:9464"})", "an IPv6 address goes in brackets"},
                      Case{R"({"listen": "127.0.0.1"})", "\"127.0.0.1\" has no port"},
                      Case{R"({"listen": "127.0.0.1:70000"})", "port \"70000\" must be between 0 and 65535"},
                      Case{R"({"listen": "127.0.0.1:x"})", "port \"x\""},
                      Case{R"({"threads": 0})", "http.threads: must be between 1 and 32, got 0"},
                      Case{R"({"max_body_bytes": "10MiB"})", "http.max_body_bytes: must be between"},
                      Case{R"({"read_timeout": "1h"})", "http.read_timeout: must be between 100ms and 5m"},
                      Case{R"({"listen": "127.0.0.1:9464", "port": 1})", "port"}));

TEST(HttpOptionsTest, TheErrorPointsAtTheListenValue) {
  Parent p;
  auto v = config::ParseConfigText("{\"http\": {\n  \"token\": \"\",\n  \"listen\": \"10.0.0.1:9464\"}}", "c.json");
  ASSERT_TRUE(v.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  config::ApplyTable(ParentTable(), *v, "", ctx, p);
  EXPECT_NE(diag.Joined().find("c.json:3:13: http.listen"), std::string::npos) << diag.Joined();
}

}  // namespace
}  // namespace brandmon::settings

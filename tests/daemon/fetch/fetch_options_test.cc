#include "daemon/fetch/fetch_options.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"

namespace brandmon::fetch {
namespace {

using namespace std::chrono_literals;

TEST(FetchOptionsTest, DefaultsArePolite) {
  FetchOptions o;
  config::ApplyDefaults(FetchOptionTable(), o);
  EXPECT_EQ(o.max_per_host, 2);
  EXPECT_EQ(o.max_body, 10u * 1024 * 1024);
  EXPECT_EQ(o.max_redirects, 5);
  EXPECT_EQ(o.connect_timeout, 10s);
  EXPECT_TRUE(o.user_agent.empty());
  EXPECT_EQ(DefaultUserAgent().rfind("brandmon/", 0), 0u);
  for (const auto& spec : FetchOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
}

TEST(FetchOptionsTest, RejectsOutOfRangeWithPosition) {
  auto v = config::ParseConfigText(R"({"max_per_host": 0, "max_body": "2GiB", "verify": false})", "f.json");
  ASSERT_TRUE(v.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  FetchOptions o;
  config::ApplyTable(FetchOptionTable(), *v, "fetch", ctx, o);
  std::string all = diag.Joined();
  EXPECT_NE(all.find("f.json:1:18: fetch.max_per_host: must be between 1 and 64, got 0"), std::string::npos) << all;
  EXPECT_NE(all.find("fetch.max_body"), std::string::npos) << all;
  EXPECT_NE(all.find("fetch.verify"), std::string::npos) << "no way to turn TLS verification off: " << all;
}

}  // namespace
}  // namespace brandmon::fetch

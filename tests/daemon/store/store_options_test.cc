#include "daemon/store/store_options.h"

#include <gtest/gtest.h>

#include "daemon/config/json_reader.h"

namespace brandmon::store {
namespace {

TEST(StoreOptionsTest, DefaultsAreDocumentedAndSensible) {
  StoreOptions o;
  config::ApplyDefaults(StoreOptionTable(), o);
  EXPECT_EQ(o.file, "brandmon.db");
  EXPECT_EQ(o.synchronous, "normal");
  EXPECT_EQ(o.mention_retention, std::chrono::hours(24 * 90));
  EXPECT_EQ(o.alert_retention, std::chrono::hours(24 * 30));
  for (const auto& spec : StoreOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
}

TEST(StoreOptionsTest, ParsesAndRejects) {
  auto v = config::ParseConfigText(R"({"synchronous": "full", "alert_retention": "7d", "batch_max_mentions": 0,
                                      "sync": 1})",
                                   "conf/x.json");
  ASSERT_TRUE(v.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  StoreOptions o;
  config::ApplyTable(StoreOptionTable(), *v, "store", ctx, o);
  EXPECT_EQ(o.synchronous, "full");
  EXPECT_EQ(o.alert_retention, std::chrono::hours(24 * 7));
  ASSERT_EQ(diag.errors().size(), 2u) << diag.Joined();
  EXPECT_NE(diag.Joined().find("store.batch_max_mentions"), std::string::npos) << diag.Joined();
  EXPECT_NE(diag.Joined().find("sync"), std::string::npos) << diag.Joined();
}

TEST(StoreOptionsTest, PathResolvesUnderTheStateDir) {
  StoreOptions o;
  o.file = "brandmon.db";
  EXPECT_EQ(ResolveStorePath(o, "/var/lib/brandmon"), "/var/lib/brandmon/brandmon.db");
  EXPECT_EQ(ResolveStorePath(o, "/var/lib/brandmon/"), "/var/lib/brandmon/brandmon.db");
  o.file = "/data/x.db";
  EXPECT_EQ(ResolveStorePath(o, "/var/lib/brandmon"), "/data/x.db");
  o.file = ":memory:";
  EXPECT_EQ(ResolveStorePath(o, "/var/lib/brandmon"), ":memory:");
}

}  // namespace
}  // namespace brandmon::store

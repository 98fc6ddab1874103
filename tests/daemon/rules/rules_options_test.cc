#include "daemon/rules/rules_options.h"

#include <gtest/gtest.h>

#include <functional>

#include "daemon/config/json_reader.h"

namespace brandmon::rules {
namespace {

void ExpectDocumented(const std::vector<config::OptionInfo>& infos, const std::string& path) {
  for (const auto& info : infos) {
    EXPECT_FALSE(info.doc.empty()) << path << "." << info.key;
    if (info.nested) ExpectDocumented(info.nested(), path + "." + info.key);
  }
}

TEST(RulesOptionsTest, EveryOptionIsDocumented) { ExpectDocumented(config::Infos(RulesOptionTable()), "rules"); }

TEST(RulesOptionsTest, DefaultsAreSensible) {
  RulesOptions o = DefaultRulesOptions();
  EXPECT_TRUE(o.negative_mention.enabled);
  EXPECT_DOUBLE_EQ(o.negative_mention.threshold, -0.5);
  EXPECT_EQ(o.volume_spike.bucket, std::chrono::minutes(15));
  EXPECT_EQ(o.volume_spike.min_count, 10);
  EXPECT_EQ(o.negative_spike.min_count, 5);
  EXPECT_FALSE(o.volume_spike.dips);
  EXPECT_EQ(o.keyword.severity, "warning");
  EXPECT_TRUE(o.keyword.terms.empty());
  EXPECT_GT(o.sentiment_shift.drop, 0);
  EXPECT_GT(o.emerging_terms.top, 0);
}

config::Diagnostics Apply(std::string_view json, RulesOptions& o) {
  auto v = config::ParseConfigText(json, "conf/brandmon.json");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  ApplyRulesOverrides(*v, "brands[0].rules", ctx, o);
  return diag;
}

TEST(RulesOptionsTest, BrandOverridesOnlyWhatItNames) {
  RulesOptions global = DefaultRulesOptions();
  global.negative_mention.cooldown = std::chrono::minutes(5);
  global.volume_spike.z = 4;
  RulesOptions brand = global;
  config::Diagnostics diag = Apply(R"({"negative_mention": {"threshold": -0.3},
                                      "volume_spike": {"dips": true},
                                      "keyword": {"terms": ["recall", "class action"]}})",
                                   brand);
  ASSERT_TRUE(diag.ok()) << diag.Joined();
  EXPECT_DOUBLE_EQ(brand.negative_mention.threshold, -0.3);
  EXPECT_EQ(brand.negative_mention.cooldown, std::chrono::minutes(5));  // from the global defaults
  EXPECT_TRUE(brand.volume_spike.dips);
  EXPECT_DOUBLE_EQ(brand.volume_spike.z, 4);
  EXPECT_EQ(brand.keyword.terms, (std::vector<std::string>{"recall", "class action"}));
}

TEST(RulesOptionsTest, BadValuesNameTheirPath) {
  struct Case {
    std::string json;
    std::string error;
  };
  for (const Case& c : {
           Case{R"({"negative_mention": {"threshold": 0.5}})", "brands[0].rules.negative_mention.threshold"},
           Case{R"({"volume_spike": {"bucket": "5"}})", "brands[0].rules.volume_spike.bucket"},
           Case{R"({"volume_spik": {}})", "volume_spik"},
           Case{R"({"praise": {"treshold": 0.5}})", "treshold"},
           Case{R"({"keyword": {"severity": "fatal"}})", "brands[0].rules.keyword.severity"},
           Case{R"({"needs_reply": 3})", "brands[0].rules.needs_reply"},
           Case{R"([1])", "brands[0].rules"},
       }) {
    RulesOptions o = DefaultRulesOptions();
    config::Diagnostics diag = Apply(c.json, o);
    ASSERT_FALSE(diag.ok()) << c.json;
    EXPECT_NE(diag.Joined().find(c.error), std::string::npos) << diag.Joined();
  }
}

TEST(RulesOptionsTest, FullTableParsesAsAGlobalDefault) {
  auto v = config::ParseConfigText(R"({"praise": {"min_reach": 50}, "emerging_terms": {"top": 3}})", "x.json");
  ASSERT_TRUE(v.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  RulesOptions o;
  config::ApplyTable(RulesOptionTable(), *v, "rules", ctx, o);
  ASSERT_TRUE(diag.ok()) << diag.Joined();
  EXPECT_DOUBLE_EQ(o.praise.min_reach, 50);
  EXPECT_DOUBLE_EQ(o.praise.threshold, 0.6);
  EXPECT_EQ(o.emerging_terms.top, 3);
  EXPECT_EQ(o.sentiment_shift.recent_buckets, 3);
}

}  // namespace
}  // namespace brandmon::rules

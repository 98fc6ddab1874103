#include "tests/daemon/publish/schema_check.h"

#include <gtest/gtest.h>

#include "daemon/base/alert.h"

namespace brandmon::testing {
namespace {

Alert SampleAlert() {
  Alert a;
  a.seq = 3;
  a.ts = FromUnixMillis(1767225600123);
  a.brand = "acme";
  a.rule = "volume_spike";
  a.channel = "reddit";
  a.severity = Severity::kWarning;
  a.summary = "acme: 40 mentions in 10m (baseline 4)";
  a.dedupe_key = "k3";
  a.figures = {{"count", 40}, {"baseline", 4}, {"z", 7.5}};
  a.terms = {{"outage", 12, 1}};
  ScoredMention m;
  m.brand = "acme";
  m.mention.text = "acme is down";
  m.mention.published = FromUnixMillis(1767225000000);
  m.mention.SetMetric("likes", 3);
  m.sentiment.target = -0.4;
  a.mentions.push_back(m);
  return a;
}

TEST(SchemaCheckTest, AcceptsTheAlertsBrandmonWrites) {
  EXPECT_EQ(AlertSchema().Check(AlertToJson(SampleAlert())), "");
}

// The check must be able to fail, or the tests that rely on it prove nothing.
TEST(SchemaCheckTest, ReportsEachKindOfViolation) {
  const std::string good = AlertToJson(SampleAlert());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string json;
    std::string expected;
  };
  const Case cases[] = {
      {replace(R"("v":1)", R"("v":2)"), "$.v: expected 1"},
      {replace(R"("seq":3)", R"("seq":0)"), "$.seq"},
      {replace(R"("seq":3)", R"("seq":"3")"), "$.seq: expected integer"},
      {replace(R"("severity":"warning")", R"("severity":"bad")"), "$.severity"},
      {replace(R"("brand":"acme",)", ""), "missing \"brand\""},
      {replace(R"("ts":"2026-01-01T00:00:00.123Z")", R"("ts":"yesterday")"), "$.ts: not an RFC 3339"},
      {replace(R"("label":"neutral")", R"("label":"meh")"), "$.mentions[0].sentiment.label"},
      {replace(R"("target":-0.4)", R"("target":-4)"), "$.mentions[0].sentiment.target"},
      {replace(R"("term":"outage")", R"("term":"outage","x":0)"), "$.terms[0].x: property not allowed"},
      {replace(R"("z":7.5)", R"("z":"high")"), "$.figures.z"},
      {"[]", "$: expected object"},
      {"{", "not valid JSON"},
  };
  for (const auto& c : cases) {
    std::string err = AlertSchema().Check(c.json);
    EXPECT_NE(err.find(c.expected), std::string::npos) << "got: " << err << "\nfor: " << c.json;
  }
}

}  // namespace
}  // namespace brandmon::testing

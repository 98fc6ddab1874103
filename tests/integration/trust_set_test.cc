// The trust set (tests/data/trust/README.md): news, blog and podcast feeds
// and social posts about three brands, each with the alerts a community
// manager expects of it. A real brandmond reads them once from files; every
// stored mention must raise exactly its expected mention alerts, each
// quoting the sentence that holds the brand.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "daemon/base/alert.h"
#include "daemon/store/sqlite.h"
#include "daemon/text/utf8.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // source, id, brand
using Rules = std::multiset<std::string>;

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

std::string Describe(const Key& k) { return std::get<0>(k) + " " + std::get<1>(k) + " " + std::get<2>(k); }

std::string Join(const Rules& rules) {
  std::string out;
  for (const auto& r : rules) out += (out.empty() ? "" : ", ") + r;
  return "[" + out + "]";
}

// expected.jsonl: {"source", "id", "brand", "alerts": [...], "why"} per line.
std::map<Key, Rules> Expected() {
  std::map<Key, Rules> out;
  std::istringstream lines(ReadFile(FixturePath("data/trust/expected.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    EXPECT_FALSE(doc.HasParseError()) << line;
    if (doc.HasParseError()) continue;
    Rules rules;
    for (const auto& r : doc["alerts"].GetArray()) rules.insert(r.GetString());
    Key key{doc["source"].GetString(), doc["id"].GetString(), doc["brand"].GetString()};
    EXPECT_TRUE(out.emplace(key, rules).second) << "listed twice: " << Describe(key);
  }
  return out;
}

class TrustSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string out, err;
    std::map<std::string, std::string> env = {{"XDG_STATE_HOME", dir_.path().string()},
                                              {"XDG_RUNTIME_DIR", dir_.path().string()}};
    int code = RunCommand({BinaryPath("brandmond"), "--config", FixturePath("data/trust/brandmon.json"), "--once"},
                          &out, &err, env);
    ASSERT_EQ(code, 0) << err;
    auto db = store::Database::OpenReadOnly((dir_.path() / "brandmon" / "brandmon.db").string());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto mentions = db->Prepare("SELECT source, mention_id, brand FROM mentions");
    ASSERT_TRUE(mentions.ok());
    while (*mentions->Step()) stored_[{mentions->ColumnText(0), mentions->ColumnText(1), mentions->ColumnText(2)}];
    auto alerts = db->Prepare("SELECT payload FROM alerts ORDER BY seq");
    ASSERT_TRUE(alerts.ok());
    while (*alerts->Step()) {
      auto alert = AlertFromJson(alerts->ColumnText(0));
      ASSERT_TRUE(alert.ok()) << alert.status().message();
      alerts_.push_back(std::move(alert).value());
    }
    for (const Alert& a : alerts_) {
      ASSERT_EQ(a.mentions.size(), 1u) << "one cycle raises mention alerts only: " << a.summary;
      const Mention& m = a.mentions[0].mention;
      stored_[{m.source, m.id, a.brand}].insert(a.rule);
    }
  }

  TempDir dir_;
  std::map<Key, Rules> stored_;  // every stored mention, with the rules it raised
  std::vector<Alert> alerts_;
};

TEST_F(TrustSetTest, EveryMentionRaisesExactlyTheAlertsExpectedOfIt) {
  std::map<Key, Rules> expected = Expected();
  ASSERT_FALSE(expected.empty());
  for (const auto& [key, rules] : expected) {
    auto it = stored_.find(key);
    if (it == stored_.end()) {
      ADD_FAILURE() << "not stored: " << Describe(key);
      continue;
    }
    EXPECT_EQ(it->second, rules) << Describe(key) << ": raised " << Join(it->second) << ", expected " << Join(rules);
  }
  for (const auto& [key, rules] : stored_) {
    EXPECT_TRUE(expected.contains(key)) << "stored but not in expected.jsonl: " << Describe(key);
  }
  std::cout << "trust set: " << alerts_.size() << " alerts for " << stored_.size() << " stored mentions ("
            << static_cast<double>(alerts_.size()) / static_cast<double>(stored_.size()) << " per mention)\n";
  RecordProperty("alerts", static_cast<int>(alerts_.size()));
  RecordProperty("stored_mentions", static_cast<int>(stored_.size()));
}

// What a reader judges an alert by: the sentence that holds the brand.
TEST_F(TrustSetTest, EachAlertQuotesTheSentenceThatHoldsTheBrand) {
  ASSERT_FALSE(alerts_.empty());
  for (const Alert& a : alerts_) {
    const Mention& m = a.mentions[0].mention;
    EXPECT_NE(Lower(a.snippet).find(a.brand), std::string::npos) << a.rule << " " << m.id << ": " << a.snippet;
    EXPECT_LE(text::CountCodePoints(a.snippet), 240u) << a.snippet;
    EXPECT_EQ(a.snippet.find('\n'), std::string::npos);
    std::string start = a.snippet.substr(0, std::min<size_t>(a.snippet.size(), 20));
    EXPECT_NE(a.summary.find(start.starts_with("...") ? start.substr(3) : start), std::string::npos)
        << "the summary quotes the snippet: " << a.summary;
    bool quoted = m.text.find(a.snippet.substr(0, 20)) != std::string::npos ||
                  m.title.find(a.snippet.substr(0, 20)) != std::string::npos;
    EXPECT_TRUE(quoted || a.snippet.starts_with("...")) << "words of the mention itself: " << a.snippet;
  }
}

}  // namespace
}  // namespace brandmon::testing

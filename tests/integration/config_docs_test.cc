// docs/config.md is generated from the option tables; a stale copy fails here.

#include <gtest/gtest.h>

#include "daemon/settings/config_docs.h"
#include "tests/support/test_util.h"

namespace brandmon {
namespace {

TEST(ConfigDocsTest, CommittedReferenceMatchesTheCode) {
  std::string generated = settings::GenerateConfigDocs(plugin::BuiltinRegistry());
  std::string committed = testing::ReadFile("docs/config.md");
  EXPECT_TRUE(generated == committed)
      << "docs/config.md is stale: run `build/bin/brandmonctl config-docs --output docs/config.md`";
}

TEST(ConfigDocsTest, MarksTheOptionsOnlyARestartApplies) {
  std::string docs = settings::GenerateConfigDocs(plugin::BuiltinRegistry());
  // The line of `name` in the table under the heading `section`.
  auto line = [&](const std::string& section, const std::string& name) {
    size_t at = docs.find("\n## " + section + "\n");
    EXPECT_NE(at, std::string::npos) << section;
    at = docs.find("\n| `" + name + "` |", at);
    EXPECT_NE(at, std::string::npos) << section << "." << name;
    return docs.substr(at + 1, docs.find('\n', at + 1) - at - 1);
  };
  const std::string mark = "*Restart required.*";
  for (const auto& [section, name] : std::vector<std::pair<std::string, std::string>>{{"store", "file"},
                                                                                      {"daemon", "state_dir"},
                                                                                      {"daemon", "runtime_dir"},
                                                                                      {"fetch", "timeout"},
                                                                                      {"publish", "endpoints"},
                                                                                      {"sentiment", "lexicon_files"}}) {
    EXPECT_NE(line(section, name).find(mark), std::string::npos) << line(section, name);
  }
  for (const auto& [section, name] : std::vector<std::pair<std::string, std::string>>{
           {"store", "prune_interval"}, {"daemon", "log_level"}, {"Top level", "store"}, {"Top level", "brands"}}) {
    EXPECT_EQ(line(section, name).find(mark), std::string::npos) << line(section, name);
  }
}

TEST(ConfigDocsTest, EveryOptionOfEveryPluginIsDocumented) {
  for (const auto& p : plugin::BuiltinRegistry().all()) {
    EXPECT_FALSE(p.description.empty()) << p.name;
    for (const auto& o : p.options) EXPECT_FALSE(o.doc.empty()) << p.name << "." << o.key;
  }
}

}  // namespace
}  // namespace brandmon

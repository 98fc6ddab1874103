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

TEST(ConfigDocsTest, EveryOptionOfEveryPluginIsDocumented) {
  for (const auto& p : plugin::BuiltinRegistry().all()) {
    EXPECT_FALSE(p.description.empty()) << p.name;
    for (const auto& o : p.options) EXPECT_FALSE(o.doc.empty()) << p.name << "." << o.key;
  }
}

}  // namespace
}  // namespace brandmon

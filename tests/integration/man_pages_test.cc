// The man pages in docs/man/: brandmon.json(5), brandmon-notify.json(5) and
// brandmonctl(1) are generated from the option tables and the command table, and a stale copy
// fails here; brandmond(8) and brandmon-notify(1) are written by hand, and
// fail here when they miss an option the program's --help lists. Every page
// must render with man(1) without a warning.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "daemon/base/roff.h"
#include "daemon/cli/command.h"
#include "daemon/notify/notify_config.h"
#include "daemon/notify/receiver.h"
#include "daemon/settings/config_docs.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

std::string Page(const std::string& name) { return ReadFile(std::string(BRANDMON_SOURCE_DIR) + "/docs/man/" + name); }

TEST(ManPagesTest, GeneratedPagesMatchTheCode) {
  EXPECT_TRUE(settings::GenerateConfigMan(plugin::BuiltinRegistry()) == Page("brandmon.json.5"))
      << "docs/man/brandmon.json.5 is stale: run "
         "`build/bin/brandmonctl config-docs --format man --output docs/man/brandmon.json.5`";
  EXPECT_TRUE(notify::NotifyConfigMan(notify::ReceiverKinds()) == Page("brandmon-notify.json.5"))
      << "docs/man/brandmon-notify.json.5 is stale: run "
         "`build/bin/brandmon-notify config-docs --format man > docs/man/brandmon-notify.json.5`";
  EXPECT_TRUE(cli::ManPage() == Page("brandmonctl.1"))
      << "docs/man/brandmonctl.1 is stale: run `build/bin/brandmonctl man-page --output docs/man/brandmonctl.1`";
}

TEST(ManPagesTest, BrandmonctlsPageHasEveryCommandWithItsUsage) {
  std::string page = cli::ManPage();
  for (const auto& c : cli::Commands()) {
    std::string heading = ".SS " + RoffEscape(c.name) + "\n";
    EXPECT_NE(page.find(heading), std::string::npos) << c.name;
    std::string first_usage_line(c.usage.substr(0, c.usage.find('\n')));
    EXPECT_NE(page.find(RoffEscape(first_usage_line) + "\n"), std::string::npos) << c.name;
  }
}

TEST(ManPagesTest, HandWrittenPagesListEveryOptionOfHelp) {
  const std::regex option(R"((^|[\s\[|,])(--?[a-z][a-z-]*))");
  for (const auto& [program, page] : std::vector<std::pair<std::string, std::string>>{
           {"brandmond", "brandmond.8"}, {"brandmon-notify", "brandmon-notify.1"}}) {
    std::string help, err;
    ASSERT_EQ(RunCommand({BinaryPath(program), "--help"}, &help, &err), 0) << err;
    std::string manual = Page(page);
    std::set<std::string> options;
    for (std::sregex_iterator it(help.begin(), help.end(), option), end; it != end; ++it) options.insert((*it)[2]);
    EXPECT_GE(options.size(), 5u) << help;
    for (const auto& o : options) {
      EXPECT_NE(manual.find(RoffEscape(o)), std::string::npos) << page << " does not document " << o;
    }
    std::string title = ".TH " + RoffEscape(program) + " ";
    for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(manual.find(title), std::string::npos) << page;
    EXPECT_NE(manual.find("\"brandmon " BRANDMON_RELEASE "\""), std::string::npos)
        << page << ": its .TH must name the release, " BRANDMON_RELEASE;
  }
}

TEST(ManPagesTest, EveryPageRendersWithoutWarnings) {
  if (!std::filesystem::exists("/usr/bin/man")) GTEST_SKIP() << "no man-db";
  size_t pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(BRANDMON_SOURCE_DIR) + "/docs/man")) {
    ++pages;
    // As lintian checks a page: groff warnings on, UTF-8, 80 columns.
    std::string out, err;
    int rc = RunCommand({"/usr/bin/man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", entry.path().string()},
                        &out, &err, {{"LC_ALL", "C.UTF-8"}, {"MANROFFSEQ", ""}, {"MANWIDTH", "80"}});
    EXPECT_EQ(rc, 0) << entry.path();
    EXPECT_EQ(err, "") << entry.path();
    EXPECT_GT(out.size(), 1000u) << entry.path();
  }
  EXPECT_EQ(pages, 5u);
}

}  // namespace
}  // namespace brandmon::testing

// `brandmonctl keygen` (daemon/cli/keygen_command.cc).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "daemon/cli/command.h"
#include "daemon/publish/curve_keys.h"
#include "tests/support/test_util.h"

namespace brandmon::publish {
namespace {

int RunKeygenCtl(std::vector<std::string> args, std::string& out, std::string& err) {
  std::ostringstream o, e;
  std::istringstream in;
  int rc = cli::RunCtl(args, in, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

TEST(KeygenCommandTest, WritesAMatchingPairWithAPrivateSecretFile) {
  testing::TempDir dir;
  std::string prefix = (dir.path() / "server").string();
  std::string out, err;
  ASSERT_EQ(RunKeygenCtl({"keygen", "--output", prefix}, out, err), 0) << err;
  struct stat st {};
  ASSERT_EQ(stat((prefix + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto secret = ReadKeyFile(prefix + ".key");
  auto pub = ReadKeyFile(prefix + ".pub");
  ASSERT_TRUE(secret.ok() && pub.ok());
  EXPECT_EQ(*CurvePublicKey(*secret), *pub);
  EXPECT_NE(out.find(*pub), std::string::npos);
  EXPECT_EQ(out.find(*secret), std::string::npos) << "the secret is not printed";
  // A second run never replaces an existing key.
  EXPECT_EQ(RunKeygenCtl({"keygen", "--output", prefix}, out, err), 1);
  EXPECT_NE(err.find(prefix + ".key"), std::string::npos) << err;
  EXPECT_EQ(*ReadKeyFile(prefix + ".key"), *secret);
}

TEST(KeygenCommandTest, PrintsAFreshPairWithoutOutput) {
  std::string out1, out2, err;
  ASSERT_EQ(RunKeygenCtl({"keygen"}, out1, err), 0);
  ASSERT_EQ(RunKeygenCtl({"keygen"}, out2, err), 0);
  EXPECT_NE(out1, out2);
  ASSERT_EQ(out1.size(), std::string("public-key: \nsecret-key: \n").size() + 80) << out1;
  EXPECT_EQ(*CurvePublicKey(out1.substr(out1.find("secret-key: ") + 12, 40)), out1.substr(12, 40));
  EXPECT_EQ(RunKeygenCtl({"keygen", "--force"}, out1, err), 2);
}

}  // namespace
}  // namespace brandmon::publish

#include "daemon/text/normalize.h"

#include <gtest/gtest.h>

namespace brandmon::text {
namespace {

TEST(NormalizeTest, ComposesDecomposedText) {
  Result<std::string> nfc = Normalize("cafe\xCC\x81", NormalForm::kNfc);
  ASSERT_TRUE(nfc.ok());
  EXPECT_EQ(*nfc, "café");
  EXPECT_FALSE(IsNfcQuick("cafe\xCC\x81"));
  EXPECT_TRUE(IsNfcQuick("café"));
  EXPECT_TRUE(IsNfcQuick("plain"));
}

TEST(NormalizeTest, CompatibilityFormsFoldToPlainLetters) {
  Result<std::string> nfkc = Normalize("ｇｒｅａｔ ﬁne", NormalForm::kNfkc);
  ASSERT_TRUE(nfkc.ok());
  EXPECT_EQ(*nfkc, "great fine");
  Result<std::string> folded = Normalize("ＧＲＥＡＴ Straße", NormalForm::kNfkcCasefold);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(*folded, "great strasse");
}

TEST(NormalizeTest, InvalidInputIsRepairedNotRejected) {
  Result<std::string> nfc = Normalize("ok\xFF", NormalForm::kNfc);
  ASSERT_TRUE(nfc.ok());
  EXPECT_EQ(*nfc, "ok\xEF\xBF\xBD");
}

}  // namespace
}  // namespace brandmon::text

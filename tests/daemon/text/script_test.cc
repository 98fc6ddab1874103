#include "daemon/text/script.h"

#include <gtest/gtest.h>

namespace brandmon::text {
namespace {

TEST(ScriptTest, ClassifiesEachSupportedScript) {
  struct Case {
    char32_t cp;
    Script want;
  };
  const Case cases[] = {
      {U'a', Script::kLatin},           {U'Z', Script::kLatin},       {U'\u00E9', Script::kLatin},
      {U'1', Script::kCommon},          {U'!', Script::kCommon},      {U'\u0627', Script::kArabic},
      {U'\u0915', Script::kDevanagari}, {U'\u0964', Script::kCommon}, {U'\u0A96', Script::kGujarati},
      {U'\u4E2D', Script::kHan},        {U'\u3042', Script::kKana},   {U'\u30A2', Script::kKana},
      {U'\uAC00', Script::kHangul},     {U'\u0E01', Script::kThai},   {U'\u0416', Script::kCyrillic},
      {U'\U0001F621', Script::kCommon},
  };
  for (const auto& c : cases) EXPECT_EQ(ScriptOf(c.cp), c.want) << static_cast<uint32_t>(c.cp);
}

TEST(ScriptTest, UnspacedScripts) {
  EXPECT_TRUE(IsUnspacedScript(Script::kHan));
  EXPECT_TRUE(IsUnspacedScript(Script::kThai));
  EXPECT_FALSE(IsUnspacedScript(Script::kGujarati));
  EXPECT_EQ(ScriptName(Script::kGujarati), "gujarati");
}

}  // namespace
}  // namespace brandmon::text

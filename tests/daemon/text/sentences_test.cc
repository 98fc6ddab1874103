#include "daemon/text/sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace brandmon::text {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& s : SplitSentences(text)) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(SentencesTest, SplitsAtTerminalPunctuationAndLineBreaks) {
  struct Case {
    std::string text;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"Great phone. Bad battery!! Why?", {"Great phone.", "Bad battery!!", "Why?"}},
      {"no punctuation at all", {"no punctuation at all"}},
      {"line one\nline two", {"line one", "line two"}},
      {"See e.g. this one. Next", {"See e.g. this one.", "Next"}},
      {"很好。太差了！", {"很好。", "太差了！"}},
      {"यह अच्छा है। वह बुरा है।", {"यह अच्छा है।", "वह बुरा है।"}},
      {"...", {"..."}},
      {"", {}},
  };
  for (const auto& c : cases) EXPECT_EQ(Split(c.text), c.want) << c.text;
}

}  // namespace
}  // namespace brandmon::text

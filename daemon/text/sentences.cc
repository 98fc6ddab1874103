#include "daemon/text/sentences.h"

#include "daemon/text/utf8.h"

namespace brandmon::text {

bool IsTerminal(const Token& t) {
  if (t.kind != Token::Kind::kPunct) return false;
  std::string_view s = t.text;
  if (s.size() == 1) return s[0] == '.' || s[0] == '!' || s[0] == '?';
  return s == "…" || s == "。" || s == "！" || s == "？" || s == "؟" || s == "।" || s == "॥" || s == "｡";
}

void SentenceStarts(const std::vector<Token>& tokens, std::vector<uint32_t>* starts) {
  starts->clear();
  if (tokens.empty()) return;
  starts->push_back(0);
  bool after_terminal = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (IsTerminal(t)) {
      bool abbreviation =
          t.text == "." && i > 0 && tokens[i - 1].kind == Token::Kind::kWord && tokens[i - 1].text.size() == 1;
      if (!abbreviation) after_terminal = true;
      continue;
    }
    if ((after_terminal || t.line_break_before) && i > starts->back()) starts->push_back(static_cast<uint32_t>(i));
    after_terminal = false;
  }
}

std::vector<SentenceSpan> SplitSentences(std::string_view text) {
  std::vector<Token> tokens;
  TokenizerOptions options;
  options.segment_unspaced = false;
  Tokenize(text, options, &tokens);
  std::vector<uint32_t> starts;
  SentenceStarts(tokens, &starts);
  std::vector<SentenceSpan> out;
  for (size_t s = 0; s < starts.size(); ++s) {
    size_t last = (s + 1 < starts.size() ? starts[s + 1] : tokens.size()) - 1;
    const Token& end_token = tokens[last];
    out.push_back({tokens[starts[s]].begin, end_token.begin + static_cast<uint32_t>(end_token.text.size())});
  }
  return out;
}

}  // namespace brandmon::text

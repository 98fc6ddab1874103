#include "daemon/text/tokens.h"

#include <cstdint>
#include <utility>

#include "daemon/text/normalize.h"
#include "daemon/text/utf8.h"

namespace brandmon::text {

Tokens::Tokens(Tokens&& other) noexcept
    : input_(other.input_), normalized_(std::move(other.normalized_)), tokens_(std::move(other.tokens_)) {
  other.Reset({});
}

Tokens& Tokens::operator=(Tokens&& other) noexcept {
  if (this == &other) return *this;
  normalized_ = std::move(other.normalized_);
  tokens_ = std::move(other.tokens_);
  Reset(other.input_);
  other.Reset({});
  return *this;
}

void Tokens::Reset(std::string_view input) {
  input_ = input;
  split_ = false;
  text_ = {};
  tokens_.clear();
}

std::string_view Tokens::text() const {
  if (!split_) Split();
  return text_;
}

const std::vector<Token>& Tokens::tokens() const {
  if (!split_) Split();
  return tokens_;
}

void Tokens::Split() const {
  split_ = true;
  std::string_view t = input_;
  if (t.size() >= UINT32_MAX) {  // Tokenize's limit: token offsets are 32-bit
    text_ = {};
    tokens_.clear();
    return;
  }
  if (!IsValidUtf8(t)) {
    normalized_ = RepairUtf8(t);
    t = normalized_;
  }
  if (!IsNfcQuick(t)) {
    if (Result<std::string> nfc = Normalize(t, NormalForm::kNfc); nfc.ok()) {
      normalized_ = std::move(nfc).value();
      t = normalized_;
    }
  }
  text_ = t;
  Tokenize(text_, TokenizerOptions{}, &tokens_);
}

}  // namespace brandmon::text

#include "daemon/text/tokens.h"

#include <unicode/normalizer2.h>

#include <algorithm>
#include <utility>

#include "daemon/text/normalize.h"
#include "daemon/text/utf8.h"

namespace brandmon::text {

Tokens::Tokens(Tokens&& other) noexcept
    : input_(other.input_),
      normalized_(std::move(other.normalized_)),
      tokens_(std::move(other.tokens_)),
      words_(std::move(other.words_)),
      folds_(std::move(other.folds_)),
      input_cps_(std::move(other.input_cps_)) {
  Forget();
  other.Reset({});
}

Tokens& Tokens::operator=(Tokens&& other) noexcept {
  if (this == &other) return *this;
  normalized_ = std::move(other.normalized_);
  tokens_ = std::move(other.tokens_);
  words_ = std::move(other.words_);
  folds_ = std::move(other.folds_);
  input_cps_ = std::move(other.input_cps_);
  Reset(other.input_);
  other.Reset({});
  return *this;
}

void Tokens::Reset(std::string_view input) {
  input_ = input;
  Forget();
}

void Tokens::Forget() {
  resolved_ = false;
  rewritten_ = false;
  composed_ = false;
  split_ = false;
  words_folded_ = false;
  text_ = {};
  tokens_.clear();
  for (Fold& f : folds_) f.done = false;
  input_cps_.clear();
}

std::string_view Tokens::text() const {
  if (!resolved_) Resolve();
  return text_;
}

const std::vector<Token>& Tokens::tokens() const {
  if (!split_) Split();
  return tokens_;
}

void Tokens::Resolve(bool valid) const {
  resolved_ = true;
  std::string_view t = input_;
  if (t.size() >= UINT32_MAX) {  // Tokenize's limit: token offsets are 32-bit
    text_ = {};
    return;
  }
  if (!valid && !IsValidUtf8(t)) {
    normalized_ = RepairUtf8(t);
    t = normalized_;
    rewritten_ = true;
  }
  if (!IsNfcQuick(t)) {
    if (Result<std::string> nfc = Normalize(t, NormalForm::kNfc); nfc.ok() && *nfc != t) {
      normalized_ = std::move(nfc).value();
      t = normalized_;
      rewritten_ = true;
      composed_ = true;
    }
  }
  text_ = t;
}

void Tokens::Split() const {
  split_ = true;
  if (!resolved_) Resolve();
  if (input_.size() >= UINT32_MAX) {
    tokens_.clear();
    return;
  }
  Tokenize(text_, TokenizerOptions{}, &tokens_);
}

const FoldedWords& Tokens::Words() const {
  if (!words_folded_) FoldWords();
  return words_;
}

namespace {

bool IsWordKind(Token::Kind kind) {
  using Kind = Token::Kind;
  return kind == Kind::kWord || kind == Kind::kNumber || kind == Kind::kHandle || kind == Kind::kHashtag;
}

}  // namespace

void Tokens::FoldWords() const {
  words_folded_ = true;
  const std::vector<Token>& tokens = this->tokens();
  std::string& bytes = words_.bytes;
  words_.keys.resize(tokens.size());
  if (IsAscii(text_)) {
    // Most texts: lower-cased once as a whole, each word's fold at the
    // word's own offset.
    bytes.resize(text_.size());
    for (size_t i = 0; i < text_.size(); ++i) {
      char c = text_[i];
      bytes[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      FoldedWords::Key& k = words_.keys[i];
      bool word = IsWordKind(t.kind);
      k.offset = t.begin;
      k.length = word ? static_cast<uint32_t>(t.text.size()) : 0;
      k.hash = word ? HashWord(words_.Word(k)) : 0;
    }
    return;
  }
  // Sized once for the longest fold the text may have, then to what it has.
  bytes.resize(text_.size() * kMaxWordFoldGrowth);
  size_t n = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    FoldedWords::Key& k = words_.keys[i];
    k.offset = static_cast<uint32_t>(n);
    k.length = 0;
    k.hash = 0;
    if (!IsWordKind(t.kind)) continue;
    k.length = static_cast<uint32_t>(FoldWordTo(t.text, bytes.data() + n));
    n += k.length;
    k.hash = HashWord(std::string_view(bytes.data() + k.offset, k.length));
  }
  bytes.resize(n);
}

const FoldedText& Tokens::Folded(FoldMode mode, bool want_words) const {
  Fold& f = folds_[static_cast<size_t>(mode)];
  if (f.done && (f.words || !want_words)) return f.text;
  f.done = true;
  f.words = want_words;
  if (!resolved_) {
    // Most texts are valid NFC, which their fold tells: it is then the fold
    // of text(), and the text need not be checked again.
    TextForm form = FoldText(input_, mode, want_words, &f.text);
    if (form == TextForm::kNfc && input_.size() < UINT32_MAX) {
      resolved_ = true;
      text_ = input_;
      return f.text;
    }
    Resolve(/*valid=*/form != TextForm::kInvalidUtf8);
    if (!rewritten_) return f.text;
  } else if (!rewritten_) {
    FoldText(input_, mode, want_words, &f.text);
    return f.text;
  }
  FoldText(text_, mode, want_words, &f.text);
  if (composed_) MapToInput(f.text);
  return f.text;
}

void Tokens::MapToInput(FoldedText& folded) const {
  if (input_cps_.empty()) {
    // NFC rewrites a text only within segments that start where it always
    // has a boundary, and normalizing each segment alone gives the same text:
    // the code points of a segment's NFC map to the segment's in the input,
    // the last of them to the segment's last.
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    std::string segment, composed;
    uint32_t input_cp = 0;
    uint32_t segment_cps = 0;
    auto flush = [&] {
      if (segment_cps == 0) return;
      composed.clear();
      icu::StringByteSink<std::string> sink(&composed);
      nfc->normalizeUTF8(0, icu::StringPiece(segment.data(), static_cast<int32_t>(segment.size())), sink, nullptr,
                         status);
      size_t out_cps = U_SUCCESS(status) ? CountCodePoints(composed) : segment_cps;
      uint32_t first = input_cp - segment_cps;
      for (size_t k = 0; k < out_cps; ++k) {
        input_cps_.push_back(first + std::min(static_cast<uint32_t>(k), segment_cps - 1));
      }
      segment.clear();
      segment_cps = 0;
    };
    for (size_t i = 0; i < input_.size();) {
      size_t at = i;
      char32_t cp = DecodeUtf8(input_, &i);  // an invalid byte reads as U+FFFD, as RepairUtf8 makes it
      if (U_SUCCESS(status) && nfc->hasBoundaryBefore(static_cast<UChar32>(cp))) flush();
      if (cp == kReplacementChar && i - at == 1) {
        AppendUtf8(cp, &segment);
      } else {
        segment.append(input_.substr(at, i - at));
      }
      ++segment_cps;
      ++input_cp;
    }
    flush();
    input_cps_.push_back(input_cp);
  }
  const auto last = static_cast<uint32_t>(input_cps_.size() - 1);
  for (uint32_t& cp : folded.source) cp = input_cps_[std::min(cp, last)];
}

}  // namespace brandmon::text

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/sentiment/term_map.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::sentiment {

// The text::Token kinds an ASCII text has.
enum class AsciiKind : uint8_t { kWord, kNumber, kEmoticon, kUrl, kHandle, kHashtag, kPunct };

// One token of an ASCII text: its kind, its end, and for a word, a number or
// an emoticon the hash of its key (HashTerm of its lower-cased bytes); for a
// word or a number, the text::AsciiClass bits of its bytes too.
struct Lexeme {
  AsciiKind kind;
  size_t end;
  uint64_t hash = 0;
  uint8_t seen = 0;
};

// Splits an ASCII text exactly as text::Tokenize does, from the same byte
// classes, with the same tests in the same order, one token at a time and
// hashing words as it reads them. Header-inline: it runs inside the ASCII
// pass's loop. Holds views of the text and of its lower-cased copy, which
// the caller keeps alive; thread-compatible.
class AsciiLexer {
 public:
  // REQUIRES: `lower` holds text.size() bytes, `text` lower-cased (LowerAscii).
  AsciiLexer(std::string_view text, const char* lower) : text_(text), lower_(lower) {}

  // The token text::Tokenize reads at `pos`. REQUIRES: pos < size(), and
  // the byte at `pos` is not white space.
  [[gnu::always_inline]] Lexeme LexAt(size_t pos) const {
    using text::kAsciiClass;
    const char* const p = text_.data();
    const size_t n = text_.size();
    uint8_t cls = kAsciiClass[static_cast<unsigned char>(p[pos])];
    if (cls & (text::kUrlStart | text::kEmoticonStart | text::kTagStart)) {
      if (cls & text::kUrlStart) {
        if (size_t end = UrlEnd(pos); end != 0) return {AsciiKind::kUrl, end};
      }
      // Every emoticon has two bytes or more and no space, and the letters
      // that start one ("xD", "o_O", "T_T", "8)") are followed by one of
      // "_Dd)-": most candidates are ruled out before the call.
      if ((cls & text::kEmoticonStart) && pos + 1 < n) {
        char c = p[pos + 1];
        bool may = (cls & text::kWordByte) ? c == '_' || c == 'D' || c == 'd' || c == ')' || c == '-'
                                           : !(kAsciiClass[static_cast<unsigned char>(c)] & text::kSpaceByte);
        if (size_t len = may ? text::EmoticonAt(text_, pos) : 0; len != 0) {
          return {AsciiKind::kEmoticon, pos + len, HashTerm(Lower(pos, pos + len))};
        }
      }
      if ((cls & text::kTagStart) && pos + 1 < n &&
          (kAsciiClass[static_cast<unsigned char>(p[pos + 1])] & text::kWordByte)) {
        size_t end = pos + 1;
        while (end < n && ((kAsciiClass[static_cast<unsigned char>(p[end])] & text::kWordByte) || p[end] == '_')) {
          ++end;
        }
        return {p[pos] == '@' ? AsciiKind::kHandle : AsciiKind::kHashtag, end};
      }
    }
    if (!(cls & text::kWordByte)) return {AsciiKind::kPunct, pos + 1};
    return LexWord(pos);
  }

  // The end of the URL starting at `pos` ("http://", "https://", "www.",
  // any case, up to white space), or 0.
  size_t UrlEnd(size_t pos) const {
    const char* rest = text_.data() + pos;
    const size_t left = text_.size() - pos;
    // Only "ht" and "ww" can start one (the tokenizer's own prefilter).
    if (left < 4 || (rest[1] | 0x20) != ((rest[0] | 0x20) == 'h' ? 't' : 'w')) return 0;
    // The tokenizer's test: each byte with the case bit set equals the prefix's.
    auto starts = [&](std::string_view prefix) {
      if (left < prefix.size()) return false;
      for (size_t k = 0; k < prefix.size(); ++k) {
        if ((rest[k] | 0x20) != prefix[k]) return false;
      }
      return true;
    };
    if (!(starts("http://") || starts("https://") || starts("www."))) return 0;
    size_t end = pos;
    while (end < text_.size() && !(text::kAsciiClass[static_cast<unsigned char>(text_[end])] & text::kSpaceByte)) {
      ++end;
    }
    return end;
  }

  // The lower-cased bytes [begin, end).
  std::string_view Lower(size_t begin, size_t end) const { return std::string_view(lower_ + begin, end - begin); }

  size_t size() const { return text_.size(); }

 private:
  // Letters and digits, joined by inner apostrophes and hyphens ("don't",
  // "co-op"), or digits by inner '.' and ',' ("1,000").
  [[gnu::always_inline]] Lexeme LexWord(size_t pos) const {
    using text::kAsciiClass;
    constexpr uint8_t kLetter = text::kUpperByte | text::kLowerByte;
    const char* const p = text_.data();
    const size_t n = text_.size();
    uint8_t seen = 0;
    uint64_t h = kHashSeed;
    size_t end = pos;
    for (;;) {
      for (; end < n; ++end) {
        uint8_t c = kAsciiClass[static_cast<unsigned char>(p[end])];
        if (!(c & text::kWordByte)) break;
        seen |= c;
        h = HashByte(h, static_cast<unsigned char>(lower_[end]));
      }
      if (end + 1 >= n) break;
      char c = p[end];
      if (c != '\'' && c != '-' && c != '.' && c != ',') break;
      bool letters = seen & kLetter;
      bool decimal = c == '.' || c == ',';
      if (decimal && letters) break;
      uint8_t follow = kAsciiClass[static_cast<unsigned char>(p[end + 1])];
      if (!(follow & text::kWordByte) || (decimal && (follow & kLetter))) break;
      h = HashByte(h, static_cast<unsigned char>(c));
      ++end;
    }
    bool letters = seen & kLetter;
    return {letters ? AsciiKind::kWord : AsciiKind::kNumber, end, HashFinish(h), seen};
  }

  std::string_view text_;
  const char* lower_;
};

}  // namespace brandmon::sentiment

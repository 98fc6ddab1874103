#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "daemon/text/script.h"

namespace brandmon::text {

// One unit of social-media text. `text` points into the tokenized string.
struct Token {
  enum class Kind : uint8_t {
    kWord,      // letters (any script), digits and marks; may hold inner apostrophes and hyphens
    kNumber,    // digits with inner '.' or ','
    kEmoji,     // one emoji with its modifiers, ZWJ sequence or flag
    kEmoticon,  // :-)  <3  :'(  xD
    kUrl,
    kHandle,   // @name
    kHashtag,  // #name; its words follow as kWord tokens with in_hashtag set
    kPunct,    // one punctuation or symbol code point
  };
  std::string_view text;
  uint32_t begin = 0;     // byte offset
  uint32_t cp_begin = 0;  // code-point offset
  Kind kind = Kind::kWord;
  Script script = Script::kCommon;  // of a word's first letter
  bool all_caps = false;            // a word of two or more letters, all upper-case
  bool in_hashtag = false;
  bool line_break_before = false;
};

struct TokenizerOptions {
  // Splits runs of Chinese, Japanese and Thai into words with ICU's
  // dictionary break iterator; otherwise a run stays one kWord token.
  bool segment_unspaced = true;
};

// Splits text into Tokens. REQUIRES: `text` is valid UTF-8 (see RepairUtf8)
// and shorter than 4 GiB. Appends to *out (cleared first) and allocates only
// when *out must grow, so a reused vector makes tokenizing allocation-free
// except for ICU segmentation of unspaced scripts. Thread-safe.
void Tokenize(std::string_view text, const TokenizerOptions& options, std::vector<Token>* out);

// Splits the body of a hashtag (without '#') into words at case changes,
// letter/digit changes and underscores: "WorstServiceEver" -> worst, service,
// ever. Appends views into `body` to *out.
void SplitHashtag(std::string_view body, std::vector<std::string_view>* out);

// True for the code points that start or continue an emoji sequence.
bool IsEmojiStart(char32_t cp);

// The bytes an emoticon can start with: EmoticonAt is 0 at any other byte.
inline constexpr std::string_view kEmoticonFirstBytes = ":;=<>^-TOo8xX";

// What an ASCII byte can start or continue, as Tokenize reads it; a scanner
// that must split text exactly as Tokenize does reads the same table.
enum AsciiClass : uint8_t {
  kSpaceByte = 1 << 0,
  kWordByte = 1 << 1,  // a letter or digit
  kUpperByte = 1 << 2,
  kLowerByte = 1 << 3,
  kUrlStart = 1 << 4,       // h, w
  kEmoticonStart = 1 << 5,  // kEmoticonFirstBytes
  kTagStart = 1 << 6,       // @ #
};

// Indexed by any byte; bytes of multi-byte sequences have no class.
inline constexpr std::array<uint8_t, 256> kAsciiClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 128; ++c) {
    uint8_t v = 0;
    if (c == ' ' || (c >= '\t' && c <= '\r')) v |= kSpaceByte;
    if (c >= '0' && c <= '9') v |= kWordByte;
    if (c >= 'A' && c <= 'Z') v |= kWordByte | kUpperByte;
    if (c >= 'a' && c <= 'z') v |= kWordByte | kLowerByte;
    if (c == 'h' || c == 'H' || c == 'w' || c == 'W') v |= kUrlStart;
    if (c == '@' || c == '#') v |= kTagStart;
    if (kEmoticonFirstBytes.find(static_cast<char>(c)) != std::string_view::npos) v |= kEmoticonStart;
    t[c] = v;
  }
  return t;
}();

// The length in bytes of the emoticon (":-)", "<3", "xD") that Tokenize
// reads at byte `pos` of `text` when a token starts there, or 0.
// REQUIRES: pos < text.size().
size_t EmoticonAt(std::string_view text, size_t pos);

}  // namespace brandmon::text

#pragma once

// Unicode folding for brand matching: text and query terms go through the same
// function, so whatever it merges (case, compatibility forms, optionally
// diacritics, runs of spaces and punctuation) matches alike on both sides. A
// mention's fields are folded through their text::Tokens (Tokens::Folded),
// so the fold and the words read the same repaired, normalized text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::text {

enum class FoldMode : uint8_t {
  kCaseOnly = 0,      // case-folded and compatibility-decomposed: "Café" -> "cafe\u0301"
  kNoDiacritics = 1,  // also drops diacritics: "Café" -> "cafe", "Łódź" -> "lodz"
};

// Classes of a code point, as a bit set.
enum CharFlag : uint8_t {
  kWordChar = 1,   // letters, marks, digits, '_': part of a word
  kNoSpace = 2,    // a script written without spaces (Han, kana, Hangul, Thai...): words are substrings
  kMark = 4,       // a combining mark: never the start or end of a match
  kKeptPunct = 8,  // punctuation kept by folding because URLs, handles and tags need it: # @ $ . / : & + '
};
// Everything that is neither a word char nor kept punctuation folds to one space.
uint8_t CharFlagsOf(char32_t cp);

// Text folded for matching. `bytes` is UTF-8 without leading or trailing
// spaces and with separators collapsed to one ' '. `source[i]` is the index,
// in code points of the original text, of the character byte i came from;
// `source[bytes.size()]` is the original length in code points. Reused across
// calls to avoid allocation; thread-compatible.
struct FoldedText {
  std::string bytes;
  std::vector<uint32_t> source;
  std::vector<uint32_t> word_starts;  // byte offsets where words start, ascending (when requested)

  // Original code-point span of the folded bytes [begin, end).
  // REQUIRES: begin < end <= bytes.size().
  uint32_t SourceStart(size_t begin) const { return source[begin]; }
  uint32_t SourceEnd(size_t end) const {
    uint32_t after = source[end];
    uint32_t last = source[end - 1] + 1;
    return after > last ? after : last;
  }
  // Index of the word containing byte `pos` (0 before the first word).
  // REQUIRES: word starts were requested.
  uint32_t WordAt(size_t pos) const;
};

// What FoldText saw of a text beside folding it.
enum class TextForm : uint8_t {
  kNfc,          // valid UTF-8 that passes the NFC quick check: needs neither RepairUtf8 nor normalization
  kMaybeNotNfc,  // valid UTF-8 with a character that may compose, or marks out of canonical order
  kInvalidUtf8,  // needs RepairUtf8, and maybe normalization
};

// Folds `text` into `out` (cleared first). Invalid UTF-8 bytes count as one
// code point each and fold to a separator. `want_words` also fills
// word_starts. Returns what it saw of the text's form, so that text::Tokens
// need not check it again.
TextForm FoldText(std::string_view text, FoldMode mode, bool want_words, FoldedText* out);

// The folded bytes of `text`, e.g. for a query term.
std::string FoldString(std::string_view text, FoldMode mode);

// Whether a match of folded bytes [begin, end) in `folded` starts and ends on
// word boundaries. Boundaries lie next to separators, around words of
// scripts written without spaces, and never before a combining mark; a match
// that starts with '#', '@' or '$' also needs a non-word character before it.
// REQUIRES: `folded` was produced by FoldText; begin < end <= folded.size().
bool StartsOnBoundary(std::string_view folded, size_t begin);
bool EndsOnBoundary(std::string_view folded, size_t end);

// Whether `text` holds at least one word character.
bool HasWordChar(std::string_view text);

// Words compared whole. FoldText folds a text to find brand terms inside it;
// the rules compare a text's words with their cues and count them as terms,
// and the sentiment lexicons look words up. Those folds keep each letter as
// written, composed ("dónde" stays "dónde", so an emerging term reads as
// people wrote it), and fold only its case, one code point at a time.

// Appends the simple case folding of `utf8` (valid UTF-8) to *out, one code
// point at a time. It allocates only when *out must grow, which makes it fit
// for per-token use; full folding (ß -> ss) needs Normalize(kNfkcCasefold).
void AppendFolded(std::string_view utf8, std::string* out);

// Appends a word as the rules compare words: AppendFolded, and the
// typographic apostrophe (U+2019) as "'", so "Don’t" is "don't".
void AppendFoldedWord(std::string_view word, std::string* out);

// The most bytes a byte grows to in AppendFolded or AppendFoldedWord (an
// invalid byte is written as U+FFFD).
inline constexpr size_t kMaxWordFoldGrowth = 3;

// AppendFoldedWord written at `out`, which has room for kMaxWordFoldGrowth
// bytes per byte of `word`; returns the bytes written.
size_t FoldWordTo(std::string_view word, char* out);

// The hash of a folded word (64-bit FNV-1a): computed once per word of a
// text (Tokens::Words) and read by every set the word is looked up in,
// which hash their members with it too.
inline uint64_t HashWord(std::string_view folded) {
  uint64_t h = 14695981039346656037ull;
  for (char c : folded) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

}  // namespace brandmon::text

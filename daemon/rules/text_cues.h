#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/text/tokenizer.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::rules {

// The words of a text as the rules compare them: its text::Tokens (split by
// text::Tokenize after repair and NFC, as the rest of brandmon reads words)
// case-folded by text::AppendFolded, so "¿DÓNDE" holds the word "dónde" and
// Devanagari punctuation ends a word. Words of any script, numbers, handles
// ("@acme") and hashtags ("#acme", one word) count; URLs, emoji and
// punctuation do not. The typographic apostrophe folds to "'". Appended to
// `out`; reads `tokens` from the calling thread.
void AppendWords(const text::Tokens& tokens, std::vector<std::string>& out);
// The same for some of a text's tokens (those of one sentence).
void AppendWords(std::span<const text::Token> tokens, std::vector<std::string>& out);
// The same from raw text (any bytes): its Tokens, then the above.
void AppendWords(std::string_view text, std::vector<std::string>& out);
std::vector<std::string> Words(std::string_view text);

// A phrase split by Words, to look for many times.
using Phrase = std::vector<std::string>;

// Whether `phrase` occurs in `words` as consecutive whole words. An empty
// phrase never occurs.
bool ContainsWords(const std::vector<std::string>& words, const Phrase& phrase);

// Whether `phrase` (itself split by Words) occurs in `words` as consecutive
// whole words. An empty phrase never occurs.
bool ContainsPhrase(const std::vector<std::string>& words, std::string_view phrase);

// A set of words to test every word of many texts against. Most words
// start no member with their first byte and length: those are answered
// without hashing them. Thread-compatible (contains() is const).
class WordSet {
 public:
  WordSet() = default;
  template <typename It>
  WordSet(It begin, It end) {
    for (; begin != end; ++begin) insert(*begin);
  }
  void insert(std::string_view word);
  bool contains(std::string_view word) const {
    return (shapes_[FirstByte(word)] & ShapeBit(word.size())) != 0 && words_.contains(word);
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static unsigned char FirstByte(std::string_view w) { return w.empty() ? 0 : static_cast<unsigned char>(w[0]); }
  // Bit min(n, 63): some member has n bytes and starts with the byte indexed.
  static uint64_t ShapeBit(size_t n) { return uint64_t{1} << (n < 63 ? n : 63); }
  std::array<uint64_t, 256> shapes_{};
  std::unordered_set<std::string, Hash, std::equal_to<>> words_;
};

// Where a phrase of a PhraseSet occurs: its id and the index of its first
// word in the words searched.
struct PhraseHit {
  uint32_t id = 0;
  uint32_t word = 0;
  friend bool operator==(const PhraseHit&, const PhraseHit&) = default;
};

// Many phrases looked for in one pass over the words of a text, each under
// an id the caller picks. Build it once, then Find() as often as needed;
// thread-compatible (Find() is const and keeps no state).
class PhraseSet {
 public:
  // Adds `phrase` (split by Words) under `id`; an empty phrase is ignored.
  void Add(const Phrase& phrase, uint32_t id);
  // Sets found[id] to 1 for the id of every phrase that occurs in `words` as
  // consecutive whole words (ContainsWords). Other entries are left alone.
  // With `hits`, also appends every occurrence, by word then id (an id once
  // per word). REQUIRES: found.size() > every id added.
  void Find(const std::vector<std::string>& words, std::vector<uint8_t>& found,
            std::vector<PhraseHit>* hits = nullptr) const;
  // One more than the largest id added; 0 when empty.
  uint32_t id_count() const { return id_count_; }

 private:
  struct Entry {
    uint32_t id;
    Phrase rest;  // the words after the first
  };
  // Bit min(n, 63) of [b]: some phrase's first word has n bytes and starts
  // with byte b.
  static uint64_t ShapeBit(size_t n) { return uint64_t{1} << (n < 63 ? n : 63); }
  std::array<uint64_t, 256> first_word_shapes_{};
  std::unordered_map<std::string, std::vector<Entry>> by_first_word_;
  uint32_t id_count_ = 0;
};

// The cues that make a mention a question or a complaint in one language,
// and the words in which its writer speaks of themself.
struct LanguageCues {
  std::string_view lang;  // primary subtag: "en", "fr"...
  std::vector<std::string_view> questions;
  std::vector<std::string_view> complaints;
  std::vector<std::string_view> first_person;  // "i", "my", "mi", "मेरा"...
  // The language whose cues also apply: Hinglish ("hi" written in Latin
  // letters) mixes in English.
  std::string_view also = {};
};

// The built-in cue lists, one per supported language: en, fr, de, es, it,
// pt, nl, hi (Devanagari and Hinglish) and gu.
const std::vector<LanguageCues>& BuiltinCues();

// The lowercase primary subtag of a BCP 47 code: "pt-BR" -> "pt".
std::string PrimaryLanguage(std::string_view lang);

// The cue lists that apply to a mention in `lang` (a BCP 47 code or empty):
// that language's (and its `also`'s) when known, else every language's.
std::vector<const LanguageCues*> CuesFor(std::string_view lang);

// Common words of the supported languages and web noise ("https", "www"),
// which never count as emerging terms.
bool IsStopword(std::string_view word);

// Whether the text has a question mark (ASCII, Spanish, Arabic or
// full-width).
bool HasQuestionMark(std::string_view text);

}  // namespace brandmon::rules

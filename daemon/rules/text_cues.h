#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/text/fold.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::rules {

// A word as the rules compare it (AppendWords) with its hash
// (text::HashWord), computed once per word of a mention.
struct HashedWord {
  std::string_view text;
  uint64_t hash = 0;
};

// Hash and equality for sets of words looked up by HashedWord (the hash
// taken as computed) or by any string (hashed by text::HashWord).
struct WordHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return text::HashWord(s); }
  size_t operator()(const HashedWord& w) const { return w.hash; }
};
struct WordEq {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return View(a) == View(b);
  }

 private:
  static std::string_view View(std::string_view s) { return s; }
  static std::string_view View(const HashedWord& w) { return w.text; }
};

// One bit for each of 4096 slices of the hashes (text::HashWord) of the
// words of a set: a word whose bit is clear is not in the set, which is told
// without reaching the set's nodes (most words of a text are in none).
class HashFilter {
 public:
  void Add(uint64_t hash) { bits_[Slot(hash) / 64] |= uint64_t{1} << (Slot(hash) % 64); }
  bool MayHold(uint64_t hash) const { return (bits_[Slot(hash) / 64] >> (Slot(hash) % 64)) & 1; }

 private:
  // The high bits: a multiplicative hash mixes every byte into them.
  static size_t Slot(uint64_t hash) { return static_cast<size_t>(hash >> 52); }
  std::array<uint64_t, 64> bits_{};
};

// The words of a text (AppendWords), each with its hash. A plain value type.
class WordList {
 public:
  WordList() = default;
  // The given words, hashed: a list of words reads as one.
  WordList(std::vector<std::string> words);  // NOLINT(google-explicit-constructor)
  void reserve(size_t n) {
    words_.reserve(n);
    hashes_.reserve(n);
  }
  // REQUIRES: hash == text::HashWord(word).
  void push_back(std::string_view word, uint64_t hash) {
    words_.emplace_back(word);
    hashes_.push_back(hash);
  }
  size_t size() const { return words_.size(); }
  bool empty() const { return words_.empty(); }
  const std::string& operator[](size_t i) const { return words_[i]; }
  HashedWord at(size_t i) const { return {words_[i], hashes_[i]}; }
  std::vector<std::string>::const_iterator begin() const { return words_.begin(); }
  std::vector<std::string>::const_iterator end() const { return words_.end(); }

 private:
  std::vector<std::string> words_;
  std::vector<uint64_t> hashes_;  // parallel to words_
};

// The words of a text as the rules compare them: its text::Tokens (split by
// text::Tokenize after repair and NFC, as the rest of brandmon reads words)
// folded as words (text::Tokens::Words, text::AppendFoldedWord), so
// "¿DÓNDE" holds the word "dónde", "Don’t" the word "don't", and Devanagari
// punctuation ends a word. Words of any script, numbers, handles ("@acme")
// and hashtags ("#acme", one word) count; URLs, emoji and punctuation do
// not. Appended to `out`; reads `tokens` from the calling thread.
void AppendWords(const text::Tokens& tokens, WordList& out);
// The same for tokens [begin, end) of `tokens` (those of one sentence).
void AppendWords(const text::Tokens& tokens, size_t begin, size_t end, WordList& out);
// The words of raw text (any bytes): its Tokens, then the above.
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
  // The same with the word's hash already computed.
  bool contains(const HashedWord& word) const {
    return (shapes_[FirstByte(word.text)] & ShapeBit(word.text.size())) != 0 && hashes_.MayHold(word.hash) &&
           words_.contains(word);
  }

 private:
  static unsigned char FirstByte(std::string_view w) { return w.empty() ? 0 : static_cast<unsigned char>(w[0]); }
  // Bit min(n, 63): some member has n bytes and starts with the byte indexed.
  static uint64_t ShapeBit(size_t n) { return uint64_t{1} << (n < 63 ? n : 63); }
  std::array<uint64_t, 256> shapes_{};
  HashFilter hashes_;
  std::unordered_set<std::string, WordHash, WordEq> words_;
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
  void Find(const WordList& words, std::vector<uint8_t>& found, std::vector<PhraseHit>* hits = nullptr) const;
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
  HashFilter first_word_hashes_;
  std::unordered_map<std::string, std::vector<Entry>, WordHash, WordEq> by_first_word_;
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
// Those words as a set, for a caller that adds words of its own to them.
const WordSet& Stopwords();

// Whether the text has a question mark (ASCII, Spanish, Arabic or
// full-width).
bool HasQuestionMark(std::string_view text);

}  // namespace brandmon::rules

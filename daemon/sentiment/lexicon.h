#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/sentiment/term_map.h"

namespace brandmon::sentiment {

// What the analyzer knows about one term of one language.
struct TermInfo {
  enum Flag : uint16_t {
    kValence = 1 << 0,   // `valence` holds a rating
    kNegator = 1 << 1,   // flips what it governs ("not", "nunca", "ない")
    kContrast = 1 << 2,  // a "but" word
    kEmphatic = 1 << 3,  // "so", "this": "never so good" intensifies
    kNever = 1 << 4,     // a negator that "never so" turns into emphasis
    kPhrase = 1 << 5,    // a multi-word entry (idiom or booster phrase)
    kBooster = 1 << 6,   // `booster` holds an intensity change
    // Markers, read by rules about the whole sentence or text; a word that
    // has no other flag is scored as a word without an entry.
    kQuestionOpener = 1 << 7,  // "is", "what": a question it opens asks for information
    kFirstPerson = 1 << 8,     // "I", "my", "we": the writer speaks of themselves
  };
  static constexpr uint16_t kMarkers = kQuestionOpener | kFirstPerson;
  float valence = 0;  // 0 unless kValence
  float booster = 0;
  uint16_t flags = 0;
  uint8_t phrase_words = 0;  // longest phrase that starts with this term, in words

  // True when the entry takes part in rating words, beyond markers.
  bool Scores() const { return (flags & ~kMarkers) != 0; }
};

// One language's lexicon and rules, keyed by NFKC case-folded term.
struct LanguagePack {
  std::string code;             // "en", "hi-latn"
  bool negation_after = false;  // negators follow what they negate (Japanese)
  bool unspaced = false;        // phrases are joined without spaces (zh, ja)
  // A word without an entry is read as the longest rated pieces inside it:
  // every unspaced pack, and languages that glue particles and endings to
  // their words (Korean: "최악이에요" holds "최악"), set by the rule
  // `setting word_pieces 1`.
  bool word_pieces = false;
  bool first_person = false;  // some word is marked kFirstPerson
  TermMap<TermInfo> terms;
  // Inflection fallbacks tried when a word is missing: replace a suffix
  // ("mala" -> "malo"), or drop a clitic prefix (Arabic "ال").
  std::vector<std::pair<std::string, std::string>> suffixes;
  std::vector<std::string> prefixes;
  // A filter over the first two words of every phrase (spaced packs): false
  // means no phrase starts with the words hashed `first` and `second`
  // (HashTerm of each), so the phrase look-ups can be skipped.
  bool MayStartPhrase(uint64_t first, uint64_t second) const {
    size_t bit = PhrasePairBit(first, second);
    return (phrase_pairs[bit / 64] >> (bit % 64)) & 1;
  }
  // Records `phrase` (words separated by single spaces) in the filter.
  void AddPhrasePair(std::string_view phrase);

 private:
  static size_t PhrasePairBit(uint64_t first, uint64_t second) {
    return static_cast<size_t>(((first * 0x9E3779B97F4A7C15ull) ^ second) * 0xC2B2AE3D27D4EB4Full >> 50);
  }
  std::array<uint64_t, (size_t{1} << 14) / 64> phrase_pairs{};  // 16384 bits
};

// Every language pack plus what all languages share: emoji and emoticon
// valences, the stopword index used to tell Latin-script languages apart.
// Immutable after loading; thread-safe to read.
struct LexiconSet {
  std::vector<std::unique_ptr<LanguagePack>> packs;
  TermMap<float> symbols;  // emoji and emoticons
  // symbol_first_byte[b]: some key of `symbols` starts with byte b.
  std::array<bool, 256> symbol_first_byte{};
  TermMap<uint16_t> latin_stopwords;  // bit i = packs[latin_packs[i]] uses it
  std::vector<size_t> latin_packs;    // indices into packs, at most 16
  int english_latin = -1;             // English's index in latin_packs, or -1
  size_t longest_stopword = 0;        // in bytes
  // Bit n of stopword_shapes[b]: some stopword of n bytes (n < 64) starts
  // with byte b; rules most words out before hashing into latin_stopwords.
  std::array<uint64_t, 256> stopword_shapes{};
  // Every English term and every stopword that an ASCII word can spell,
  // with a copy of its English entry (when English has one) and its
  // latin_stopwords bits: one look-up per word serves the language vote and
  // the rating, from one cache line.
  struct AsciiEntry {
    TermInfo english;
    uint16_t stopwords = 0;
    bool has_english = false;
    bool english_knows = false;  // has_english, or an English stopword
  };
  TermMap<AsciiEntry> ascii_words;
  // One bit per key of ascii_words, indexed by the top bits of its hash (the
  // map's slots use the low ones): a clear bit means the word is not there,
  // which half of a tweet's words are not, and this 8 KB filter answers
  // without touching the much larger map.
  bool AsciiWordMayExist(uint64_t hash) const {
    uint64_t bit = hash >> (64 - kAsciiFilterBits);
    return (ascii_filter[bit / 64] >> (bit % 64)) & 1;
  }
  static constexpr unsigned kAsciiFilterBits = 16;
  std::array<uint64_t, (size_t{1} << kAsciiFilterBits) / 64> ascii_filter{};
  // The packs for scripts with one language each (null when not loaded).
  const LanguagePack* english = nullptr;
  const LanguagePack* arabic = nullptr;
  const LanguagePack* hindi = nullptr;
  const LanguagePack* gujarati = nullptr;
  const LanguagePack* chinese = nullptr;
  const LanguagePack* japanese = nullptr;
  const LanguagePack* russian = nullptr;  // Cyrillic script
  const LanguagePack* korean = nullptr;   // Hangul

  const LanguagePack* Find(std::string_view code) const;
  size_t MemoryBytes() const;
};

// Loads <dir>/sentiment: every <lang>/lexicon.tsv and <lang>/rules.tsv, then
// emoji_ranking.tsv and emoji.tsv (the latter wins). A missing folder or file
// is NotFound; a malformed line is Corrupt with "file:line".
Result<std::unique_ptr<LexiconSet>> LoadLexiconSet(const std::string& dir);

// Reads a `term<TAB>valence` file (blank lines and '#' comments allowed) into
// *out, keys case-folded. Corrupt with "file:line" on a bad line or a valence
// outside -4..4.
Status ReadValenceFile(const std::string& path, std::map<std::string, double>* out);

// The key under which a term is stored: NFKC, case-folded, trimmed.
std::string TermKey(std::string_view term);

}  // namespace brandmon::sentiment

#include "daemon/text/latin_model.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "daemon/text/utf8.h"

// The model's bytes (cmake/EmbedFile.cmake).
extern const unsigned char brandmon_langid_model[];
extern const size_t brandmon_langid_model_size;

namespace brandmon::text {
namespace {

// These constants, the normalization and the hashing must match
// data/tools/build_langid.py byte for byte.
constexpr size_t kHeader = 128;
constexpr size_t kRow = 16;
constexpr size_t kMaxBytes = 320;
constexpr double kScale = 16.0;
constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kAdd = 0x632BE59BD9B4E019ULL;
constexpr uint64_t kWordTag = 5;

struct Model {
  int bits = 0;
  int languages = 0;
  std::array<std::string_view, kRow> codes{};
  std::array<int8_t, kRow> priors{};
  int english = -1;  // the index of "en", or -1
  const int8_t* rows = nullptr;
};

Model ReadModel() {
  const unsigned char* m = brandmon_langid_model;
  Model out;
  // A model that does not parse is a build fault: every text is then "und".
  if (brandmon_langid_model_size < kHeader || std::memcmp(m, "BMLANGID", 8) != 0 || m[8] != 1) return out;
  out.bits = m[9];
  out.languages = m[10];
  if (out.languages < 2 || out.languages > static_cast<int>(kRow) ||
      brandmon_langid_model_size != kHeader + (kRow << out.bits)) {
    return Model{};
  }
  for (int i = 0; i < out.languages; ++i) {
    const char* code = reinterpret_cast<const char*>(m + 12 + 8 * i);
    out.codes[i] = std::string_view(code, strnlen(code, 8));
    if (out.codes[i] == "en") out.english = i;
  }
  std::memcpy(out.priors.data(), m + kHeader - kRow, kRow);
  out.rows = reinterpret_cast<const int8_t*>(m + kHeader);
  return out;
}

const Model& TheModel() {
  static const Model model = ReadModel();
  return model;
}

char32_t Lower(char32_t cp) {
  if ((cp >= 0x41 && cp <= 0x5A) || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 0x20;
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp | 1;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 == 1 ? cp + 1 : cp;
  if (cp == 0x130) return 'i';
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

bool IsLetter(char32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7) return false;
  if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
      (cp >= 0xFF00 && cp <= 0xFF20)) {
    return false;
  }
  return !((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp >= 0x1F000);
}

// What a byte is to the normalization: white space, an ASCII letter, other
// ASCII, or a byte of a multi-byte character.
enum ByteClass : uint8_t { kOtherAscii, kWhiteSpace, kAsciiLetter, kMultiByte };

constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> out{};
  for (int c = 0x80; c < 0x100; ++c) out[c] = kMultiByte;
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) out[static_cast<unsigned char>(c)] = kWhiteSpace;
  for (int c = 'a'; c <= 'z'; ++c) out[c] = out[c - 'a' + 'A'] = kAsciiLetter;
  return out;
}();

ByteClass ClassOf(char c) { return static_cast<ByteClass>(kByteClass[static_cast<unsigned char>(c)]); }

// Whether the token at the start of `s` is a handle, a hashtag or a URL. The
// prefixes hold no byte that white space could match, so `s` may run past
// the token's end.
bool IsHandleTagOrUrl(std::string_view s) {
  if (s[0] == '@' || s[0] == '#') return true;
  // Most tokens start with neither 'h' nor 'w'.
  char first = static_cast<char>(s[0] | 0x20);
  if (first == 'h') return StartsWithAsciiNoCase(s, "http://") || StartsWithAsciiNoCase(s, "https://");
  return first == 'w' && StartsWithAsciiNoCase(s, "www.");
}

// Words whose rows ScoreWords adds up, at most.
constexpr size_t kMaxWords = 64;
constexpr uint32_t kWordSeed = 0x811C9DC5;  // 32-bit FNV-1a, as build_langid.py hashes words
constexpr uint32_t kWordPrime = 0x01000193;

// The text as the model reads it: " word word ... ", at most kMaxBytes, and
// the hashes of its first kMaxWords words. One pass over the bytes, a table
// telling each byte's class: most posts are mostly ASCII letters, which are
// copied a run at a time, each word hashed as it is written.
class Normalized {
 public:
  explicit Normalized(std::string_view text) {
    Put(' ');
    const size_t n = text.size();
    size_t i = 0;
    for (;;) {
      while (i < n && ClassOf(text[i]) == kWhiteSpace) ++i;
      if (i >= n || size_ >= kMaxBytes) break;
      i = Token(text, i);
      Boundary();
    }
    Boundary();
  }
  std::string_view bytes() const { return {buf_.data(), size_}; }
  int letters() const { return letters_; }
  // The hashes of the words of bytes() that end with a space (a word cut at
  // kMaxBytes has none), the first kMaxWords of them.
  std::span<const uint32_t> word_hashes() const { return {word_hashes_.data(), words_}; }

 private:
  // Reads the token that starts at `i` (its end is white space or the
  // text's); returns its end. Every letter of a token counts, even past
  // kMaxBytes.
  size_t Token(std::string_view text, size_t i) {
    const size_t n = text.size();
    if (IsHandleTagOrUrl(text.substr(i))) {
      while (i < n && ClassOf(text[i]) != kWhiteSpace) ++i;
      return i;
    }
    while (i < n) {
      switch (ClassOf(text[i])) {
        case kAsciiLetter: {
          size_t run = i;
          for (; i < n && ClassOf(text[i]) == kAsciiLetter; ++i) PutLetter(static_cast<char>(text[i] | 0x20));
          letters_ += static_cast<int>(i - run);
          break;
        }
        case kOtherAscii:
          Boundary();
          ++i;
          break;
        case kWhiteSpace: return i;
        case kMultiByte:
          // Valid UTF-8 (the caller's promise) never breaks a character
          // with white space: decoding from the whole text is decoding
          // from the token.
          if (char32_t cp = DecodeUtf8(text, &i); IsLetter(cp)) {
            ++letters_;
            PutUtf8(Lower(cp));
          } else {
            Boundary();
          }
          break;
      }
    }
    return i;
  }
  // Ends the word being written, if any: its space, when it fits, makes it
  // one of word_hashes().
  void Boundary() {
    if (buf_[size_ - 1] == ' ') return;
    if (size_ < kMaxBytes && words_ < kMaxWords) word_hashes_[words_++] = word_hash_;
    word_hash_ = kWordSeed;
    Put(' ');
  }
  void PutLetter(char c) {
    Put(c);
    word_hash_ = (word_hash_ ^ static_cast<unsigned char>(c)) * kWordPrime;
  }
  void PutUtf8(char32_t cp) {
    if (cp < 0x80) {
      PutLetter(static_cast<char>(cp));
    } else if (cp < 0x800) {
      PutLetter(static_cast<char>(0xC0 | (cp >> 6)));
      PutLetter(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      PutLetter(static_cast<char>(0xE0 | (cp >> 12)));
      PutLetter(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      PutLetter(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      PutLetter(static_cast<char>(0xF0 | (cp >> 18)));
      PutLetter(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      PutLetter(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      PutLetter(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  // Drops `c` once kMaxBytes are held, without a branch: the byte past the
  // end is scratch.
  void Put(char c) {
    buf_[size_] = c;
    size_ += size_ < kMaxBytes;
  }

  std::array<char, kMaxBytes + 1> buf_;
  size_t size_ = 0;
  int letters_ = 0;
  uint32_t word_hash_ = kWordSeed;  // of the word being written
  std::array<uint32_t, kMaxWords> word_hashes_;
  size_t words_ = 0;
};

uint32_t Bucket(uint64_t gram, uint64_t n, int bits) {
  return static_cast<uint32_t>((gram * kMul + n * kAdd) >> (64 - bits));
}

using Sums = int32_t __attribute__((vector_size(64)));
using Lanes = int16_t __attribute__((vector_size(16)));  // one SSE2 register

static_assert(std::endian::native == std::endian::little, "Partial reads a row's bytes in pairs");

// Rows added up in 16-bit lanes: the rows' even bytes (languages 0, 2, ...,
// 14) in one register and their odd bytes in another. Shifts of the row's
// 16-bit words sign-extend each half (three shifts in all, where widening
// the bytes in place takes a compare, two unpacks and two copies), and two
// registers that are plain values stay in registers through the loops below.
struct Partial {
  Lanes even{};
  Lanes odd{};

  [[gnu::always_inline]] void Add(const int8_t* row) {
    Lanes words;
    std::memcpy(&words, row, sizeof words);
    odd += words >> 8;
    even += static_cast<Lanes>(words << 8) >> 8;
  }
};

// The per-language sums of a text's rows, and the leaders among them.
class Sums32 {
 public:
  explicit Sums32(const Model& model) : model_(model) {
    for (size_t j = 0; j < kRow; ++j) sums_[j] = model.priors[j];
  }
  void Fold(const Partial& partial) {
    for (size_t j = 0; j < kRow / 2; ++j) {
      sums_[2 * j] += partial.even[j];
      sums_[2 * j + 1] += partial.odd[j];
    }
  }
  // The indexes of the best and second language.
  std::pair<int, int> Leaders() const {
    int best = 0, second = 1;
    if (sums_[1] > sums_[0]) std::swap(best, second);
    for (int j = 2; j < model_.languages; ++j) {
      if (sums_[j] > sums_[best]) {
        second = best;
        best = j;
      } else if (sums_[j] > sums_[second]) {
        second = j;
      }
    }
    return {best, second};
  }
  int32_t Lead() const {
    auto [best, second] = Leaders();
    return sums_[best] - sums_[second];
  }
  int32_t sum(int j) const { return sums_[j]; }

 private:
  const Model& model_;
  Sums sums_{};
};

// 16-bit lanes hold 258 rows of -127 at least; at most five rows come per byte.
constexpr int kFoldAfter = 250;
// A lead of 16 nats (in the model's 1/16 nat units) is not overturned by the
// rest of a post.
constexpr int32_t kSettled = 16 * 16;

// Adds the rows of the text's n-grams and words to *sums; returns the words
// read. The rows are added into 16-bit lanes held in registers (sums kept in
// memory would make every row wait for the last one's store) and folded into
// 32-bit ones before they could overflow. At a word's end after a fold, a
// text whose language is already clear stops being read, which bounds the
// cost of a long text.
int Score(const Model& model, std::string_view b, Sums32* sums) {
  const int8_t* rows = model.rows;
  const int bits = model.bits;
  auto row = [rows, bits](uint64_t gram, uint64_t n) {
    return rows + static_cast<size_t>(Bucket(gram, n, bits)) * kRow;
  };
  Partial partial;
  int pending = 0;
  bool folded = false;
  uint32_t window = 0;
  uint32_t word_hash = kWordSeed;
  bool in_word = false;
  int words = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    auto c = static_cast<unsigned char>(b[i]);
    window = (window << 8) | c;
    partial.Add(row(window & 0xFF, 1));
    if (i >= 1) partial.Add(row(window & 0xFFFF, 2));
    if (i >= 2) partial.Add(row(window & 0xFFFFFF, 3));
    if (i >= 3) partial.Add(row(window, 4));
    pending += i >= 3 ? 4 : static_cast<int>(i) + 1;
    if (c != ' ') {
      word_hash = (word_hash ^ c) * kWordPrime;
      in_word = true;
    } else if (in_word) {
      partial.Add(row(word_hash, kWordTag));
      ++pending;
      word_hash = kWordSeed;
      in_word = false;
      ++words;
      if (folded && sums->Lead() >= kSettled) return words;
      folded = false;
    }
    if (pending >= kFoldAfter - 5) {
      sums->Fold(partial);
      partial = Partial{};
      pending = 0;
      folded = true;
    }
  }
  // A text cut at kMaxBytes may end inside a word; the model counts it too.
  if (in_word) {
    partial.Add(row(word_hash, kWordTag));
    ++words;
  }
  sums->Fold(partial);
  return words;
}

// The rows of the words alone (Normalized::word_hashes): most posts are
// English, and an English post's words usually settle it long before its
// n-grams would. Returns the words.
int ScoreWords(const Model& model, std::span<const uint32_t> word_hashes, Sums32* sums) {
  // The buckets first, each row's load started at once: rows of words are
  // scattered over the table, and loads that overlap cost little more than
  // one.
  std::array<uint32_t, kMaxWords> buckets;
  for (size_t w = 0; w < word_hashes.size(); ++w) {
    buckets[w] = Bucket(word_hashes[w], kWordTag, model.bits);
    __builtin_prefetch(model.rows + static_cast<size_t>(buckets[w]) * kRow);
  }
  Partial partial;
  for (size_t w = 0; w < word_hashes.size(); ++w) partial.Add(model.rows + static_cast<size_t>(buckets[w]) * kRow);
  sums->Fold(partial);
  return static_cast<int>(word_hashes.size());
}

// Three words or more that lead to English by this much (1/16 nats) decide
// without the n-grams: on the held-out posts and tweets of bench/langid the
// full model disagrees with such a decision about once in a hundred.
constexpr int32_t kEnglishByWords = 12 * 16;

}  // namespace

LatinVerdict ClassifyLatin(std::string_view text) {
  const Model& model = TheModel();
  LatinVerdict out;
  Normalized normalized(text);
  out.letters = normalized.letters();
  if (out.letters == 0 || model.rows == nullptr) return out;
  if (model.english >= 0) {
    Sums32 by_words(model);
    int words = ScoreWords(model, normalized.word_hashes(), &by_words);
    auto [best, second] = by_words.Leaders();
    int32_t lead = by_words.sum(best) - by_words.sum(second);
    if (words >= 3 && best == model.english && lead >= kEnglishByWords) {
      out.code = model.codes[best];
      out.words = words;
      out.margin = lead / kScale;
      return out;
    }
  }
  Sums32 sums(model);
  out.words = Score(model, normalized.bytes(), &sums);
  auto [best, second] = sums.Leaders();
  out.code = model.codes[best];
  out.margin = (sums.sum(best) - sums.sum(second)) / kScale;
  return out;
}

}  // namespace brandmon::text

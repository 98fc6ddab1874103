#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/sentiment/lexicon.h"

namespace brandmon::sentiment {

// The most words a phrase of an unspaced pack (Chinese, Japanese) spans.
constexpr size_t kMaxPhraseSegments = 3;

// Phrase matching over a pack's multi-word entries, shared by the general
// path and the ASCII pass. Header-only so that it inlines into their loops;
// pure functions of their arguments, thread-safe.

// Most words start no phrase; this spares them LongestPhrase. `first` is
// the word's own entry, or null.
inline bool MayStartPhrase(const LanguagePack& pack, const TermInfo* first) {
  return pack.unspaced || (first != nullptr && first->phrase_words >= 2);
}

// True when `stored` is the keys of words [0, n) joined by spaces (or by
// nothing when `unspaced`), key_at(k) being the key of word k.
template <typename KeyAt>
bool PhraseEquals(std::string_view stored, const KeyAt& key_at, size_t n, bool unspaced) {
  for (size_t k = 0; k < n; ++k) {
    if (k > 0 && !unspaced) {
      if (stored.empty() || stored.front() != ' ') return false;
      stored.remove_prefix(1);
    }
    std::string_view key = key_at(k);
    if (stored.substr(0, key.size()) != key) return false;
    stored.remove_prefix(key.size());
  }
  return stored.empty();
}

// The longest phrase of `pack` made of the first n >= 2 of `available`
// words, key_at(k) being the key of word k: returns n (0 when none) and
// sets *info. A spaced pack's match must be marked TermInfo::kPhrase.
template <typename KeyAt>
size_t LongestPhrase(const LanguagePack& pack, size_t available, const KeyAt& key_at, const TermInfo** info) {
  // Hash every prefix of the phrase once, without joining its words.
  std::array<uint64_t, 8> hashes{};  // phrase_words is at most 8
  available = std::min(available, hashes.size());
  uint64_t h = kHashSeed;
  for (size_t k = 0; k < available; ++k) {
    if (k > 0 && !pack.unspaced) h = HashByte(h, ' ');
    h = HashBytes(h, key_at(k));
    hashes[k] = HashFinish(h);
  }
  for (size_t n = available; n >= 2; --n) {
    const TermInfo* found = pack.terms.FindIf(
        hashes[n - 1], [&](std::string_view stored) { return PhraseEquals(stored, key_at, n, pack.unspaced); });
    if (found != nullptr && (pack.unspaced || (found->flags & TermInfo::kPhrase))) {
      *info = found;
      return n;
    }
  }
  return 0;
}

}  // namespace brandmon::sentiment

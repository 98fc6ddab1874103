#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/text/fold.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::text {

// The words of one text as brandmon reads them, split once and read by
// everyone who needs them (the brand matcher, the sentiment analyzer and the
// rules of each brand a mention matched): the text repaired when it is not
// valid UTF-8 (RepairUtf8), NFC-normalized so that decomposed accents read as
// the composed letters, split by Tokenize with the default options, and
// folded for brand matching (FoldText).
//
// Each reading is made on the first call that needs it and kept until
// Reset(), so a reader that never asks costs nothing: a text that is only
// matched is folded, never split. The first fold also tells whether the text
// needs repair or normalization, so a valid NFC text (most) is scanned once
// before it is split. Does not own the text
// it was given, which must outlive it (or the next Reset()). Not copyable:
// the tokens may point into its own copy of the text. Thread-compatible;
// the first read fills it, so even const use needs one thread at a time.
// The words of a text folded for comparing them whole (AppendFoldedWord),
// each with its hash (HashWord), parallel to its tokens: a word, number,
// handle or hashtag has its fold at bytes [offset, offset + length) of
// `bytes`; URLs, emoji, emoticons and punctuation have none (length 0).
// `bytes` may hold more than the words (an ASCII text is lower-cased whole).
struct FoldedWords {
  struct Key {
    uint32_t offset = 0;
    uint32_t length = 0;
    uint64_t hash = 0;
  };
  std::string bytes;
  std::vector<Key> keys;
  std::string_view Word(const Key& k) const { return std::string_view(bytes).substr(k.offset, k.length); }
};

class Tokens {
 public:
  Tokens() = default;
  explicit Tokens(std::string_view input) { Reset(input); }
  Tokens(const Tokens&) = delete;
  Tokens& operator=(const Tokens&) = delete;
  // Takes the other's text and buffers; splits again on the next read. The
  // other is left empty.
  Tokens(Tokens&& other) noexcept;
  Tokens& operator=(Tokens&& other) noexcept;

  // Reads `input` (any bytes) from now on; keeps the buffers for reuse, so a
  // Tokens reused from text to text allocates only when they must grow.
  void Reset(std::string_view input);

  // The text as given to Reset().
  std::string_view input() const { return input_; }
  // The text the tokens point into: input() repaired and normalized (input()
  // itself when it needed neither). Empty when input() is 4 GiB or longer.
  std::string_view text() const;
  const std::vector<Token>& tokens() const;
  // The fold of text() for brand matching, with the word starts when
  // `want_words`; `source` counts the code points of input(), as the fold of
  // input() itself would, so spans read the same whether or not the text
  // needed repair or normalization. Kept per mode until Reset(); the
  // reference stays valid until then.
  const FoldedText& Folded(FoldMode mode, bool want_words) const;
  // The fold of each token as a word, with its hash, for every reader that
  // compares words (the rules' cues, stopwords and terms): each word is
  // folded and hashed once. Made on the first call, kept until Reset().
  const FoldedWords& Words() const;
  // How many tokens the buffers hold room for, without splitting.
  size_t capacity() const { return tokens_.capacity(); }

 private:
  struct Fold {
    FoldedText text;
    bool done = false;
    bool words = false;  // text.word_starts is filled
  };

  // Drops what was read of the last text; keeps the buffers.
  void Forget();
  // Sets text_ (and rewritten_, composed_) from input_; `valid`: input_
  // is known to be valid UTF-8.
  void Resolve(bool valid = false) const;
  void Split() const;
  void FoldWords() const;
  // Maps `folded`'s code points of text_ back to those of input_.
  void MapToInput(FoldedText& folded) const;

  std::string_view input_;
  mutable bool resolved_ = false;   // text_ is set
  mutable bool rewritten_ = false;  // text_ is normalized_, not input_
  mutable bool composed_ = false;   // NFC changed the text, maybe its code point count
  mutable bool split_ = false;
  mutable bool words_folded_ = false;
  mutable std::string_view text_;
  mutable std::string normalized_;  // when input_ needed repair or normalization
  mutable std::vector<Token> tokens_;
  mutable FoldedWords words_;
  mutable std::array<Fold, 2> folds_;        // by FoldMode
  mutable std::vector<uint32_t> input_cps_;  // when composed_: input_'s code point of each of text_'s, and the end
};

}  // namespace brandmon::text

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/text/tokenizer.h"

namespace brandmon::text {

// The words of one text as brandmon reads them, split once and read by
// everyone who needs them (the sentiment analyzer and the rules of each
// brand a mention matched): the text repaired when it is not valid UTF-8
// (RepairUtf8), NFC-normalized so that decomposed accents read as the
// composed letters, and split by Tokenize with the default options.
//
// Splits on the first call to text() or tokens() and keeps the result until
// Reset(), so a reader that never asks costs nothing. Does not own the text
// it was given, which must outlive it (or the next Reset()). Not copyable:
// the tokens may point into its own copy of the text. Thread-compatible;
// the first read fills it, so even const use needs one thread at a time.
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
  // How many tokens the buffers hold room for, without splitting.
  size_t capacity() const { return tokens_.capacity(); }

 private:
  void Split() const;

  std::string_view input_;
  mutable bool split_ = false;
  mutable std::string_view text_;
  mutable std::string normalized_;  // when input_ needed repair or normalization
  mutable std::vector<Token> tokens_;
};

}  // namespace brandmon::text

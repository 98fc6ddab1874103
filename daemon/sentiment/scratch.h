#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/sentiment/analyzer.h"
#include "daemon/sentiment/units.h"
#include "daemon/text/char_refs.h"
#include "daemon/text/tokenizer.h"
#include "daemon/text/tokens.h"

namespace brandmon::sentiment {

// A token's lookup key: its case-folded bytes in Scratch::folded and their
// hash, computed once per token.
struct TokenKey {
  uint32_t offset = 0;
  uint32_t length = 0;
  uint64_t hash = 0;
};

// The buffers one text is scored in, reused from text to text so that
// scoring allocates nothing per token. Each thread has its own
// (ThreadScratch); not thread-safe.
struct Scratch {
  text::Tokens given;                   // of a text scored without its tokens
  text::Tokens decoded_tokens;          // of `decoded`
  std::vector<std::string_view> parts;  // a hashtag's words, on the ASCII path
  std::string folded;
  std::vector<TokenKey> keys;  // one per token
  std::string phrase;
  std::vector<Unit> units;
  std::vector<SentenceStat> sentences;
  std::vector<std::pair<uint16_t, uint16_t>> targeted;
  std::string decoded;  // the text with its character references decoded
  std::vector<text::CharRefShift> shifts;
  std::vector<CodePointSpan> targets;  // the request's, mapped into `decoded`
};

// The calling thread's scratch.
inline Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Frees *s's buffers when one text grew them past what is worth keeping (a
// megabyte of emoji should not pin its buffers to the thread for good).
inline void ReleaseIfHuge(Scratch* s) {
  constexpr size_t kKeepTokens = 1 << 16;
  constexpr size_t kKeepBytes = 1 << 20;
  if (s->given.capacity() > kKeepTokens || s->decoded_tokens.capacity() > kKeepTokens ||
      s->units.capacity() > kKeepTokens || s->shifts.capacity() > kKeepTokens || s->decoded.capacity() > kKeepBytes) {
    *s = Scratch();
  }
}

}  // namespace brandmon::sentiment

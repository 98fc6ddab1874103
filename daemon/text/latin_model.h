#pragma once

#include <string_view>

namespace brandmon::text {

// What the Latin-script model tells of a text.
struct LatinVerdict {
  std::string_view code = "und";  // "en", "es", ..., "hi-latn"; static storage
  int letters = 0;                // letters read, after handles, hashtags and URLs
  int words = 0;                  // words read
  double margin = 0;              // log-likelihood lead of `code` over the next language, in nats
};

// Tells the language of a text written in Latin script with the model compiled
// in from data/langid/model.bin (built by data/tools/build_langid.py): naive
// Bayes over the hashed byte 1- to 4-grams and words of the text after handles,
// hashtags, URLs, digits, punctuation and emoji are dropped and letters are
// lower-cased. Answers one of en es pt fr de it ca nl pl tr id hi-latn, or
// "und" with no letters; reads at most the first 320 bytes of the normalized
// text. Pure and thread-safe; allocates nothing. REQUIRES: valid UTF-8.
LatinVerdict ClassifyLatin(std::string_view text);

}  // namespace brandmon::text

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace brandmon::bench {

// One brand of the generated corpus, with the query the pipeline matches.
struct CorpusBrand {
  std::string name;
  std::string query;
};

// A deterministic stream of social-media mentions in several languages
// (English, Spanish, Portuguese, French, Hindi in Devanagari, romanized
// Hinglish, Gujarati), most naming one of the brands, with positive, negative
// and neutral wording, emoji, hashtags, handles and links. A value type.
struct PipelineCorpus {
  std::vector<CorpusBrand> brands;
  // Mention JSON lines (MentionToJson) grouped into polls: polls[i] is what
  // one poll of a source returns. Ids are "p<poll>-<item>".
  std::vector<std::vector<std::string>> polls;
  size_t mention_count = 0;
  size_t bytes = 0;
};

// Generates `mentions` mentions in polls of `batch`, naming `brands` brands,
// from `seed`. The same arguments always give the same corpus.
PipelineCorpus GenerateCorpus(size_t mentions, size_t batch, size_t brands, uint64_t seed);

// The poll index encoded in an id made by GenerateCorpus ("p12-3" -> 12).
size_t PollOfId(const std::string& id);

}  // namespace brandmon::bench

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"

namespace brandmon::match {

// An Aho-Corasick automaton over bytes: finds every occurrence of every
// pattern in one pass over the text, whatever the number of patterns. Built
// once, then immutable; Scan is const and thread-safe.
//
// The goto/failure structure is compiled into a full transition table over
// byte classes (bytes that occur in no pattern share one class), so each text
// byte costs one table load.
class Automaton {
 public:
  Automaton() = default;

  // Builds the automaton for `patterns`; pattern ids are their indexes.
  // REQUIRES: no pattern is empty.
  // Errors: InvalidArgument when the table would exceed `max_table_bytes`.
  static Result<Automaton> Build(const std::vector<std::string>& patterns, size_t max_table_bytes = size_t{1} << 30);

  bool empty() const { return pattern_lengths_.empty(); }
  size_t pattern_count() const { return pattern_lengths_.size(); }
  size_t pattern_length(uint32_t id) const { return pattern_lengths_[id]; }
  size_t state_count() const { return outputs_begin_.empty() ? 0 : outputs_begin_.size() - 1; }

  // Calls on_match(pattern_id, end) for each occurrence, where `end` is the
  // offset just past the occurrence; occurrences are reported by ascending end.
  template <typename F>
  void Scan(std::string_view text, F&& on_match) const {
    if (empty()) return;
    const uint32_t* delta = delta_.data();
    const uint8_t* classes = classes_.data();
    uint32_t row = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0, n = text.size(); i < n; ++i) {
      row = delta[row + classes[p[i]]];
      if (row & kOutputBit) {
        row &= ~kOutputBit;
        Report(row / class_count_, i + 1, on_match);
      }
    }
  }

 private:
  static constexpr uint32_t kOutputBit = 0x80000000u;

  // The steps of Build(). `next` is the table under construction, one row of
  // class_count_ cells per state, -1 where a trie edge is missing.
  // Adds the patterns to the trie; returns the state each one ends in.
  std::vector<uint32_t> BuildTrie(const std::vector<std::string>& patterns, std::vector<int32_t>& next);
  // Fills outputs_begin_ and outputs_ from the states the patterns end in.
  void GroupOutputs(const std::vector<uint32_t>& end_state, size_t states);
  // Fills the missing edges through the failure links, and dict_link_.
  void LinkFailures(std::vector<int32_t>& next, size_t states);
  bool HasOwnOutputs(size_t state) const { return outputs_begin_[state + 1] > outputs_begin_[state]; }

  template <typename F>
  void Report(uint32_t state, size_t end, F& on_match) const {
    for (int32_t s = static_cast<int32_t>(state); s >= 0; s = dict_link_[s]) {
      for (uint32_t k = outputs_begin_[s]; k < outputs_begin_[s + 1]; ++k) on_match(outputs_[k], end);
    }
  }

  std::array<uint8_t, 256> classes_{};
  uint32_t class_count_ = 1;
  // delta_[state * class_count_ + class] = next_state * class_count_, with
  // kOutputBit set when the next state reports a pattern.
  std::vector<uint32_t> delta_;
  std::vector<uint32_t> outputs_begin_;  // per state, into outputs_; one extra entry at the end
  std::vector<uint32_t> outputs_;        // pattern ids ending at each state
  std::vector<int32_t> dict_link_;       // nearest proper suffix state with outputs, or -1
  std::vector<uint32_t> pattern_lengths_;
};

}  // namespace brandmon::match

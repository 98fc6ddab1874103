#include "daemon/match/automaton.h"

#include <cassert>

namespace brandmon::match {

Result<Automaton> Automaton::Build(const std::vector<std::string>& patterns, size_t max_table_bytes) {
  Automaton a;
  if (patterns.empty()) return a;

  // Byte classes: each byte that occurs in a pattern gets its own class, all
  // other bytes share class 0, which always leads back to the root.
  std::array<bool, 256> used{};
  size_t max_states = 1;
  for (const auto& p : patterns) {
    assert(!p.empty());
    for (unsigned char c : p) used[c] = true;
    max_states += p.size();
  }
  uint32_t classes = 1;
  for (int b = 0; b < 256; ++b) a.classes_[b] = used[b] ? static_cast<uint8_t>(classes++) : 0;
  a.class_count_ = classes;
  const size_t cells = max_states * classes;
  if (cells * sizeof(uint32_t) > max_table_bytes || cells >= kOutputBit) {
    return Status::InvalidArgument("brand queries too large: " + std::to_string(patterns.size()) +
                                   " distinct terms need a " + std::to_string(cells * sizeof(uint32_t) >> 20) +
                                   " MiB matching table");
  }

  // The trie, stored in the table itself; -1 is "no edge yet".
  std::vector<int32_t> next(classes, -1);
  std::vector<uint32_t> end_state(patterns.size());
  size_t states = 1;
  for (size_t id = 0; id < patterns.size(); ++id) {
    size_t s = 0;
    for (unsigned char c : patterns[id]) {
      int32_t& edge = next[s * classes + a.classes_[c]];
      if (edge < 0) {
        edge = static_cast<int32_t>(states++);
        next.resize(states * classes, -1);
      }
      s = static_cast<size_t>(next[s * classes + a.classes_[c]]);
    }
    end_state[id] = static_cast<uint32_t>(s);
    a.pattern_lengths_.push_back(static_cast<uint32_t>(patterns[id].size()));
  }

  // Own outputs per state, grouped by a counting sort.
  a.outputs_begin_.assign(states + 1, 0);
  for (uint32_t s : end_state) ++a.outputs_begin_[s + 1];
  for (size_t s = 0; s < states; ++s) a.outputs_begin_[s + 1] += a.outputs_begin_[s];
  a.outputs_.resize(patterns.size());
  std::vector<uint32_t> fill(a.outputs_begin_.begin(), a.outputs_begin_.end() - 1);
  for (size_t id = 0; id < patterns.size(); ++id) a.outputs_[fill[end_state[id]]++] = static_cast<uint32_t>(id);
  auto has_own = [&](size_t s) { return a.outputs_begin_[s + 1] > a.outputs_begin_[s]; };

  // Failure links in breadth-first order turn the trie into a full
  // transition table: a missing edge takes the edge of the failure state.
  std::vector<uint32_t> fail(states, 0);
  a.dict_link_.assign(states, -1);
  std::vector<uint32_t> queue;
  queue.reserve(states);
  for (uint32_t c = 0; c < classes; ++c) {
    int32_t& t = next[c];
    if (t < 0) {
      t = 0;
    } else {
      queue.push_back(static_cast<uint32_t>(t));
    }
  }
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    uint32_t s = queue[qi];
    for (uint32_t c = 0; c < classes; ++c) {
      int32_t& t = next[s * classes + c];
      int32_t via_fail = next[fail[s] * classes + c];
      if (t < 0) {
        t = via_fail;
        continue;
      }
      uint32_t f = static_cast<uint32_t>(via_fail);
      fail[t] = f;
      a.dict_link_[t] = has_own(f) ? static_cast<int32_t>(f) : a.dict_link_[f];
      queue.push_back(static_cast<uint32_t>(t));
    }
  }

  a.delta_.resize(states * classes);
  for (size_t i = 0; i < a.delta_.size(); ++i) {
    auto t = static_cast<uint32_t>(next[i]);
    bool reports = has_own(t) || a.dict_link_[t] >= 0;
    a.delta_[i] = t * classes | (reports ? kOutputBit : 0);
  }
  return a;
}

}  // namespace brandmon::match

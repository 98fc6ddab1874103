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
  std::vector<uint32_t> end_state = a.BuildTrie(patterns, next);
  size_t states = next.size() / classes;
  a.GroupOutputs(end_state, states);
  a.LinkFailures(next, states);

  a.delta_.resize(states * classes);
  for (size_t i = 0; i < a.delta_.size(); ++i) {
    auto t = static_cast<uint32_t>(next[i]);
    bool reports = a.HasOwnOutputs(t) || a.dict_link_[t] >= 0;
    a.delta_[i] = t * classes | (reports ? kOutputBit : 0);
  }
  return a;
}

std::vector<uint32_t> Automaton::BuildTrie(const std::vector<std::string>& patterns, std::vector<int32_t>& next) {
  const uint32_t classes = class_count_;
  std::vector<uint32_t> end_state(patterns.size());
  size_t states = 1;
  for (size_t id = 0; id < patterns.size(); ++id) {
    size_t s = 0;
    for (unsigned char c : patterns[id]) {
      int32_t& edge = next[s * classes + classes_[c]];
      if (edge < 0) {
        edge = static_cast<int32_t>(states++);
        next.resize(states * classes, -1);
      }
      s = static_cast<size_t>(next[s * classes + classes_[c]]);
    }
    end_state[id] = static_cast<uint32_t>(s);
    pattern_lengths_.push_back(static_cast<uint32_t>(patterns[id].size()));
  }
  return end_state;
}

// Own outputs per state, grouped by a counting sort.
void Automaton::GroupOutputs(const std::vector<uint32_t>& end_state, size_t states) {
  outputs_begin_.assign(states + 1, 0);
  for (uint32_t s : end_state) ++outputs_begin_[s + 1];
  for (size_t s = 0; s < states; ++s) outputs_begin_[s + 1] += outputs_begin_[s];
  outputs_.resize(end_state.size());
  std::vector<uint32_t> fill(outputs_begin_.begin(), outputs_begin_.end() - 1);
  for (size_t id = 0; id < end_state.size(); ++id) outputs_[fill[end_state[id]]++] = static_cast<uint32_t>(id);
}

// Failure links in breadth-first order turn the trie into a full transition
// table: a missing edge takes the edge of the failure state.
void Automaton::LinkFailures(std::vector<int32_t>& next, size_t states) {
  const uint32_t classes = class_count_;
  std::vector<uint32_t> fail(states, 0);
  dict_link_.assign(states, -1);
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
      dict_link_[t] = HasOwnOutputs(f) ? static_cast<int32_t>(f) : dict_link_[f];
      queue.push_back(static_cast<uint32_t>(t));
    }
  }
}

}  // namespace brandmon::match

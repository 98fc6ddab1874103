#pragma once

#include <string>
#include <vector>

#include "daemon/base/mention.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::testing {

// Records what a parser emits, for assertions.
class RecordingSink final : public brandmon::Sink {
 public:
  void Emit(Mention m) override { mentions.push_back(std::move(m)); }
  void Warn(std::string message) override { warnings.push_back(std::move(message)); }
  std::string Jsonl() const {
    std::string out;
    for (const auto& m : mentions) out += MentionToJson(m) + "\n";
    return out;
  }
  bool Warned(const std::string& fragment) const {
    for (const auto& w : warnings) {
      if (w.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<Mention> mentions;
  std::vector<std::string> warnings;
};

}  // namespace brandmon::testing

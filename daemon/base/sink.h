#pragma once

#include <string>

#include "daemon/base/mention.h"

namespace brandmon {

// Receives what a plugin produces during one Parse() or Poll(). Not
// thread-safe; owned by the caller.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Emit(Mention mention) = 0;
  // Recoverable damage: the item or field was skipped or repaired.
  virtual void Warn(std::string message) = 0;
};

}  // namespace brandmon

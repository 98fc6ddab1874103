#pragma once

#include <string>
#include <vector>

#include "daemon/base/status.h"

namespace brandmon::store {

// One persisted piece of a rule's memory (baseline, cooldowns...), opaque to
// the store.
struct RuleStateEntry {
  std::string brand;
  std::string key;
  std::string value;
};

// Where the rules load their state from at start. The Store implements it;
// tests may use a fake.
class RuleStateReader {
 public:
  virtual ~RuleStateReader() = default;
  virtual Result<std::vector<RuleStateEntry>> LoadRuleState() = 0;
};

// Where the rules stage changes of their state. WriteBatch implements it so
// that the state commits in the same transaction as the mentions and alerts
// that changed it.
class RuleStateWriter {
 public:
  virtual ~RuleStateWriter() = default;
  virtual void PutRuleState(std::string brand, std::string key, std::string value) = 0;
  virtual void DeleteRuleState(std::string brand, std::string key) = 0;
};

}  // namespace brandmon::store

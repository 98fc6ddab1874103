#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"

namespace brandmon::store {

// One persisted piece of a rule's memory (baseline, cooldowns...), opaque to
// the store.
struct RuleStateEntry {
  std::string brand;
  std::string key;
  std::string value;
};

// A mention as stored, with its row number (increasing with each commit).
struct StoredMention {
  int64_t row = 0;
  WallTime stored_at;
  ScoredMention scored;
};

// Where the rules load their state from at start. The Store implements it;
// tests may use a fake.
class RuleStateReader {
 public:
  virtual ~RuleStateReader() = default;
  virtual Result<std::vector<RuleStateEntry>> LoadRuleState() = 0;
  // Up to `limit` stored mentions with row > `after_row`, oldest first: the
  // ones committed after a mark (RuleStateWriter::PutMentionMark).
  virtual Result<std::vector<StoredMention>> ReadMentions(int64_t after_row, size_t limit) = 0;
};

// Where the rules stage changes of their state. WriteBatch implements it so
// that the state commits in the same transaction as the mentions and alerts
// that changed it.
class RuleStateWriter {
 public:
  virtual ~RuleStateWriter() = default;
  virtual void PutRuleState(std::string brand, std::string key, std::string value) = 0;
  virtual void DeleteRuleState(std::string brand, std::string key) = 0;
  // Puts under (brand, key) the row of the last mention committed with what
  // has been staged so far (written in decimal; "0" when there is none), so
  // that state kept from a mark on can be rebuilt from the mentions after it.
  virtual void PutMentionMark(std::string brand, std::string key) = 0;
};

}  // namespace brandmon::store

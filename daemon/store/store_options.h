#pragma once

#include <cstdint>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::store {

// Options of the state database (top-level "store" object).
struct StoreOptions {
  std::string file;         // under the state directory unless absolute; ":memory:" for tests
  std::string synchronous;  // "normal" or "full"
  Duration mention_retention{};
  Duration alert_retention{};
  Duration seen_retention{};
  Duration rule_state_retention{};
  Duration rollup_retention{};
  Duration prune_interval{};
  int64_t batch_max_mentions = 0;
};
const config::OptionTable<StoreOptions>& StoreOptionTable();

// The database path: `file` itself when absolute or ":memory:", else
// `state_dir`/`file`.
std::string ResolveStorePath(const StoreOptions& options, const std::string& state_dir);

}  // namespace brandmon::store

#include "daemon/store/store_options.h"

namespace brandmon::store {

const config::OptionTable<StoreOptions>& StoreOptionTable() {
  using S = StoreOptions;
  static const config::OptionTable<S> table = {
      config::Str<S>("file", "brandmon.db", &S::file,
                     "SQLite database file, relative to the daemon's state_dir unless absolute."),
      config::Enum<S>("synchronous", "normal", {"normal", "full"}, &S::synchronous,
                      "Durability of commits. normal: a power loss may drop the last commits but never "
                      "corrupts; full: every commit reaches the disk before the alert is published."),
      config::Dur<S>("mention_retention", "90d", {"1h", "3650d"}, &S::mention_retention,
                     "How long scored mentions are kept."),
      config::Dur<S>("alert_retention", "30d", {"1h", "3650d"}, &S::alert_retention,
                     "How long journaled alerts stay available for catch-up."),
      config::Dur<S>("seen_retention", "180d", {"1h", "3650d"}, &S::seen_retention,
                     "How long the ids of seen items are remembered for dedupe."),
      config::Dur<S>("rule_state_retention", "30d", {"1h", "3650d"}, &S::rule_state_retention,
                     "Rule baselines not updated for this long are dropped (e.g. of a removed brand)."),
      config::Dur<S>("rollup_retention", "400d", {"1h", "3650d"}, &S::rollup_retention,
                     "How long the rollups (mentions, sentiment and reach per brand, channel, language and label, "
                     "by hour and by day) are kept; a row goes once all of its hour or day is older. They may "
                     "outlive the mentions they count."),
      // The daemon's config marks "store" restart-only: the store is opened
      // once. These two are read by the pipeline, which a reload updates.
      config::Reloadable(config::Dur<S>("prune_interval", "1h", {"1m", "7d"}, &S::prune_interval,
                                        "How often expired rows are deleted.")),
      config::Reloadable(config::Int<S>("batch_max_mentions", 2000, {1, 100000}, &S::batch_max_mentions,
                                        "Most mentions one transaction gathers from polls queued behind a commit; a "
                                        "single poll is always committed whole, with its source state.")),
  };
  return table;
}

std::string ResolveStorePath(const StoreOptions& options, const std::string& state_dir) {
  if (options.file == ":memory:" || options.file.starts_with('/') || state_dir.empty()) return options.file;
  return state_dir.ends_with('/') ? state_dir + options.file : state_dir + "/" + options.file;
}

}  // namespace brandmon::store

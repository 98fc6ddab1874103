#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "daemon/base/status.h"

namespace brandmon::bench {

// The shape of a generated state database.
struct QueryDataOptions {
  size_t mentions = 10'000'000;
  size_t brands = 100;
  int days = 90;
  size_t batch = 1000;       // mentions per Store::Write, all stored at one time
  size_t alert_every = 200;  // one journaled alert per this many mentions
  uint64_t seed = 17;
};

// The name of brand `i` of a generated database ("brand007").
std::string BrandName(size_t i);

// The channels and languages a generated mention is given, in the order
// their shares fall.
const std::vector<std::string>& GeneratedChannels();
const std::vector<std::string>& GeneratedLangs();

// Fills a new state database at `path` through the store's own write path
// (Store::Write with a clock set to each batch's time): mentions, their
// seen ids, hourly rollups, the full-text index and journaled alerts, spread
// evenly over the `days` days that end at `end_ms` (Unix ms). Brands get
// mentions by a Zipf-like law (brand000 the most), so that shares of voice
// differ as they do. Reports `progress` (0 to 1) now and then.
// Errors: those of the store.
Status GenerateQueryData(const std::string& path, const QueryDataOptions& options, int64_t end_ms,
                         const std::function<void(double done)>& progress);

// Opens the state database at `path` through the store, which migrates it
// to this build's schema (as brandmond does when it starts).
Status UpgradeQueryData(const std::string& path);

}  // namespace brandmon::bench

#pragma once

#include <string>
#include <vector>

namespace brandmon::bench {

// Builds `feeds` synthetic but realistic feeds of `items_per_feed` items each
// from the real samples in tests/daemon/feedparse (RSS 2.0, Atom, YouTube,
// Google Alerts) plus an RSS 1.0 rendering, deterministically: the same
// arguments always give the same bytes. Item ids are made unique per feed.
std::vector<std::string> MakeFeedCorpus(const std::string& fixture_dir, int feeds, int items_per_feed);

}  // namespace brandmon::bench

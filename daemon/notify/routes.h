#pragma once

// Which receivers get an alert: the routes of the config, tried in order.
// Pure functions of the config and the alert.

#include <optional>
#include <string_view>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/notify/notify_config.h"

namespace brandmon::notify {

// Whether `pattern` matches all of `text`; '*' in the pattern matches any
// run of bytes (also none), every other byte only itself.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Whether every condition of `match` holds for `alert` (an empty list holds
// for every alert).
bool RouteMatches(const RouteMatch& match, const Alert& alert);

// The indices of the routes that take `alert`, in order: matching stops at
// the first route that matches unless that route says `continue`.
std::vector<size_t> MatchingRoutes(const std::vector<RouteSettings>& routes, const Alert& alert);

// The first route that takes `alert` and names `receiver`: the route whose
// grouping applies to that receiver. nullopt when the receiver does not get
// the alert. A receiver named by several matching routes gets it once.
std::optional<size_t> RouteFor(const std::vector<RouteSettings>& routes, const Alert& alert, std::string_view receiver);

}  // namespace brandmon::notify

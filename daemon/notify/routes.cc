#include "daemon/notify/routes.h"

#include <algorithm>

namespace brandmon::notify {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point: linear in practice and
  // never recursive, whatever the pattern.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view value) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return GlobMatch(p, value); });
}

}  // namespace

bool RouteMatches(const RouteMatch& match, const Alert& alert) {
  return AnyMatches(match.brand, alert.brand) && AnyMatches(match.rule, alert.rule) &&
         AnyMatches(match.severity, SeverityName(alert.severity)) && AnyMatches(match.channel, alert.channel);
}

std::vector<size_t> MatchingRoutes(const std::vector<RouteSettings>& routes, const Alert& alert) {
  std::vector<size_t> out;
  for (size_t i = 0; i < routes.size(); ++i) {
    if (!RouteMatches(routes[i].match, alert)) continue;
    out.push_back(i);
    if (!routes[i].continue_matching) break;
  }
  return out;
}

std::optional<size_t> RouteFor(const std::vector<RouteSettings>& routes, const Alert& alert,
                               std::string_view receiver) {
  for (size_t i : MatchingRoutes(routes, alert)) {
    const auto& names = routes[i].receivers;
    if (std::find(names.begin(), names.end(), receiver) != names.end()) return i;
  }
  return std::nullopt;
}

}  // namespace brandmon::notify

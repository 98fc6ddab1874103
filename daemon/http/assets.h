#pragma once

// The dashboard's files, compiled into the binary (nothing is fetched from
// anywhere else): its style sheet and its script. Served at /assets/ by the
// listener under the same Content-Security-Policy as the page.

#include <optional>
#include <string_view>

namespace brandmon::http {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

// The file at `path` ("/assets/dashboard.css", "/assets/dashboard.js",
// "/assets/icon.svg"), or nullopt.
std::optional<Asset> FindAsset(std::string_view path);

// The policy of the dashboard and its files: scripts, styles and requests
// only from the daemon itself (no inline script or style attribute, no
// eval), no frames, no plugins, forms only to itself.
inline constexpr std::string_view kDashboardPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

}  // namespace brandmon::http

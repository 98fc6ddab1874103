#pragma once

#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/config/diagnostics.h"
#include "daemon/http/listener.h"
#include "daemon/query/filter.h"
#include "daemon/query/reader.h"

namespace brandmon::http {

// The dashboard at "/" (docs/dashboard.md): the report of the chosen brands
// and range (query::BuildReport, rendered by the report module: figures,
// charts as inline SVG, top mentions, alerts, emerging terms, sources)
// inside forms that work without script, plus a mention search. The page
// loads only /assets/dashboard.css and /assets/dashboard.js (assets.h): no
// inline script or style, so kDashboardPolicy holds.
//
// GET parameters: brand (repeated or a comma list; without one, the 5 most
// mentioned), range ("24h", "7d" (default), "30d" or "custom"), since and
// until (custom only: a date, until inclusive, or RFC 3339; until defaults
// to now), q (show the 20 newest mentions holding these words, and links to
// export them). Errors: a 400 page naming the parameter at fault.
Reply DashboardPage(query::Reader& reader, const query::Params& params, WallTime now, const config::Redactor& redactor);

// A page saying what went wrong (`message`, escaped), with a link back.
Reply DashboardError(int status, std::string_view message);

}  // namespace brandmon::http

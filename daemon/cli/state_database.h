#pragma once

// What the read-side subcommands (export, report) share: finding the
// daemon's state database the way the daemon does, opening it read-only,
// and naming a bad filter value by its option.

#include <string>

#include "daemon/base/status.h"
#include "daemon/config/diagnostics.h"
#include "daemon/query/reader.h"

namespace brandmon::cli {

// Where the state database is and what said so.
struct StateDatabase {
  std::string path;
  std::string origin;         // "--database", "the config FILE", "the default state directory"
  config::Redactor redactor;  // the config's secrets; empty without a config
};

// `database` when set; else the config's daemon.state_dir and store.file
// (`config_path`, else $BRANDMON_CONFIG, else /etc/brandmon/brandmon.json
// when it exists); else the default state directory.
// Errors: those of loading the config, with its path.
Result<StateDatabase> FindStateDatabase(const std::string& database, const std::string& config_path);

// Opens `db` read-only (safe beside the running daemon). Errors: as
// query::Reader::Open, the message naming where the path came from and,
// when there is no file, how to point at the daemon's.
Result<query::Reader> OpenStateDatabase(const StateDatabase& db);

// A query::ParseFilter error ("since: not a time: ...") as the option a
// person typed ("--since: not a time: ...").
std::string OptionError(std::string message);

}  // namespace brandmon::cli

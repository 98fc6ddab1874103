#pragma once

// What the read-side subcommands (export, report) share: finding the
// daemon's state database the way the daemon does, opening it read-only,
// and naming a bad filter value by its option.

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/config/diagnostics.h"
#include "daemon/query/filter.h"
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

// The command line of a read-side subcommand: filter options that become the
// query parameters, --format, --output/-o, --config/-c, --database, and
// switches without a value.
struct ReadSideSpec {
  std::string command;  // "report": errors start "brandmonctl report: "
  std::string usage;
  std::vector<std::pair<std::string, std::string>> filters;  // option -> query parameter
  std::vector<std::string> formats;                          // the first is the default
  std::vector<std::string> format_aliases;                   // besides --format, e.g. "-f"
  std::vector<std::string> switches;                         // e.g. "--bom"
  std::vector<std::string> options;                          // other options with a value, e.g. "--warm-up"
};

struct ReadSideArgs {
  query::Params params;
  std::string format;
  std::string output;
  std::string config_path;
  std::string database;
  std::vector<std::string> switches;          // those given, in order
  std::map<std::string, std::string> values;  // spec.options given, by option

  bool Has(const std::string& option) const;
  std::optional<std::string> Value(const std::string& option) const;
};

// Returns false, after printing the error and the usage on `err`, for an
// unknown option, a missing value or a format not in spec.formats.
bool ParseReadSideArgs(const std::vector<std::string>& args, const ReadSideSpec& spec, ReadSideArgs& out,
                       std::ostream& err);

}  // namespace brandmon::cli

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/config/value.h"

namespace brandmon::config {

// What a parse cost, for tests and benchmarks that check it stays linear.
struct ParseStats {
  // Bytes examined to find the line and column of values and keys.
  uint64_t position_bytes_scanned = 0;
};

// Parses config JSON: comments (// and /* */) and trailing commas allowed,
// nesting capped at 64 levels, UTF-8 only. Every value remembers its
// file:line:col; the work to find them is linear in the size of the text.
// Errors: InvalidArgument "file:line:col: <what is wrong>"; ill-formed UTF-8
// is shown as escaped bytes ("\xff"), never raw.
Result<ConfigValue> ParseConfigText(std::string_view text, const std::string& file_name, ParseStats* stats = nullptr);

// Reads a whole regular file of at most `max_bytes` without ever blocking on
// it: FIFOs, sockets, devices and directories are refused by what fstat()
// says of the opened file, not by a check that could race with a rename.
// Errors: NotFound (cannot open), InvalidArgument (not a regular file, too
// large), Unavailable (read error); each message starts with the path.
Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes);

// Reads (as ReadRegularFile, at most 16 MiB) and parses a file.
Result<ConfigValue> ParseConfigFile(const std::string& path);

}  // namespace brandmon::config

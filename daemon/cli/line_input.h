#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace brandmon::cli {

// Reads the next line of `in` into `line`, without its line end ("\n" or
// "\r\n"); false at the end of the input. When no input is waiting, it
// flushes `out` first, so that a command answering line by line answers each
// line at once on a terminal or a slow pipe, and writes in blocks when its
// input is a file.
bool ReadLine(std::istream& in, std::ostream& out, std::string& line);

}  // namespace brandmon::cli

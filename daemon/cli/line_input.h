#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace brandmon::cli {

// Reads the next line of `in` into `line`, without its line end ("\n" or
// "\r\n"); false at the end of the input. When no input is waiting, it
// flushes `out` first, so that a command answering line by line answers each
// line at once on a terminal or a slow pipe, and writes in blocks when its
// input is a file.
bool ReadLine(std::istream& in, std::ostream& out, std::string& line);

// Reads a block of lines into (*lines)[0..n) and returns n: 0 at the end of
// the input, else at least one line (waiting for it as ReadLine does), then
// more while input is already waiting, up to `max`. The strings of `*lines`
// are reused from block to block.
size_t ReadLines(std::istream& in, std::ostream& out, std::vector<std::string>* lines, size_t max);

}  // namespace brandmon::cli

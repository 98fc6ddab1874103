#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"

int main(int argc, char** argv) {
  // The tool writes through the C++ streams alone (logs go to stderr): kept
  // in step with C stdio, std::cin reads a byte at a time, which cost
  // `score` and `match` more than their work on each line.
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::cli::RunCtl(args, std::cin, std::cout, std::cerr);
}

#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"

int main(int argc, char** argv) {
  // Nothing in brandmonctl writes through C stdio, so the standard streams
  // need not follow it: unsynchronized they buffer in blocks rather than a
  // call per character. Commands that answer line by line flush when their
  // input waits (cli::ReadLine), not before every read.
  std::ios::sync_with_stdio(false);
  std::cin.tie(nullptr);
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::cli::RunCtl(args, std::cin, std::cout, std::cerr);
}

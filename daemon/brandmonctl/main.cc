#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::cli::RunCtl(args, std::cin, std::cout, std::cerr);
}

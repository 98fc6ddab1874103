#include <string>
#include <vector>

#include "daemon/plugin/registry.h"
#include "daemon/process/daemon_main.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::process::DaemonMain(args, brandmon::plugin::BuiltinRegistry());
}

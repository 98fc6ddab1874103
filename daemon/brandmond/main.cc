#include <string>
#include <vector>

#include "daemon/engine/daemon_main.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::engine::DaemonMain(args);
}

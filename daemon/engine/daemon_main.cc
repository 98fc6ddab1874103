#include "daemon/engine/daemon_main.h"

#include <iostream>

#include "daemon/engine/settings.h"

namespace brandmon::engine {

int DaemonMain(const std::vector<std::string>& args) {
  std::string config_path = "/etc/brandmon/brandmon.json";
  bool check = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--check-config") check = true;
    if (args[i] == "--config" && i + 1 < args.size()) config_path = args[++i];
  }
  auto settings = LoadSettings(config_path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) {
    std::cerr << settings.status().message();
    return 1;
  }
  if (check) std::cout << DumpSettings(*settings);
  return 0;
}

}  // namespace brandmon::engine

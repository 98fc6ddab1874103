#include <string>
#include <vector>

#include "daemon/notify/notify_main.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return brandmon::notify::NotifyMain(args, brandmon::notify::ReceiverKinds());
}

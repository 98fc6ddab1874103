#pragma once

#include <string>
#include <vector>

#include "daemon/notify/receiver.h"

namespace brandmon::notify {

// brandmon-notify's command line (see its --help): runs the program, checks
// the config, tests a receiver, or asks a running one for its status or to
// re-send dead letters. Returns an ExitCode (notify_process.h).
// REQUIRES: `kinds` outlives the call.
int NotifyMain(const std::vector<std::string>& args, const std::vector<ReceiverKind>& kinds);

}  // namespace brandmon::notify

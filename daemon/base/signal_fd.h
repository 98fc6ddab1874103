#pragma once

#include "daemon/base/status.h"

namespace brandmon {

// Blocks SIGHUP, SIGTERM and SIGINT in the calling thread (and so in every
// thread it starts afterwards) and returns a non-blocking, close-on-exec
// signalfd that reports them, for a main loop that reads signals instead of
// running handlers. The caller owns the descriptor.
// Errors: Internal naming the failed call.
Result<int> OpenControlSignalFd();

}  // namespace brandmon

#include "daemon/base/signal_fd.h"

#include <pthread.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "daemon/base/errno_text.h"

namespace brandmon {

Result<int> OpenControlSignalFd() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) return Status::Internal("cannot block signals");
  int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Status::Internal(std::string("signalfd: ") + ErrnoText(errno));
  return fd;
}

}  // namespace brandmon

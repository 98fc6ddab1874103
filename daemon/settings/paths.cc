#include "daemon/settings/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon/base/errno_text.h"
#include "daemon/settings/settings.h"

namespace brandmon::settings {
namespace {

// systemd may pass several colon-separated directories; the first is ours.
std::string FirstOf(const std::string& list) { return list.substr(0, list.find(':')); }

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create directory " + dir + ": " + ec.message());
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::Unavailable("directory " + dir + " is not writable: " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace

Paths ResolvePaths(const DaemonOptions& options, const config::EnvLookup& env) {
  Paths p;
  if (!options.state_dir.empty()) {
    p.state_dir = options.state_dir;
  } else if (auto sd = env("STATE_DIRECTORY"); sd && !sd->empty()) {
    p.state_dir = FirstOf(*sd);
  } else if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty()) {
    p.state_dir = *xdg + "/brandmon";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    p.state_dir = *home + "/.local/state/brandmon";
  } else {
    p.state_dir = "/tmp/brandmon-state-" + std::to_string(getuid());
  }
  if (!options.runtime_dir.empty()) {
    p.runtime_dir = options.runtime_dir;
  } else if (auto rd = env("RUNTIME_DIRECTORY"); rd && !rd->empty()) {
    p.runtime_dir = FirstOf(*rd);
  } else if (auto xdg = env("XDG_RUNTIME_DIR"); xdg && !xdg->empty()) {
    p.runtime_dir = *xdg + "/brandmon";
  } else {
    p.runtime_dir = "/tmp/brandmon-" + std::to_string(getuid());
  }
  return p;
}

Status CreatePrivateDirectory(const std::string& dir) {
  // New directories are private to the service user.
  mode_t old = umask(077);
  Status s = MakeDir(dir);
  umask(old);
  return s;
}

}  // namespace brandmon::settings

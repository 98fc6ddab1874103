#include "daemon/base/socket_file.h"
#include "daemon/base/errno_text.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace brandmon {

SocketProbeResult ProbeSocket(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return {SocketProbe::kMissing, errno};
    if (errno == EACCES || errno == EPERM) return {SocketProbe::kPermissionDenied, errno};
    return {SocketProbe::kError, errno};
  }
  if (!S_ISSOCK(st.st_mode)) return {SocketProbe::kNotSocket, 0};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return {SocketProbe::kError, ENAMETOOLONG};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {SocketProbe::kError, errno};
  int rc = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = rc == 0 ? 0 : errno;
  close(fd);
  // A full backlog (EAGAIN) still means someone listens.
  if (rc == 0 || err == EAGAIN || err == EINPROGRESS) return {SocketProbe::kListening, 0};
  if (err == ECONNREFUSED) return {SocketProbe::kStale, err};
  if (err == ENOENT) return {SocketProbe::kMissing, err};
  if (err == EACCES || err == EPERM) return {SocketProbe::kPermissionDenied, err};
  return {SocketProbe::kError, err};
}

Status ClearStaleSocket(const std::string& path) {
  SocketProbeResult probe = ProbeSocket(path);
  switch (probe.state) {
    case SocketProbe::kMissing: return Status::Ok();
    case SocketProbe::kStale:
      if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        return Status::Unavailable("cannot remove the stale socket " + path + ": " + ErrnoText(errno));
      }
      return Status::Ok();
    case SocketProbe::kListening: return Status::Unavailable(path + " is in use by another process");
    case SocketProbe::kNotSocket: return Status::Unavailable(path + " exists and is not a socket");
    case SocketProbe::kPermissionDenied:
    case SocketProbe::kError: break;
  }
  return Status::Unavailable("cannot check " + path + ": " + ErrnoText(probe.error));
}

OwnedSocketFile::OwnedSocketFile(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    owned_ = true;
  }
}

OwnedSocketFile::~OwnedSocketFile() { Remove(); }

OwnedSocketFile::OwnedSocketFile(OwnedSocketFile&& other) noexcept
    : path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_), owned_(std::exchange(other.owned_, false)) {}

OwnedSocketFile& OwnedSocketFile::operator=(OwnedSocketFile&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    dev_ = other.dev_;
    ino_ = other.ino_;
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

void OwnedSocketFile::Remove() {
  if (!owned_) return;
  owned_ = false;
  struct stat st {};
  if (lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) unlink(path_.c_str());
}

}  // namespace brandmon

#pragma once

#include <sys/types.h>

#include <string>

#include "daemon/base/status.h"

namespace brandmon {

// What a connection attempt to a Unix socket file finds.
enum class SocketProbe {
  kListening,         // a process accepted the connection
  kMissing,           // nothing at the path, or a directory on the way is missing
  kStale,             // a socket file nobody listens on (its owner died)
  kPermissionDenied,  // the file or a directory on the way is closed to this user
  kNotSocket,         // the path names something other than a socket
  kError,             // anything else (errno in SocketProbeResult::error)
};

struct SocketProbeResult {
  SocketProbe state = SocketProbe::kError;
  int error = 0;  // the errno behind kPermissionDenied and kError
};

// Connects to the Unix stream socket at `path` and hangs up at once. Never
// blocks: a listener whose backlog is full counts as listening.
SocketProbeResult ProbeSocket(const std::string& path);

// Frees `path` for a new socket. libzmq removes whatever socket file is in
// the way when it binds, so this must run first: a socket file nobody listens
// on is removed; a live one is left alone.
// Errors: Unavailable when a process listens at `path` ("in use by another
// process") or the path names something other than a socket.
Status ClearStaleSocket(const std::string& path);

// A socket file this process bound, removed on destruction only while `path`
// still names that same file (device and inode), so that a process never
// deletes a socket another one created at the same path since. Move-only.
class OwnedSocketFile {
 public:
  OwnedSocketFile() = default;
  // Records the file now at `path` (call right after binding).
  explicit OwnedSocketFile(std::string path);
  ~OwnedSocketFile();
  OwnedSocketFile(OwnedSocketFile&& other) noexcept;
  OwnedSocketFile& operator=(OwnedSocketFile&& other) noexcept;
  OwnedSocketFile(const OwnedSocketFile&) = delete;
  OwnedSocketFile& operator=(const OwnedSocketFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  void Remove();
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool owned_ = false;
};

}  // namespace brandmon

#include "daemon/control/control_client.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include <zmq.hpp>

#include "daemon/base/errno_text.h"
#include "daemon/base/socket_file.h"
#include "daemon/base/units.h"

namespace brandmon::control {

Result<std::string> CallControl(const std::string& endpoint, const std::string& request, Duration timeout,
                                const ControlPeer& peer) {
  bool ipc = endpoint.rfind("ipc://", 0) == 0;
  // libzmq would wait for an ipc socket to appear, or to accept, until the
  // timeout: a plain connect first tells the operator what is wrong.
  if (ipc) {
    if (auto s = CheckSocketReachable(endpoint.substr(6), peer); !s.ok()) return s;
  }
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(endpoint);
    socket.send(zmq::const_buffer("", 0), zmq::send_flags::sndmore);
    socket.send(zmq::buffer(request), zmq::send_flags::none);
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(timeout.count()));
    if (!(item.revents & ZMQ_POLLIN)) {
      std::string within = FormatDuration(timeout);
      if (ipc) {
        return Status::Unavailable(peer.daemon + " at " + endpoint.substr(6) + " did not answer within " + within +
                                   ": it is running but busy or stuck (see its log)");
      }
      return Status::Unavailable("no answer from " + endpoint + " within " + within +
                                 ": nothing listens there, or the daemon is busy or stuck");
    }
    std::vector<zmq::message_t> frames;
    do {
      zmq::message_t frame;
      (void)socket.recv(frame, zmq::recv_flags::none);
      frames.push_back(std::move(frame));
    } while (frames.back().more());
    return frames.back().to_string();
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("control call to " + endpoint + " failed: " + e.what());
  }
}

namespace {

// "user:group, mode 0750" of `path`, names resolved when the system knows them.
std::string Ownership(const struct stat& st) {
  std::string user_name = std::to_string(st.st_uid);
  std::string group_name = std::to_string(st.st_gid);
  if (const struct passwd* pw = getpwuid(st.st_uid); pw != nullptr) user_name = pw->pw_name;
  if (const struct group* gr = getgrgid(st.st_gid); gr != nullptr) group_name = gr->gr_name;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "user " + user_name + ", group " + group_name + ", mode " + mode;
}

// Names the deepest of `path` and its directories that this user can see,
// with its owner, group and mode: what access to the socket takes.
std::string AccessNeeded(const std::string& path, const ControlPeer& peer) {
  std::string p = path;
  while (!p.empty()) {
    struct stat st {};
    if (stat(p.c_str(), &st) == 0) {
      return p + " is " + Ownership(st) + "; run " + peer.client +
             " as that user, as a member of that group, or as root";
    }
    size_t slash = p.find_last_of('/');
    p = slash == std::string::npos || slash == 0 ? "" : p.substr(0, slash);
  }
  return "run " + peer.client + " as the daemon's user or group, or as root";
}

}  // namespace

Status CheckSocketReachable(const std::string& path, const ControlPeer& peer) {
  SocketProbeResult probe = ProbeSocket(path);
  switch (probe.state) {
    case SocketProbe::kListening: return Status::Ok();
    case SocketProbe::kMissing:
      return Status::Unavailable("no control socket at " + path + ": " + peer.daemon +
                                 " is not running, or it runs with another runtime directory (" + peer.hint + ")");
    case SocketProbe::kStale:
      return Status::Unavailable("nothing listens on the control socket " + path + ": " + peer.daemon +
                                 " is not running (a stopped or crashed daemon left the file)");
    case SocketProbe::kPermissionDenied:
      return Status::Unavailable("permission denied on the control socket " + path + ": " + AccessNeeded(path, peer));
    case SocketProbe::kNotSocket: return Status::Unavailable(path + " is not a socket");
    case SocketProbe::kError: break;
  }
  return Status::Unavailable("cannot connect to the control socket " + path + ": " + ErrnoText(probe.error));
}

}  // namespace brandmon::control

#include "daemon/control/control_server.h"

#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include <zmq.hpp>

#include "daemon/base/socket_file.h"
#include "daemon/base/units.h"

namespace brandmon::control {

struct ControlServer::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::router};
  OwnedSocketFile file;  // the ipc socket file this server bound
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl, std::string endpoint)
    : impl_(std::move(impl)), endpoint_(std::move(endpoint)) {}

ControlServer::~ControlServer() {
  if (!impl_) return;
  impl_->socket.close();
  impl_->file = OwnedSocketFile();
}

Result<std::unique_ptr<ControlServer>> ControlServer::Bind(const std::string& endpoint, mode_t ipc_mode) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.set(zmq::sockopt::maxmsgsize, kMaxRequestBytes);
    impl->socket.set(zmq::sockopt::sndhwm, 1000);
    // A reply to a client that vanished must not block the main thread.
    impl->socket.set(zmq::sockopt::router_mandatory, 0);
    if (endpoint.rfind("ipc://", 0) == 0) {
      std::string path = endpoint.substr(6);
      // Only a stale socket is removed: a live one belongs to another daemon,
      // and anything else there is an error.
      if (auto s = ClearStaleSocket(path); !s.ok()) {
        return Status::Unavailable("cannot bind control endpoint " + endpoint + ": " + s.message());
      }
      mode_t old = umask(0777 & ~ipc_mode);
      try {
        impl->socket.bind(endpoint);
      } catch (...) {
        umask(old);
        throw;
      }
      umask(old);
      impl->file = OwnedSocketFile(path);
      chmod(path.c_str(), ipc_mode);
    } else {
      impl->socket.bind(endpoint);
    }
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("cannot bind control endpoint " + endpoint + ": " + e.what());
  }
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl), endpoint));
}

bool ControlServer::Poll(Duration timeout, int wake_fd, const Handler& handler) {
  zmq::pollitem_t items[2] = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd, ZMQ_POLLIN, 0}};
  int n = wake_fd >= 0 ? 2 : 1;
  try {
    zmq::poll(items, n, std::chrono::milliseconds(timeout.count()));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) spdlog::warn("control poll failed: {}", e.what());
    return false;
  }
  if (items[0].revents & ZMQ_POLLIN) {
    for (int handled = 0; handled < 100; ++handled) {
      std::vector<zmq::message_t> frames;
      try {
        zmq::message_t frame;
        if (!impl_->socket.recv(frame, zmq::recv_flags::dontwait)) break;
        frames.push_back(std::move(frame));
        while (frames.back().more()) {
          zmq::message_t next;
          (void)impl_->socket.recv(next, zmq::recv_flags::none);
          frames.push_back(std::move(next));
        }
      } catch (const zmq::error_t& e) {
        spdlog::warn("control receive failed: {}", e.what());
        break;
      }
      // A DEALER client sends [empty, body]; the ROUTER prepends its identity.
      std::string reply;
      if (frames.size() == 3 && frames[1].size() == 0) {
        reply = handler(frames[2].to_string_view());
      } else {
        reply = R"({"ok":false,"error":"malformed request: expected one frame after an empty delimiter"})";
      }
      try {
        impl_->socket.send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        impl_->socket.send(zmq::const_buffer("", 0), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        impl_->socket.send(zmq::buffer(reply), zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        spdlog::debug("control reply dropped: {}", e.what());
      }
    }
  }
  return n == 2 && (items[1].revents & ZMQ_POLLIN);
}

Result<std::string> CallControl(const std::string& endpoint, const std::string& request, Duration timeout) {
  bool ipc = endpoint.rfind("ipc://", 0) == 0;
  // libzmq would wait for an ipc socket to appear, or to accept, until the
  // timeout: a plain connect first tells the operator what is wrong.
  if (ipc) {
    if (auto s = CheckSocketReachable(endpoint.substr(6)); !s.ok()) return s;
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
        return Status::Unavailable("brandmond at " + endpoint.substr(6) + " did not answer within " + within +
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
std::string AccessNeeded(const std::string& path) {
  std::string p = path;
  while (!p.empty()) {
    struct stat st {};
    if (stat(p.c_str(), &st) == 0) {
      return p + " is " + Ownership(st) + "; run brandmonctl as that user, as a member of that group, or as root";
    }
    size_t slash = p.find_last_of('/');
    p = slash == std::string::npos || slash == 0 ? "" : p.substr(0, slash);
  }
  return "run brandmonctl as the daemon's user or group, or as root";
}

}  // namespace

Status CheckSocketReachable(const std::string& path) {
  SocketProbeResult probe = ProbeSocket(path);
  switch (probe.state) {
    case SocketProbe::kListening: return Status::Ok();
    case SocketProbe::kMissing:
      return Status::Unavailable("no control socket at " + path +
                                 ": brandmond is not running, or it runs with another runtime directory (give "
                                 "brandmonctl the daemon's --config, or --endpoint)");
    case SocketProbe::kStale:
      return Status::Unavailable("nothing listens on the control socket " + path +
                                 ": brandmond is not running (a stopped or crashed daemon left the file)");
    case SocketProbe::kPermissionDenied:
      return Status::Unavailable("permission denied on the control socket " + path + ": " + AccessNeeded(path));
    case SocketProbe::kNotSocket: return Status::Unavailable(path + " is not a socket");
    case SocketProbe::kError: break;
  }
  return Status::Unavailable("cannot connect to the control socket " + path + ": " + std::strerror(probe.error));
}

}  // namespace brandmon::control

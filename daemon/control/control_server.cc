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

}  // namespace brandmon::control

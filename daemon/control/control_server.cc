#include "daemon/control/control_server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.hpp>

namespace brandmon::control {

struct ControlServer::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::router};
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl, std::string endpoint)
    : impl_(std::move(impl)), endpoint_(std::move(endpoint)) {}

ControlServer::~ControlServer() {
  if (!impl_) return;
  impl_->socket.close();
  if (endpoint_.rfind("ipc://", 0) == 0) unlink(endpoint_.c_str() + 6);
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
      // Only a stale socket is removed; any other file there is an error.
      struct stat st {};
      if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return Status::Unavailable(path + " exists and is not a socket");
        unlink(path.c_str());
      }
      mode_t old = umask(0777 & ~ipc_mode);
      try {
        impl->socket.bind(endpoint);
      } catch (...) {
        umask(old);
        throw;
      }
      umask(old);
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
  // libzmq would wait for an ipc socket to appear; a missing one means no daemon.
  if (endpoint.rfind("ipc://", 0) == 0) {
    struct stat st {};
    if (stat(endpoint.c_str() + 6, &st) != 0) {
      return Status::Unavailable("no control socket at " + endpoint.substr(6) + " (is brandmond running?)");
    }
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
      return Status::Unavailable("no answer from " + endpoint + " within " + std::to_string(timeout.count()) +
                                 "ms (is brandmond running?)");
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

}  // namespace brandmon::control

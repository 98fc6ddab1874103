#include "daemon/publish/subscriber.h"

#include <zmq.hpp>

namespace brandmon::publish {

struct Subscriber::Impl {
  zmq::context_t context{1};
  zmq::socket_t sub{context, zmq::socket_type::sub};
  std::string catchup_endpoint;
  ClientKeys keys;
};

namespace {

void ApplyKeys(zmq::socket_t& socket, const ClientKeys& keys) {
  if (!keys.enabled()) return;
  socket.set(zmq::sockopt::curve_serverkey, keys.server_public_key);
  socket.set(zmq::sockopt::curve_publickey, keys.public_key);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
}

// libzmq connects to an IPv6 address only with ZMQ_IPV6 set.
void AllowIpv6(zmq::socket_t& socket, const std::string& endpoint) {
  if (endpoint.starts_with("tcp://[")) socket.set(zmq::sockopt::ipv6, 1);
}

// Receives the frames of one message after its `first`.
std::vector<zmq::message_t> RecvRest(zmq::socket_t& socket, zmq::message_t first) {
  std::vector<zmq::message_t> frames;
  frames.push_back(std::move(first));
  while (frames.back().more()) {
    zmq::message_t f;
    (void)socket.recv(f, zmq::recv_flags::none);
    frames.push_back(std::move(f));
  }
  return frames;
}

// Receives the frames of one message.
std::vector<zmq::message_t> RecvAll(zmq::socket_t& socket) {
  zmq::message_t first;
  (void)socket.recv(first, zmq::recv_flags::none);
  return RecvRest(socket, std::move(first));
}

}  // namespace

Subscriber::Subscriber(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscriber::~Subscriber() = default;

Result<std::unique_ptr<Subscriber>> Subscriber::Connect(const std::string& endpoint,
                                                        const std::string& catchup_endpoint,
                                                        const std::vector<std::string>& topics,
                                                        const ClientKeys& keys) {
  auto impl = std::make_unique<Impl>();
  impl->catchup_endpoint = catchup_endpoint;
  impl->keys = keys;
  try {
    impl->sub.set(zmq::sockopt::linger, 0);
    impl->sub.set(zmq::sockopt::rcvhwm, 100000);
    ApplyKeys(impl->sub, keys);
    for (const auto& t : topics) impl->sub.set(zmq::sockopt::subscribe, t);
    AllowIpv6(impl->sub, endpoint);
    impl->sub.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument("cannot connect to " + endpoint + ": " + e.what());
  }
  return std::unique_ptr<Subscriber>(new Subscriber(std::move(impl)));
}

Result<std::optional<Message>> Subscriber::Receive(Duration timeout) {
  try {
    zmq::pollitem_t item{impl_->sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(timeout.count()));
    if (!(item.revents & ZMQ_POLLIN)) return std::optional<Message>();
    auto frames = RecvAll(impl_->sub);
    Message m;
    m.topic = frames[0].to_string();
    if (frames.size() > 1) m.payload = frames[1].to_string();
    return std::optional<Message>(std::move(m));
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(std::string("receive failed: ") + e.what());
  }
}

Result<CatchupEnd> Subscriber::CatchUp(const CatchupRequest& request, const std::function<void(Message&&)>& on_entry,
                                       Duration timeout) {
  const std::string& endpoint = impl_->catchup_endpoint;
  if (endpoint.empty()) return Status::InvalidArgument("no catch-up endpoint");
  try {
    // A fresh socket per request: a late reply to an abandoned request can
    // never be mistaken for part of this one.
    zmq::socket_t dealer(impl_->context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::rcvhwm, 100000);
    ApplyKeys(dealer, impl_->keys);
    AllowIpv6(dealer, endpoint);
    dealer.connect(endpoint);
    dealer.send(zmq::buffer(CatchupRequestJson(request)), zmq::send_flags::none);
    for (;;) {
      // Poll only when nothing is waiting: a reply of many entries is read
      // without a system call per entry.
      zmq::message_t first;
      if (!dealer.recv(first, zmq::recv_flags::dontwait)) {
        zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(timeout.count()));
        if (!(item.revents & ZMQ_POLLIN)) {
          return Status::Unavailable("no catch-up answer from " + endpoint + " within " +
                                     std::to_string(timeout.count()) + "ms");
        }
        continue;
      }
      auto frames = RecvRest(dealer, std::move(first));
      if (frames.size() != 2) return Status::Corrupt("malformed catch-up reply from " + endpoint);
      std::string topic = frames[0].to_string();
      if (topic == kCatchupEndTopic) return ParseCatchupEnd(frames[1].to_string_view());
      if (topic == kCatchupErrorTopic) {
        return Status::InvalidArgument("catch-up refused: " + ParseCatchupError(frames[1].to_string_view()));
      }
      on_entry(Message{std::move(topic), frames[1].to_string()});
    }
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("catch-up from " + endpoint + " failed: " + e.what());
  }
}

}  // namespace brandmon::publish

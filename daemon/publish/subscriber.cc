#include "daemon/publish/subscriber.h"

#include <algorithm>
#include <climits>
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
    // A blocking receive with a timeout waits with fewer system calls than
    // zmq_poll (which polls twice and reads the socket's events each time),
    // and the reader of a long reply waits once per batch libzmq hands over.
    dealer.set(zmq::sockopt::rcvtimeo, static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, INT_MAX)));
    dealer.send(zmq::buffer(CatchupRequestJson(request)), zmq::send_flags::none);
    zmq::message_t topic, payload;
    for (;;) {
      if (!dealer.recv(topic, zmq::recv_flags::none)) {
        return Status::Unavailable("no catch-up answer from " + endpoint + " within " +
                                   std::to_string(timeout.count()) + "ms");
      }
      // libzmq delivers a message whole: once its first frame is in, the rest is.
      if (!topic.more() || !dealer.recv(payload, zmq::recv_flags::none) || payload.more()) {
        return Status::Corrupt("malformed catch-up reply from " + endpoint);
      }
      std::string_view name = topic.to_string_view();
      if (name == kCatchupEndTopic) return ParseCatchupEnd(payload.to_string_view());
      if (name == kCatchupErrorTopic) {
        return Status::InvalidArgument("catch-up refused: " + ParseCatchupError(payload.to_string_view()));
      }
      on_entry(Message{std::string(name), payload.to_string()});
    }
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("catch-up from " + endpoint + " failed: " + e.what());
  }
}

}  // namespace brandmon::publish

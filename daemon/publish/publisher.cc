#include "daemon/publish/publisher.h"

#include "daemon/publish/publisher_impl.h"

namespace brandmon::publish {

std::vector<PublisherCounter> NamedCounters(const PublisherCounters& c) {
  return {
      {"published", c.published, false},
      {"mentions_published", c.mentions_published, false},
      {"dropped_slow_subscriber", c.dropped_slow_subscriber, false},
      {"dropped_queue_full", c.dropped_queue_full, false},
      {"handshakes_rejected", c.handshakes_rejected, false},
      {"zap_denied", c.zap_denied, false},
      {"catchup_requests", c.catchup_requests, false},
      {"catchup_errors", c.catchup_errors, false},
      {"catchup_entries", c.catchup_entries, false},
      {"catchup_refused", c.catchup_refused, false},
      {"catchup_dropped", c.catchup_dropped, false},
      {"catchup_sessions", c.catchup_sessions, true},
      {"catchup_queued_bytes", c.catchup_queued_bytes, true},
      {"queued_messages", c.queued_messages, true},
      {"backlog_messages", c.backlog_messages, true},
  };
}

Status Publisher::Impl::SetUpCurve() {
  if (options.curve_secret_key.empty()) return Status::Ok();
  secret_key = options.curve_secret_key;
  for (const auto& k : options.allowed_client_keys) {
    uint8_t raw[32];
    if (k.size() != 40 || zmq_z85_decode(raw, k.c_str()) == nullptr) {
      return Status::InvalidArgument("allowed client key \"" + k + "\" is not a Z85 public key");
    }
    allowed_keys.insert(std::string(reinterpret_cast<char*>(raw), sizeof raw));
  }
  zap.emplace(context, zmq::socket_type::rep);
  zap->set(zmq::sockopt::linger, 0);
  zap->bind(kZapEndpoint);
  return Status::Ok();
}

// Options are copied into each listener when it is bound, so CURVE is set
// only before the tcp endpoints are bound: ipc endpoints, protected by their
// file mode, stay usable without keys.
void Publisher::Impl::ApplyCurve(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::zap_domain, options.zap_domain);
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, secret_key);
}

Result<std::vector<std::string>> Publisher::Impl::BindAll(zmq::socket_t& socket,
                                                          const std::vector<std::string>& endpoints) {
  std::vector<std::string> resolved;
  resolved.reserve(endpoints.size());
  for (const auto& e : endpoints) resolved.push_back(ResolveEndpoint(e, runtime_dir));
  std::vector<std::string> bound(resolved.size());
  for (bool tcp_pass : {false, true}) {
    if (tcp_pass && !secret_key.empty()) ApplyCurve(socket);
    // libzmq binds an IPv6 address only with ZMQ_IPV6 set.
    if (tcp_pass &&
        std::any_of(resolved.begin(), resolved.end(), [](const std::string& e) { return e.starts_with("tcp://["); })) {
      socket.set(zmq::sockopt::ipv6, 1);
    }
    for (size_t i = 0; i < resolved.size(); ++i) {
      if (resolved[i].starts_with("tcp://") != tcp_pass) continue;
      auto b = Bind(socket, resolved[i]);
      if (!b.ok()) return b.status();
      bound[i] = *b;
      if (resolved[i].starts_with("ipc://")) ipc_files.emplace_back(resolved[i].substr(6));
    }
  }
  return bound;
}

Status Publisher::Impl::Start(uint64_t last_seq, Publisher& owner) {
  assert(!started);
  handed_seq = last_seq;
  try {
    if (auto s = SetUpCurve(); !s.ok()) return s;
    if (!secret_key.empty()) {
      auto pub_key = CurvePublicKey(secret_key);
      if (!pub_key.ok()) return Status::InvalidArgument("publish.curve_secret_key: " + pub_key.status().message());
      owner.server_public_key_ = *pub_key;
    }
    pub.emplace(context, zmq::socket_type::xpub);
    pub->set(zmq::sockopt::linger, 0);
    pub->set(zmq::sockopt::sndhwm, static_cast<int>(options.sndhwm));
    // With NODROP a full subscriber pipe makes send fail with EAGAIN instead
    // of discarding silently, so the drop can be counted.
    pub->set(zmq::sockopt::xpub_nodrop, 1);
    pub_monitor.emplace(context, *pub, "pub");
    auto bound = BindAll(*pub, options.endpoints);
    if (!bound.ok()) return bound.status();
    owner.bound_endpoints_ = *bound;
    if (!options.catchup_endpoints.empty()) {
      router.emplace(context, zmq::socket_type::router);
      router->set(zmq::sockopt::linger, 0);
      router->set(zmq::sockopt::router_mandatory, 1);
      router->set(zmq::sockopt::sndhwm, static_cast<int>(options.sndhwm));
      // Requests up to twice the limit are read and answered with an error;
      // beyond that libzmq drops the connection without buffering the bytes.
      router->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(options.catchup_max_request * 2));
      router_monitor.emplace(context, *router, "catchup");
      auto cbound = BindAll(*router, options.catchup_endpoints);
      if (!cbound.ok()) return cbound.status();
      owner.bound_catchup_endpoints_ = *cbound;
    }
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(std::string("cannot set up the publisher: ") + e.what());
  }
  started = true;
  next_heartbeat = clock.Mono();
  if (zap) zap_thread = threads.Start("zap", [this] { ZapLoop(); });
  if (router) catchup_thread = threads.Start("catchup", [this] { CatchupLoop(); });
  publish_thread = threads.Start("publish", [this] { PublishLoop(); });
  return Status::Ok();
}

void Publisher::Impl::Stop() {
  if (stopping.exchange(true)) return;
  if (started) {
    wake.Wake();
    threads.Join(std::exchange(publish_thread, 0));
    // The other threads wait in zmq_poll; shutting the context down makes
    // every call on it return ETERM.
    context.shutdown();
    threads.Join(std::exchange(catchup_thread, 0));
    threads.Join(std::exchange(zap_thread, 0));
  }
  pub_monitor.reset();
  router_monitor.reset();
  pub.reset();
  router.reset();
  zap.reset();
  ipc_files.clear();
}

bool Publisher::Impl::Enqueue(std::variant<Alert, ScoredMention> item) {
  bool was_empty;
  {
    MutexLock lock(mu);
    if (queue.size() >= static_cast<size_t>(options.queue_capacity)) {
      ++counters.dropped_queue_full;
      return false;
    }
    was_empty = queue.empty();
    queue.push_back(std::move(item));
  }
  if (was_empty) wake.Wake();
  return true;
}

// ---- publisher thread ------------------------------------------------------

void Publisher::Impl::TakeQueued(std::deque<WireMessage>& backlog) {
  std::deque<std::variant<Alert, ScoredMention>> taken;
  {
    MutexLock lock(mu);
    taken.swap(queue);
  }
  WallTime now = clock.Now();
  for (auto& item : taken) {
    if (auto* alert = std::get_if<Alert>(&item)) {
      backlog.push_back({AlertTopic(*alert), AlertToJson(*alert), true});
    } else {
      auto& mention = std::get<ScoredMention>(item);
      backlog.push_back({MentionTopic(mention.brand), MentionMessageJson(mention, now), false});
    }
  }
}

// Sends the first message of `backlog`; false when a subscriber is at its
// high-water mark (the message stays queued).
bool Publisher::Impl::SendFront(std::deque<WireMessage>& backlog) {
  WireMessage& m = backlog.front();
  if (!pub->send(zmq::buffer(m.topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  // Once the first frame is accepted the rest of the message is too: libzmq
  // checks the high-water mark per message.
  (void)pub->send(zmq::buffer(m.payload), zmq::send_flags::none);
  ++(m.alert ? counters.published : counters.mentions_published);
  backlog.pop_front();
  next_heartbeat = clock.Mono() + options.heartbeat_interval;
  return true;
}

void Publisher::Impl::SendHeartbeat() {
  std::string json = HeartbeatJson({handed_seq.load(), options.heartbeat_interval.count()}, clock.Now());
  if (!pub->send(zmq::buffer(kHeartbeatTopic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return;
  (void)pub->send(zmq::buffer(json), zmq::send_flags::none);
  ++counters.heartbeats;
}

void Publisher::Impl::PublishLoop() {
  std::deque<WireMessage> backlog;
  try {
    for (;;) {
      bool stop = stopping.load();
      TakeQueued(backlog);
      bool blocked = false;
      while (!backlog.empty() && !blocked) blocked = !SendFront(backlog);
      while (backlog.size() > static_cast<size_t>(options.backlog)) {
        backlog.pop_front();
        ++counters.dropped_slow_subscriber;
      }
      counters.backlog_messages = backlog.size();
      if (stop) break;
      MonoTime now = clock.Mono();
      if (backlog.empty() && now >= next_heartbeat) {
        SendHeartbeat();
        next_heartbeat = now + options.heartbeat_interval;
      }
      // The clock may be a fake one, so the wait is capped in real time too.
      Duration wait = backlog.empty() ? std::min<Duration>(std::chrono::duration_cast<Duration>(next_heartbeat - now),
                                                           Duration(100))
                                      : kRetryInterval;
      zmq::pollitem_t items[] = {{pub->handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, wake.fd(), ZMQ_POLLIN, 0},
                                 {pub_monitor->socket().handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 3, std::chrono::milliseconds(std::max<int64_t>(wait.count(), 0)));
      if (items[1].revents & ZMQ_POLLIN) wake.Drain();
      // Subscription messages are read so they do not pile up.
      for (zmq::message_t sub; pub->recv(sub, zmq::recv_flags::dontwait);) {
      }
      pub_monitor->Drain(counters.handshakes_rejected);
    }
  } catch (const zmq::error_t& e) {
    spdlog::error("alert publisher stopped: {}", e.what());
  }
  // What a subscriber's high-water mark still held back is not sent; it stays
  // in the journal for catch-up.
  counters.dropped_slow_subscriber += backlog.size();
  counters.backlog_messages = 0;
  pub_monitor.reset();
  pub->close();
}

// ---- ZAP thread --------------------------------------------------------------

void Publisher::Impl::ZapLoop() {
  try {
    for (;;) {
      std::vector<zmq::message_t> frames;
      do {
        zmq::message_t f;
        if (!zap->recv(f, zmq::recv_flags::none)) break;
        frames.push_back(std::move(f));
      } while (frames.back().more());
      // version, request id, domain, address, identity, mechanism, credentials...
      std::string request_id = frames.size() > 1 ? frames[1].to_string() : "";
      bool ok = frames.size() >= 7 && frames[0].to_string_view() == "1.0" &&
                frames[2].to_string_view() == options.zap_domain && frames[5].to_string_view() == "CURVE" &&
                frames[6].size() == 32 && allowed_keys.count(frames[6].to_string());
      if (!ok) {
        ++counters.zap_denied;
        std::string who = "unknown key";
        if (frames.size() >= 7 && frames[6].size() == 32) {
          char z85[41] = {};
          zmq_z85_encode(z85, static_cast<const uint8_t*>(frames[6].data()), 32);
          who = std::string("key ") + z85;
        }
        spdlog::warn("rejected CURVE client {} from {}: not in publish.allowed_client_keys", who,
                     frames.size() > 3 ? frames[3].to_string() : "?");
      }
      const std::string reply[] = {"1.0", request_id, ok ? "200" : "400", ok ? "OK" : "client key not allowed", "", ""};
      for (size_t i = 0; i < 6; ++i) {
        (void)zap->send(zmq::buffer(reply[i]), i < 5 ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    }
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) spdlog::error("zap handler stopped: {}", e.what());
  }
  zap->close();
}

// ---- Publisher -----------------------------------------------------------------

Publisher::Publisher(PublishOptions options, std::string runtime_dir, JournalOpener journal, const Clock& clock,
                     ThreadSet& threads)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(runtime_dir), std::move(journal), clock, threads)) {}

Publisher::~Publisher() { Stop(); }

Status Publisher::Start(uint64_t last_seq) { return impl_->Start(last_seq, *this); }

void Publisher::Stop() { impl_->Stop(); }

bool Publisher::Publish(Alert alert) {
  assert(alert.seq > 0);
  if (impl_->stopping) return false;
  uint64_t seq = alert.seq;
  uint64_t prev = impl_->handed_seq.load();
  while (prev < seq && !impl_->handed_seq.compare_exchange_weak(prev, seq)) {
  }
  return impl_->Enqueue(std::move(alert));
}

bool Publisher::PublishMention(ScoredMention mention) {
  if (impl_->stopping) return false;
  return impl_->Enqueue(std::move(mention));
}

PublisherCounters Publisher::counters() const {
  const Counters& c = impl_->counters;
  PublisherCounters out;
  out.published = c.published;
  out.mentions_published = c.mentions_published;
  out.dropped_slow_subscriber = c.dropped_slow_subscriber;
  out.dropped_queue_full = c.dropped_queue_full;
  out.heartbeats = c.heartbeats;
  out.handshakes_rejected = c.handshakes_rejected;
  out.zap_denied = c.zap_denied;
  out.catchup_requests = c.catchup_requests;
  out.catchup_errors = c.catchup_errors;
  out.catchup_entries = c.catchup_entries;
  out.catchup_refused = c.catchup_refused;
  out.catchup_dropped = c.catchup_dropped;
  out.catchup_sessions = c.catchup_sessions;
  out.catchup_queued_bytes = static_cast<uint64_t>(std::max<int64_t>(impl_->catchup_shared->queued_bytes.load(), 0));
  out.backlog_messages = c.backlog_messages;
  {
    MutexLock lock(impl_->mu);
    out.queued_messages = impl_->queue.size();
  }
  return out;
}

}  // namespace brandmon::publish

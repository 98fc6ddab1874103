#include "daemon/publish/publisher.h"
#include "daemon/base/mutex.h"

#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <variant>
#include <zmq.hpp>

#include "daemon/base/socket_file.h"
#include "daemon/publish/curve_keys.h"
#include "daemon/publish/messages.h"
#include "daemon/store/store.h"

namespace brandmon::publish {
namespace {

constexpr mode_t kIpcMode = 0660;
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
// How long the publisher waits before retrying a send refused at a
// subscriber's high-water mark.
constexpr Duration kRetryInterval{10};
// Most journal entries read per query and sent per session before the
// catch-up thread looks at its socket again, so one long reply does not
// starve others.
constexpr size_t kCatchupChunk = 1000;
// How often, in real time, the catch-up thread looks for stalled clients
// while it has nothing else to do (the clock may be a fake one).
constexpr Duration kStallCheck{100};
// How long catch-up stays idle before freed memory goes back to the system.
constexpr std::chrono::milliseconds kTrimDelay{200};
// Error replies a client may leave unread before its requests go unanswered.
constexpr int64_t kMaxUnreadErrorBytes = 4096;
constexpr int kHandshakeEvents =
    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

void NameThread(const char* name) { pthread_setname_np(pthread_self(), name); }

// An eventfd that wakes the publisher thread's poll.
class WakeFd {
 public:
  WakeFd() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~WakeFd() {
    if (fd_ >= 0) close(fd_);
  }
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;
  int fd() const { return fd_; }
  void Wake() const {
    uint64_t one = 1;
    ssize_t n = write(fd_, &one, sizeof one);
    (void)n;  // EAGAIN means the counter is already non-zero: the reader wakes anyway.
  }
  void Drain() const {
    uint64_t v;
    ssize_t n = read(fd_, &v, sizeof v);
    (void)n;
  }

 private:
  int fd_;
};

// One message ready for the wire.
struct WireMessage {
  std::string topic;
  std::string payload;
  bool alert = true;
};

struct Counters {
  std::atomic<uint64_t> published{0}, mentions_published{0}, dropped_slow_subscriber{0}, dropped_queue_full{0},
      heartbeats{0}, handshakes_rejected{0}, zap_denied{0}, catchup_requests{0}, catchup_errors{0}, catchup_entries{0},
      catchup_refused{0}, catchup_dropped{0}, catchup_sessions{0};
};

std::string_view HandshakeReason(uint16_t event) {
  switch (event) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "authentication refused";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "security protocol error (wrong mechanism or key)";
    default: return "handshake failed";
  }
}

// Reads the handshake-failure events of one monitored socket; owned by the
// thread that owns that socket.
class HandshakeMonitor {
 public:
  HandshakeMonitor(zmq::context_t& ctx, zmq::socket_t& watched, const std::string& name)
      : pair_(ctx, zmq::socket_type::pair) {
    std::string addr = "inproc://brandmon.monitor." + name;
    if (zmq_socket_monitor(watched.handle(), addr.c_str(), kHandshakeEvents) != 0) throw zmq::error_t();
    pair_.set(zmq::sockopt::linger, 0);
    pair_.connect(addr);
  }
  zmq::socket_t& socket() { return pair_; }

  void Drain(std::atomic<uint64_t>& rejected) {
    for (;;) {
      zmq::message_t event, address;
      if (!pair_.recv(event, zmq::recv_flags::dontwait)) return;
      if (!event.more() || !pair_.recv(address, zmq::recv_flags::dontwait)) continue;
      if (event.size() < 6) continue;
      uint16_t id;
      std::memcpy(&id, event.data(), sizeof id);
      ++rejected;
      spdlog::warn("rejected handshake on {}: {}", address.to_string(), HandshakeReason(id));
    }
  }

 private:
  zmq::socket_t pair_;
};

// Binds `socket` to `endpoint`; ipc socket files get kIpcMode, and a stale one
// is replaced. Returns the endpoint as bound.
Result<std::string> Bind(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    if (endpoint.starts_with("ipc://") && endpoint.size() > 6 && endpoint[6] == '/') {
      std::string path = endpoint.substr(6);
      // libzmq would silently take over a live socket: only a stale one goes.
      if (auto s = ClearStaleSocket(path); !s.ok()) {
        return Status::Unavailable("cannot bind " + endpoint + ": " + s.message());
      }
      mode_t old = umask(0777 & ~kIpcMode);
      try {
        socket.bind(endpoint);
      } catch (...) {
        umask(old);
        throw;
      }
      umask(old);
      chmod(path.c_str(), kIpcMode);
    } else {
      socket.bind(endpoint);
    }
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("cannot bind " + endpoint + ": " + e.what());
  }
}

// What the catch-up thread shares with libzmq's I/O thread, which frees the
// replies it has written. Owned jointly by the publisher and every reply in
// flight, so a reply freed while the context shuts down is still safe.
struct CatchupShared {
  WakeFd wake;                           // wakes the catch-up thread when a client took enough
  std::atomic<int64_t> queued_bytes{0};  // all clients
};

// The bytes of replies to one client that libzmq has not written to its
// connection yet. The catch-up thread adds, the I/O thread subtracts.
struct PeerBytes {
  explicit PeerBytes(std::shared_ptr<CatchupShared> s) : shared(std::move(s)) {}
  std::atomic<int64_t> bytes{0};
  // While >= 0 the catch-up thread waits for `bytes` to fall to this value.
  std::atomic<int64_t> wake_at{-1};
  std::shared_ptr<CatchupShared> shared;
};

// Reply payloads handed to libzmq without a copy: the journal entries of one
// read (or one end marker or error). Each payload frame libzmq holds keeps a
// reference, and the catch-up thread frees the block once libzmq has let go
// of every frame, so the entries are allocated and freed on that one thread:
// freed one by one on libzmq's I/O thread, they made both threads contend for
// the allocator's lock. Created and freed by the catch-up thread; FreeHeld,
// on the I/O thread, only drops references (and frees the block once the
// catch-up thread has ended).
struct ReplyBlock {
  // What FreeHeld gets for one payload frame.
  struct Frame {
    ReplyBlock* block = nullptr;
    int64_t accounted = 0;
  };

  ReplyBlock(std::vector<store::JournalEntry> e, std::shared_ptr<PeerBytes> p)
      : entries(std::move(e)), frames(entries.size()), peer(std::move(p)) {}

  std::vector<store::JournalEntry> entries;
  std::vector<Frame> frames;  // one per entry; never resized, as libzmq holds pointers into it
  std::shared_ptr<PeerBytes> peer;
  // One per frame libzmq holds, plus one the catch-up thread drops when it ends.
  std::atomic<int64_t> refs{1};
};

// Runs when libzmq is done with a payload frame (written, or dropped with its
// connection).
void FreeHeld(void*, void* hint) {
  auto* frame = static_cast<ReplyBlock::Frame*>(hint);
  ReplyBlock* block = frame->block;
  PeerBytes& p = *block->peer;
  // Outlives libzmq's threads (the publisher holds it past the context), while
  // `p` may be freed by the catch-up thread as soon as the reference is dropped.
  CatchupShared& shared = *p.shared;
  int64_t left = p.bytes.fetch_sub(frame->accounted) - frame->accounted;
  shared.queued_bytes.fetch_sub(frame->accounted);
  int64_t at = p.wake_at.load();
  bool wake = at >= 0 && left <= at && p.wake_at.compare_exchange_strong(at, -1);
  // Dropped before the wake-up, so that the woken thread can free the block.
  std::unique_ptr<ReplyBlock> last;
  if (block->refs.fetch_sub(1) == 1) last.reset(block);
  if (wake) shared.wake.Wake();
}

// The connection a request came in on. libzmq cannot close one peer of a
// ROUTER, but it tells the socket descriptor of a received message
// (ZMQ_SRCFD), and a socket shut down under it counts as a peer that left:
// its session ends and the messages queued for it are freed.
struct PeerConnection {
  int fd = -1;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string address;  // for the log: IP, or ":uid:gid:pid" on ipc

  static PeerConnection Of(zmq::message_t& msg) {
    PeerConnection c;
    if (const char* a = zmq_msg_gets(msg.handle(), "Peer-Address")) c.address = a;
    int fd = zmq_msg_get(msg.handle(), ZMQ_SRCFD);
    struct stat st {};
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
      c.fd = fd;
      c.dev = st.st_dev;
      c.ino = st.st_ino;
    }
    return c;
  }

  // Shuts the connection down if the descriptor still names the same socket:
  // libzmq may have closed it (the client left) and the number been reused.
  bool Shutdown() const {
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_dev != dev || st.st_ino != ino) return false;
    return shutdown(fd, SHUT_RDWR) == 0;
  }
};

struct CatchupSession {
  zmq::message_t identity;
  bool delimiter = false;  // the client sent an empty frame before the request (REQ style)
  std::string prefix;
  uint64_t cursor = 0;  // the last seq sent (or the request's since)
  uint64_t upto = 0;    // the journal's last seq when the request arrived
  uint64_t remaining = 0;
  uint64_t count = 0;
  bool read_all = false;   // the last journal read returned every matching entry left
  bool exhausted = false;  // no more matching entries up to `upto`
  bool answered = false;   // the end marker is sent; the session lasts until the client took it all
  size_t read_chunk = kCatchupChunk;
  ReplyBlock* block = nullptr;  // the entries read last (owned by Impl::blocks)
  size_t next = 0;              // the first entry of `block` not sent yet
  bool pending() const { return block != nullptr && next < block->entries.size(); }
  std::shared_ptr<PeerBytes> held;
  PeerConnection connection;
  int64_t last_held = 0;
  MonoTime last_progress;
};

// Where a session stands after a turn of Serve.
enum class Turn {
  kDone,     // answered and taken by the client, or abandoned
  kMore,     // more to send now
  kWaiting,  // waits for the client to read (its held bytes wake the thread)
  kRetry,    // a send was refused at the high-water mark: retry after kRetryInterval
};
// Waits for `held` to fall to `level`: kWaiting, or kMore when it already has.
Turn WaitForClient(PeerBytes& held, int64_t level) {
  held.wake_at.store(level);
  if (held.bytes.load() > level) return Turn::kWaiting;
  held.wake_at.store(-1);
  return Turn::kMore;
}

}  // namespace

struct Publisher::Impl {
  Impl(PublishOptions o, std::string dir, JournalOpener j, const Clock& c)
      : options(std::move(o)), runtime_dir(std::move(dir)), journal(std::move(j)), clock(c) {}

  ~Impl() { Stop(); }

  Status Start(uint64_t last_seq, Publisher& owner);
  void Stop();
  bool Enqueue(std::variant<Alert, ScoredMention> item);

  // Socket set-up, on the calling thread before the owning threads start.
  Status SetUpCurve();
  void ApplyCurve(zmq::socket_t& socket);
  Result<std::vector<std::string>> BindAll(zmq::socket_t& socket, const std::vector<std::string>& endpoints);

  // The three threads.
  void PublishLoop();
  void CatchupLoop();
  void ZapLoop();

  // Publisher thread helpers.
  void TakeQueued(std::deque<WireMessage>& backlog);
  bool SendFront(std::deque<WireMessage>& backlog);
  void SendHeartbeat();

  // Catch-up thread helpers.
  void ReceiveRequests(store::Store* store);
  void StartSession(store::Store* store, std::vector<zmq::message_t>& frames, bool delimiter);
  std::shared_ptr<PeerBytes> PeerOf(const zmq::message_t& identity);
  void SendError(zmq::message_t& identity, bool delimiter, std::string_view message);
  void SendError(zmq::message_t& identity, bool delimiter, const std::shared_ptr<PeerBytes>& held,
                 std::string_view message);
  Turn Serve(store::Store* store, CatchupSession& session);
  Turn Fill(store::Store* store, CatchupSession& session);
  // A new block of `entries` for `peer`, owned by `blocks`.
  ReplyBlock* NewBlock(std::vector<store::JournalEntry> entries, std::shared_ptr<PeerBytes> peer);
  ReplyBlock* NewBlock(std::string_view topic, std::string payload, std::shared_ptr<PeerBytes> peer);
  // Frees the blocks libzmq has let go of and no session still sends from.
  void FreeTakenBlocks();
  bool SendHeld(const zmq::message_t& identity, bool delimiter, ReplyBlock& block, size_t index);
  // Serves every session once; returns the poll timeout until the next turn.
  std::chrono::milliseconds ServeAll(store::Store* store);
  void NoteProgress(CatchupSession& s, MonoTime now);
  // Gives freed memory back to the system once catch-up has been idle for
  // kTrimDelay; returns the poll timeout until then (-1: none).
  std::chrono::milliseconds TrimWhenIdle();

  PublishOptions options;
  std::string runtime_dir;
  JournalOpener journal;
  const Clock& clock;

  // Declared before the context so that it outlives libzmq's I/O threads,
  // which call FreeHeld until the context is destroyed.
  std::shared_ptr<CatchupShared> catchup_shared = std::make_shared<CatchupShared>();
  zmq::context_t context{1};
  std::optional<zmq::socket_t> pub;
  std::optional<zmq::socket_t> router;
  std::optional<zmq::socket_t> zap;
  std::optional<HandshakeMonitor> pub_monitor;
  std::optional<HandshakeMonitor> router_monitor;
  std::string secret_key;
  std::set<std::string> allowed_keys;      // raw 32-byte public keys
  std::vector<OwnedSocketFile> ipc_files;  // removed at Stop while still ours
  // Owned by the catch-up thread: the replies in progress, every client
  // with a session or unread replies (by routing id), and the reply blocks
  // sessions send from or libzmq still holds frames of.
  std::list<CatchupSession> sessions;
  std::map<std::string, std::shared_ptr<PeerBytes>> peers;
  std::vector<std::unique_ptr<ReplyBlock>> blocks;
  bool trim_pending = false;
  std::optional<std::chrono::steady_clock::time_point> trim_at;

  WakeFd wake;
  Mutex mu;
  std::deque<std::variant<Alert, ScoredMention>> queue GUARDED_BY(mu);
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> handed_seq{0};
  Counters counters;
  MonoTime next_heartbeat;

  std::thread zap_thread, catchup_thread, publish_thread;
  bool started = false;
};

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
  if (zap) zap_thread = std::thread([this] { ZapLoop(); });
  if (router) catchup_thread = std::thread([this] { CatchupLoop(); });
  publish_thread = std::thread([this] { PublishLoop(); });
  return Status::Ok();
}

void Publisher::Impl::Stop() {
  if (stopping.exchange(true)) return;
  if (started) {
    wake.Wake();
    publish_thread.join();
    // The other threads wait in zmq_poll; shutting the context down makes
    // every call on it return ETERM.
    context.shutdown();
    if (catchup_thread.joinable()) catchup_thread.join();
    if (zap_thread.joinable()) zap_thread.join();
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
  NameThread("bm-publish");
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
  pub_monitor.reset();
  pub->close();
}

// ---- catch-up thread -------------------------------------------------------

std::shared_ptr<PeerBytes> Publisher::Impl::PeerOf(const zmq::message_t& identity) {
  auto& p = peers[std::string(static_cast<const char*>(identity.data()), identity.size())];
  if (!p) p = std::make_shared<PeerBytes>(catchup_shared);
  return p;
}

ReplyBlock* Publisher::Impl::NewBlock(std::vector<store::JournalEntry> entries, std::shared_ptr<PeerBytes> peer) {
  blocks.push_back(std::make_unique<ReplyBlock>(std::move(entries), std::move(peer)));
  return blocks.back().get();
}

ReplyBlock* Publisher::Impl::NewBlock(std::string_view topic, std::string payload, std::shared_ptr<PeerBytes> peer) {
  std::vector<store::JournalEntry> one(1);
  one[0].topic = topic;
  one[0].payload = std::move(payload);
  return NewBlock(std::move(one), std::move(peer));
}

void Publisher::Impl::FreeTakenBlocks() {
  std::erase_if(blocks, [&](const std::unique_ptr<ReplyBlock>& b) {
    return b->refs.load() == 1 &&
           std::none_of(sessions.begin(), sessions.end(), [&](const CatchupSession& s) { return s.block == b.get(); });
  });
}

// Sends [identity, (delimiter,) topic, payload] for entry `index` of `block`;
// the payload goes to libzmq without a copy and is counted in the block's
// peer until libzmq frees it. False, with nothing sent, when the client is at
// its high-water mark. Throws zmq::error_t (EHOSTUNREACH) when the client is
// gone.
bool Publisher::Impl::SendHeld(const zmq::message_t& identity, bool delimiter, ReplyBlock& block, size_t index) {
  zmq::message_t id;
  id.copy(const_cast<zmq::message_t&>(identity));
  if (!router->send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  if (delimiter) (void)router->send(zmq::const_buffer("", 0), zmq::send_flags::sndmore);
  const store::JournalEntry& e = block.entries[index];
  (void)router->send(zmq::buffer(e.topic), zmq::send_flags::sndmore);
  ReplyBlock::Frame& frame = block.frames[index];
  frame.block = &block;
  frame.accounted = static_cast<int64_t>(e.payload.size() + e.topic.size() + identity.size());
  zmq::message_t body(const_cast<char*>(e.payload.data()), e.payload.size(), FreeHeld, &frame);
  block.peer->bytes += frame.accounted;
  catchup_shared->queued_bytes += frame.accounted;
  ++block.refs;
  (void)router->send(body, zmq::send_flags::none);
  return true;
}

void Publisher::Impl::SendError(zmq::message_t& identity, bool delimiter, std::string_view message) {
  SendError(identity, delimiter, PeerOf(identity), message);
}

void Publisher::Impl::SendError(zmq::message_t& identity, bool delimiter, const std::shared_ptr<PeerBytes>& held,
                                std::string_view message) {
  ++counters.catchup_errors;
  // A client that sends requests and never reads the answers gets no more.
  if (held->bytes.load() > kMaxUnreadErrorBytes) return;
  try {
    (void)SendHeld(identity, delimiter, *NewBlock(kCatchupErrorTopic, CatchupErrorJson(message), held), 0);
  } catch (const zmq::error_t& e) {
    spdlog::debug("catch-up error reply dropped: {}", e.what());
  }
}

void Publisher::Impl::StartSession(store::Store* store, std::vector<zmq::message_t>& frames, bool delimiter) {
  zmq::message_t& body = frames.back();
  if (body.size() > options.catchup_max_request) {
    return SendError(frames[0], delimiter,
                     "request of " + std::to_string(body.size()) + " bytes exceeds catchup_max_request (" +
                         std::to_string(options.catchup_max_request) + ")");
  }
  auto req = ParseCatchupRequest(body.to_string_view());
  if (!req.ok()) return SendError(frames[0], delimiter, "malformed request: " + req.status().message());
  if (store == nullptr) return SendError(frames[0], delimiter, "journal unavailable");
  // A new request from the same client replaces its unfinished one; what is
  // still held for the client stays counted against it.
  sessions.remove_if([&](const CatchupSession& s) { return s.identity == frames[0]; });
  if (sessions.size() >= static_cast<size_t>(options.catchup_max_sessions)) {
    ++counters.catchup_refused;
    return SendError(frames[0], delimiter,
                     "busy: " + std::to_string(sessions.size()) +
                         " catch-up replies are in progress (publish.catchup_max_sessions); ask again later");
  }
  auto last = store->LastSeq();
  if (!last.ok()) return SendError(frames[0], delimiter, "journal read failed");
  CatchupSession s;
  s.held = PeerOf(frames[0]);
  s.connection = PeerConnection::Of(body);
  s.identity = std::move(frames[0]);
  s.delimiter = delimiter;
  s.prefix = req->topic;
  s.cursor = req->since;
  s.upto = *last;
  uint64_t max = static_cast<uint64_t>(options.catchup_max_entries);
  s.remaining = req->limit == 0 ? max : std::min(req->limit, max);
  s.last_held = s.held->bytes.load();
  s.last_progress = clock.Mono();
  sessions.push_back(std::move(s));
}

void Publisher::Impl::ReceiveRequests(store::Store* store) {
  for (int n = 0; n < 100; ++n) {
    std::vector<zmq::message_t> frames;
    zmq::message_t frame;
    if (!router->recv(frame, zmq::recv_flags::dontwait)) return;
    frames.push_back(std::move(frame));
    while (frames.back().more() && frames.size() <= 8) {
      zmq::message_t next;
      (void)router->recv(next, zmq::recv_flags::none);
      frames.push_back(std::move(next));
    }
    // Discard the rest of an over-long message.
    while (frames.back().more()) (void)router->recv(frames.back(), zmq::recv_flags::none);
    ++counters.catchup_requests;
    // A DEALER sends [request], a REQ [empty, request]; the ROUTER prepends the identity.
    if (frames.size() == 2) {
      StartSession(store, frames, false);
    } else if (frames.size() == 3 && frames[1].size() == 0) {
      StartSession(store, frames, true);
    } else {
      bool delimiter = frames.size() > 1 && frames[1].size() == 0;
      SendError(frames[0], delimiter, "malformed request: expected one JSON frame");
    }
  }
}

// Reads the next entries of `s` from the journal into a new block, about
// half of catchup_max_queued bytes' worth.
Turn Publisher::Impl::Fill(store::Store* store, CatchupSession& s) {
  size_t limit = static_cast<size_t>(std::min<uint64_t>(s.read_chunk, s.remaining));
  auto rows = store->ReadSince(s.cursor, s.prefix, limit);
  if (!rows.ok()) {
    spdlog::warn("catch-up journal read failed: {}", rows.status().message());
    SendError(s.identity, s.delimiter, s.held, "journal read failed");
    return Turn::kDone;
  }
  s.read_all = rows->size() < limit;
  size_t bytes = 0;
  for (const auto& e : *rows) bytes += e.payload.size() + e.topic.size();
  if (!rows->empty()) {
    size_t average = std::max<size_t>(bytes / rows->size(), 1);
    // Half the bound: a block stays whole until libzmq has written all of it,
    // so the block being sent and those whose frames libzmq holds stay
    // within about twice catchup_max_queued.
    s.read_chunk = std::clamp<size_t>(options.catchup_max_queued / 2 / average, 1, kCatchupChunk);
  }
  std::erase_if(*rows, [&](const store::JournalEntry& e) { return e.seq > s.upto; });
  if (rows->empty()) {
    s.exhausted = true;
  } else {
    s.block = NewBlock(std::move(*rows), s.held);
    s.next = 0;
  }
  return Turn::kMore;
}

Turn Publisher::Impl::Serve(store::Store* store, CatchupSession& s) {
  const auto max_held = static_cast<int64_t>(options.catchup_max_queued);
  try {
    for (size_t sent = 0; sent < kCatchupChunk;) {
      if (s.answered) {
        if (s.held->bytes.load() <= 0) return Turn::kDone;
        if (WaitForClient(*s.held, 0) == Turn::kWaiting) return Turn::kWaiting;
        continue;
      }
      if (s.held->bytes.load() >= max_held) {
        if (WaitForClient(*s.held, max_held / 2) == Turn::kWaiting) return Turn::kWaiting;
        continue;
      }
      if (!s.pending() && !s.exhausted && s.remaining > 0) {
        if (s.read_all) {
          s.exhausted = true;
        } else if (Fill(store, s) == Turn::kDone) {
          return Turn::kDone;
        }
      }
      if (!s.pending()) {
        CatchupEnd end;
        end.complete = s.exhausted;
        end.upto = s.exhausted ? s.upto : s.cursor;
        end.count = s.count;
        end.last_seq = s.upto;
        ReplyBlock* marker = NewBlock(kCatchupEndTopic, CatchupEndJson(end), s.held);
        if (!SendHeld(s.identity, s.delimiter, *marker, 0)) return Turn::kRetry;
        s.answered = true;
        s.last_progress = clock.Mono();
        continue;
      }
      if (!SendHeld(s.identity, s.delimiter, *s.block, s.next)) return Turn::kRetry;
      s.last_progress = clock.Mono();
      s.cursor = s.block->entries[s.next].seq;
      ++s.next;
      ++s.count;
      --s.remaining;
      ++sent;
      ++counters.catchup_entries;
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the client went away.
    spdlog::debug("catch-up reply abandoned: {}", e.what());
    return Turn::kDone;
  }
  return Turn::kMore;
}

// A client makes progress when libzmq writes some of what is held for it.
void Publisher::Impl::NoteProgress(CatchupSession& s, MonoTime now) {
  int64_t held = s.held->bytes.load();
  if (held < s.last_held) s.last_progress = now;
  s.last_held = held;
}

std::chrono::milliseconds Publisher::Impl::ServeAll(store::Store* store) {
  bool more = false, retry = false;
  for (auto it = sessions.begin(); it != sessions.end();) {
    NoteProgress(*it, clock.Mono());
    Turn turn = Serve(store, *it);
    MonoTime now = clock.Mono();
    NoteProgress(*it, now);
    if (turn != Turn::kDone && turn != Turn::kMore && now - it->last_progress > options.catchup_stall_timeout) {
      ++counters.catchup_dropped;
      bool closed = it->connection.Shutdown();
      spdlog::warn("catch-up client {} took nothing for {}s with {} bytes waiting; {}",
                   it->connection.address.empty() ? "?" : it->connection.address,
                   std::chrono::duration_cast<std::chrono::seconds>(options.catchup_stall_timeout).count(),
                   it->held->bytes.load(), closed ? "disconnected" : "reply abandoned");
      // Wake when libzmq has freed what it held, to give the memory back.
      it->held->wake_at.store(0);
      turn = Turn::kDone;
    }
    trim_pending |= turn == Turn::kDone;
    more |= turn == Turn::kMore;
    retry |= turn == Turn::kRetry;
    it = turn == Turn::kDone ? sessions.erase(it) : std::next(it);
  }
  FreeTakenBlocks();
  // A client is forgotten once nothing is held for it and it has no session.
  std::erase_if(peers, [](const auto& p) { return p.second.use_count() == 1; });
  counters.catchup_sessions = sessions.size();
  std::chrono::milliseconds trim_wait = TrimWhenIdle();
  if (more) return std::chrono::milliseconds(0);
  if (retry) return std::chrono::duration_cast<std::chrono::milliseconds>(kRetryInterval);
  if (!sessions.empty()) return std::chrono::duration_cast<std::chrono::milliseconds>(kStallCheck);
  return trim_wait;
}

// The entries of finished replies are freed in small blocks that the
// allocator keeps; once nothing is left, they go back to the system. Not at
// once: trimming walks the heap and unmaps pages (which interrupts every CPU
// running the process), and a client catching up page by page asks again
// right away.
std::chrono::milliseconds Publisher::Impl::TrimWhenIdle() {
  bool idle = sessions.empty() && blocks.empty() && catchup_shared->queued_bytes.load() == 0;
  if (!trim_pending || !idle) {
    trim_at.reset();
    // libzmq may let go of a block's last frame without waking this thread.
    bool held = trim_pending && sessions.empty() && !blocks.empty();
    return held ? std::chrono::duration_cast<std::chrono::milliseconds>(kStallCheck) : std::chrono::milliseconds(-1);
  }
  auto now = std::chrono::steady_clock::now();
  if (!trim_at) trim_at = now + kTrimDelay;
  if (now < *trim_at) return std::chrono::ceil<std::chrono::milliseconds>(*trim_at - now);
  trim_pending = false;
  trim_at.reset();
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return std::chrono::milliseconds(-1);
}

void Publisher::Impl::CatchupLoop() {
  NameThread("bm-catchup");
  std::unique_ptr<store::Store> store;
  if (auto opened = journal ? journal() : Result<std::unique_ptr<store::Store>>(Status::NotFound("no journal"));
      opened.ok()) {
    store = std::move(*opened);
  } else {
    spdlog::error("catch-up cannot open the journal: {}", opened.status().message());
  }
  std::chrono::milliseconds wait(-1);
  try {
    for (;;) {
      zmq::pollitem_t items[] = {{router->handle(), 0, ZMQ_POLLIN, 0},
                                 {router_monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, catchup_shared->wake.fd(), ZMQ_POLLIN, 0}};
      zmq::poll(items, 3, wait);
      if (items[2].revents & ZMQ_POLLIN) catchup_shared->wake.Drain();
      router_monitor->Drain(counters.handshakes_rejected);
      ReceiveRequests(store.get());
      wait = ServeAll(store.get());
    }
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) spdlog::error("catch-up service stopped: {}", e.what());
  }
  sessions.clear();
  peers.clear();
  // What libzmq still holds is freed with the context: the last frame of a
  // block frees it.
  for (auto& b : blocks) {
    if (b->refs.fetch_sub(1) != 1) (void)b.release();
  }
  blocks.clear();
  counters.catchup_sessions = 0;
  router_monitor.reset();
  router->close();
}

// ---- ZAP thread --------------------------------------------------------------

void Publisher::Impl::ZapLoop() {
  NameThread("bm-zap");
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

Publisher::Publisher(PublishOptions options, std::string runtime_dir, JournalOpener journal, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(runtime_dir), std::move(journal), clock)) {}

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
  return out;
}

}  // namespace brandmon::publish

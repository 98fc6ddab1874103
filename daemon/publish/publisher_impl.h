#pragma once

// Internal to the publisher (publisher.cc, catchup.cc): Publisher::Impl and
// the pieces its three threads share. Not part of the module's interface.

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>
#include <zmq.hpp>

#include "daemon/base/mutex.h"
#include "daemon/base/socket_file.h"
#include "daemon/base/thread_set.h"
#include "daemon/publish/curve_keys.h"
#include "daemon/publish/messages.h"
#include "daemon/publish/publisher.h"
#include "daemon/store/store.h"

namespace brandmon::publish {

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
      catchup_refused{0}, catchup_dropped{0}, catchup_sessions{0}, backlog_messages{0};
};

inline std::string_view HandshakeReason(uint16_t event) {
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
inline Result<std::string> Bind(zmq::socket_t& socket, const std::string& endpoint) {
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
inline void FreeHeld(void*, void* hint) {
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
inline Turn WaitForClient(PeerBytes& held, int64_t level) {
  held.wake_at.store(level);
  if (held.bytes.load() > level) return Turn::kWaiting;
  held.wake_at.store(-1);
  return Turn::kMore;
}

struct Publisher::Impl {
  Impl(PublishOptions o, std::string dir, JournalOpener j, const Clock& c, ThreadSet& t)
      : options(std::move(o)), runtime_dir(std::move(dir)), journal(std::move(j)), clock(c), threads(t) {}

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
  ThreadSet& threads;

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

  // Started in `threads` and not yet joined (0: none).
  ThreadSet::Id zap_thread = 0, catchup_thread = 0, publish_thread = 0;
  bool started = false;
};

}  // namespace brandmon::publish

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"
#include "daemon/base/thread_set.h"
#include "daemon/publish/publish_options.h"

namespace brandmon::store {
class Store;
}

namespace brandmon::publish {

// Opens a connection to the journal for the catch-up thread. Called on that
// thread, which then owns the connection (SQLite in WAL mode lets it read
// beside the pipeline's writer).
using JournalOpener = std::function<Result<std::unique_ptr<store::Store>>()>;

// What the publisher has done since Start.
struct PublisherCounters {
  uint64_t published = 0;                // alert messages sent
  uint64_t mentions_published = 0;       // mention messages sent
  uint64_t dropped_slow_subscriber = 0;  // messages dropped because a subscriber stayed at its sndhwm
  uint64_t dropped_queue_full = 0;       // hand-overs refused because the queue was full
  uint64_t heartbeats = 0;
  uint64_t handshakes_rejected = 0;  // failed security handshakes on any socket
  uint64_t zap_denied = 0;           // CURVE clients whose key is not allowed
  uint64_t catchup_requests = 0;
  uint64_t catchup_errors = 0;        // malformed, refused or failed requests, each answered with an error
  uint64_t catchup_entries = 0;       // journal entries sent through catch-up
  uint64_t catchup_refused = 0;       // requests refused because catchup_max_sessions replies were running
  uint64_t catchup_dropped = 0;       // clients disconnected after catchup_stall_timeout without reading
  uint64_t catchup_sessions = 0;      // replies in progress now (gauge)
  uint64_t catchup_queued_bytes = 0;  // bytes of replies held for clients that have not read them yet (gauge)
  // The two queues before ZeroMQ's own (a subscriber's sndhwm), as gauges:
  uint64_t queued_messages = 0;   // handed over, waiting for the publish thread (up to queue_capacity)
  uint64_t backlog_messages = 0;  // encoded, held back by a subscriber at its sndhwm (up to backlog)
};

// The counters by the name status and metrics give them, in a fixed order;
// `gauge` marks those that are not cumulative.
struct PublisherCounter {
  const char* name;
  uint64_t value;
  bool gauge;
};
std::vector<PublisherCounter> NamedCounters(const PublisherCounters& c);

// Sends journaled alerts (and, for brands that ask, their mentions) to
// subscribers over ZeroMQ, answers catch-up requests from the journal and
// authenticates CURVE clients. Catch-up is bounded: at most
// catchup_max_sessions replies at once, at most catchup_max_queued bytes held
// for one client, and a client that takes nothing for catchup_stall_timeout
// is disconnected and what was held for it freed. Start() binds every socket
// and starts, in the owner's ThreadSet, three named threads, each owning its
// sockets: "publish" (the XPUB socket and heartbeats), "catchup" (the ROUTER
// socket and its own journal connection) and, with CURVE, "zap" (the ZAP
// handler). Stop() joins them in reverse order. Publish() and
// PublishMention() are thread-safe and never block on a subscriber: they
// move the message into a bounded queue.
class Publisher {
 public:
  // `runtime_dir` holds relative ipc:// endpoints. `clock` and `threads` (which
  // starts the publisher's threads) must outlive the publisher.
  // REQUIRES: CheckPublishOptions(options) is empty.
  Publisher(PublishOptions options, std::string runtime_dir, JournalOpener journal, const Clock& clock,
            ThreadSet& threads);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Binds every endpoint (ipc socket files get mode 0660; a stale socket file
  // is replaced) and starts the threads. `last_seq` is the journal's last seq,
  // announced by heartbeats until newer alerts are handed over; catch-up
  // serves the journal up to the last seq announced.
  // Errors: Unavailable naming the endpoint that cannot be bound,
  // InvalidArgument for a bad key. REQUIRES: called once.
  Status Start(uint64_t last_seq);

  // Sends what is queued, then stops and joins the threads. Idempotent.
  void Stop();

  // Hands over an alert committed to the journal. Returns false (and counts
  // it) when the queue is full; the alert stays available through catch-up.
  // REQUIRES: alert.seq > 0, and seqs handed over in increasing order.
  bool Publish(Alert alert);

  // Hands over a mention of a brand whose mentions are published
  // ("mention.<brand>"). Returns false when the queue is full.
  bool PublishMention(ScoredMention mention);

  PublisherCounters counters() const;

  // The endpoints actually bound (ipc paths resolved, tcp wildcard ports
  // replaced by the chosen ones), in option order. Valid after Start.
  const std::vector<std::string>& endpoints() const { return bound_endpoints_; }
  const std::vector<std::string>& catchup_endpoints() const { return bound_catchup_endpoints_; }
  // The server's Z85 public key when CURVE is on, else "".
  const std::string& server_public_key() const { return server_public_key_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> bound_endpoints_;
  std::vector<std::string> bound_catchup_endpoints_;
  std::string server_public_key_;
};

}  // namespace brandmon::publish

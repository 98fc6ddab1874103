#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"

namespace brandmon::publish {

// The wire format of docs/alerts.md, version 1. Every message is multipart
// [topic, json]; alerts are written by AlertToJson (daemon/base/alert.h).

inline constexpr std::string_view kAlertTopicPrefix = "alert.";
inline constexpr std::string_view kMentionTopicPrefix = "mention.";
inline constexpr std::string_view kHeartbeatTopic = "heartbeat";
inline constexpr std::string_view kCatchupEndTopic = "catchup.end";
inline constexpr std::string_view kCatchupErrorTopic = "catchup.error";

// "mention.<brand>".
std::string MentionTopic(std::string_view brand);

// {"v":1,"ts":..,"brand":..,"mention":{ScoredMentionToJson}}: a mention of a
// brand that publishes its mentions. Not journaled and without seq.
std::string MentionMessageJson(const ScoredMention& mention, WallTime ts);

struct Heartbeat {
  uint64_t last_seq = 0;  // the last alert seq handed to the publisher
  int64_t interval_ms = 0;
};
// {"v":1,"ts":..,"last_seq":N,"interval_ms":M}.
std::string HeartbeatJson(const Heartbeat& hb, WallTime ts);
// Errors: Corrupt when `json` is not a v1 heartbeat.
Result<Heartbeat> ParseHeartbeat(std::string_view json);

// The "seq" of an alert message. Errors: Corrupt when absent or not a
// positive integer.
Result<uint64_t> ParseAlertSeq(std::string_view json);

// "Everything journaled after `since` whose topic starts with `topic`":
// {"v":1,"since":N,"topic":"alert.acme","limit":L}. Only "since" is required.
// The largest "since" and "limit" a request may carry (seqs are SQLite
// integers), and the longest topic prefix.
inline constexpr uint64_t kMaxCatchupSeq = 9223372036854775807ULL;
inline constexpr size_t kMaxCatchupTopic = 256;
struct CatchupRequest {
  uint64_t since = 0;
  std::string topic;
  uint64_t limit = 0;  // 0: the server's maximum
};
std::string CatchupRequestJson(const CatchupRequest& request);
// Errors: InvalidArgument naming the field at fault: not an object, an
// unknown or repeated field, "v" other than 1, "since" or "limit" not an
// integer in 0..kMaxCatchupSeq, "topic" not UTF-8 text of at most
// kMaxCatchupTopic bytes. Never throws, whatever the bytes.
Result<CatchupRequest> ParseCatchupRequest(std::string_view json);

// The end marker of a catch-up reply: the reply held every matching entry
// with since < seq <= upto; when `complete` is false the limit was reached
// and the client asks again from `upto`.
struct CatchupEnd {
  uint64_t upto = 0;
  uint64_t count = 0;
  bool complete = true;
  uint64_t last_seq = 0;  // the journal's last seq when the reply was written
};
std::string CatchupEndJson(const CatchupEnd& end);
Result<CatchupEnd> ParseCatchupEnd(std::string_view json);

// {"v":1,"error":"<message>"}, the payload of kCatchupErrorTopic.
std::string CatchupErrorJson(std::string_view message);
// The message of an error payload, or the payload itself when unreadable.
std::string ParseCatchupError(std::string_view json);

}  // namespace brandmon::publish

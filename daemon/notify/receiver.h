#pragma once

// The delivery side of brandmon-notify: a receiver takes one delivery (one
// alert, or the digest of a group) and sends it to its target (a webhook,
// Slack, Teams, e-mail, Alertmanager). Each receiver kind lists its options
// in a table and registers in ReceiverKinds(), as source plugins do.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::notify {

// One alert as it arrived on the stream: parsed, and the JSON exactly as
// brandmond published it (webhooks forward it unchanged).
struct AlertMessage {
  Alert alert;
  std::string json;
};

// What one receiver sends at once. A plain value type.
struct Delivery {
  std::string receiver;  // the receiver's configured name
  // Stable for this delivery across retries and restarts: the receiver's
  // name and the first and last seq it holds ("care-team:41-52").
  std::string key;
  // In seq order, never empty. More than one for a digest: alerts of the
  // same brand and rule grouped by a route, or held through quiet hours.
  std::vector<AlertMessage> alerts;
  // For a digest, the time the group spans (first to last alert).
  Duration window{};
  // 0, or n for the n-th reminder of a still-open trend alert (a route's
  // repeat_interval); the key then ends in "/repeat-<n>". The alert is then
  // alone, open since its `ts`.
  uint32_t repeat = 0;
  // For a reminder, the number of the last one (the route's repeat_max):
  // when repeat == repeat_max, no other follows.
  uint32_t repeat_max = 0;

  bool digest() const { return alerts.size() > 1; }
};

// What became of one attempt.
struct Outcome {
  enum class Kind {
    kDelivered,  // the target accepted it: the cursor may move past it
    kRetry,      // timeout, connection error, 5xx, 408, 429: try again later
    kPermanent,  // any other refusal: a dead letter, never retried by itself
  };
  Kind kind = Kind::kDelivered;
  int http_status = 0;  // 0 when there was no HTTP answer (or for SMTP)
  // For people: the error, or the first line of the target's answer. Never
  // holds a secret or a webhook URL's token.
  std::string detail;
  // The wait the target asked for (Retry-After), if any.
  std::optional<Duration> retry_after;

  static Outcome Delivered(int status = 0) { return {Kind::kDelivered, status, {}, std::nullopt}; }
  static Outcome Retry(std::string detail, int status = 0, std::optional<Duration> after = std::nullopt) {
    return {Kind::kRetry, status, std::move(detail), after};
  }
  static Outcome Permanent(std::string detail, int status = 0) {
    return {Kind::kPermanent, status, std::move(detail), std::nullopt};
  }
};

// Sends deliveries to one target. Deliver() is called from the receiver's
// own worker thread only (thread-compatible); Stop() may be called from any
// thread and only interrupts a transfer in progress, which then returns
// kRetry.
class Receiver {
 public:
  virtual ~Receiver() = default;
  virtual Outcome Deliver(const Delivery& delivery) = 0;
  virtual void Stop() = 0;
};

// One receiver's validated options: makes the receiver and dumps the options
// for the effective config (secrets redacted as the writer says).
struct ConfiguredReceiver {
  std::function<std::unique_ptr<Receiver>()> make;
  std::function<void(config::JsonWriter&, const config::Redactor*)> dump_members;
};

// A receiver kind users can name in `receivers[].type`.
struct ReceiverKind {
  std::string name;  // "webhook", "slack", "teams", "email", "alertmanager"
  std::string description;
  std::vector<config::OptionInfo> options;  // besides `name` and `type`
  // Fills the kind's options from a receiver object, reporting errors to
  // `ctx`. Unknown keys are checked by the caller over `name`, `type` and
  // `options`.
  std::function<ConfiguredReceiver(const config::ConfigValue& receiver, const std::string& path,
                                   config::ApplyContext& ctx)>
      configure;
};

// Every built-in receiver kind, in the order the docs list them.
const std::vector<ReceiverKind>& ReceiverKinds();
const ReceiverKind* FindReceiverKind(std::string_view name);

}  // namespace brandmon::notify

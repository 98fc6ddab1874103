// The webhook receiver: the alerts exactly as brandmond published them, in
// one JSON envelope, signed when a secret is set.

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "daemon/notify/receiver_kinds.h"

namespace brandmon::notify {

namespace {

struct WebhookOptions {
  std::string url;
  std::string secret;
  std::map<std::string, std::string> headers;
  Duration timeout{};
  Duration connect_timeout{};
  std::string ca_file;
};

const config::OptionTable<WebhookOptions>& WebhookTable() {
  static const config::OptionTable<WebhookOptions> table = [] {
    config::OptionTable<WebhookOptions> t = {
        UrlOption<WebhookOptions>(
            "url", &WebhookOptions::url, /*secret=*/true, {"http", "https"},
            "Where each delivery is POSTed (http or https). Shown only as scheme://host/… in logs and status. "
            "Required."),
        config::Secret<WebhookOptions>(
            "secret", &WebhookOptions::secret,
            "When set, each request carries `X-Brandmon-Signature: sha256=<hex HMAC-SHA256 of the body with this "
            "key>`, so the receiving side can check where it came from."),
        HeadersOption<WebhookOptions>(
            "headers", &WebhookOptions::headers, {"content-type", "idempotency-key", "x-brandmon-signature"},
            "Extra request headers, e.g. {\"Authorization\": \"Bearer ${credential:hook-token}\"}. Content-Type, "
            "Idempotency-Key and X-Brandmon-Signature are set by the receiver. The values of credential headers "
            "(Authorization, *-Token, *-Key…) are never shown."),
    };
    AddHttpOptions(t, &WebhookOptions::timeout, &WebhookOptions::connect_timeout, &WebhookOptions::ca_file);
    return t;
  }();
  return table;
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

// {"v":1,"receiver":"<name>","alerts":[<alert as published>,...]}, with
// "repeat": n and "repeat_max": m for the n-th reminder of at most m.
std::string WebhookBody(const Delivery& delivery) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("receiver");
  w.String(delivery.receiver.data(), static_cast<rapidjson::SizeType>(delivery.receiver.size()));
  if (delivery.repeat > 0) {
    w.Key("repeat");
    w.Uint(delivery.repeat);
    w.Key("repeat_max");
    w.Uint(delivery.repeat_max);
  }
  w.Key("alerts");
  w.StartArray();
  for (const auto& m : delivery.alerts) {
    std::string json = m.json.empty() ? AlertToJson(m.alert) : m.json;
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// A header value with any line break or NUL made a space.
std::string HeaderValue(std::string value) {
  for (char& c : value) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return value;
}

// Owned by the receiver's worker thread; Stop() from any thread.
class WebhookReceiver final : public Receiver {
 public:
  explicit WebhookReceiver(const WebhookOptions& options) : options_(options), poster_(PostOptions(options)) {}

  Outcome Deliver(const Delivery& delivery) override {
    std::string body = WebhookBody(delivery);
    Headers headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", HeaderValue(delivery.key)}};
    if (!options_.secret.empty()) {
      headers.emplace_back("X-Brandmon-Signature", "sha256=" + HmacSha256Hex(options_.secret, body));
    }
    for (const auto& [name, value] : options_.headers) headers.emplace_back(name, value);
    return poster_.Post(options_.url, headers, body);
  }
  void Stop() override { poster_.Stop(); }

 private:
  WebhookOptions options_;
  HttpPoster poster_;
};

}  // namespace

ReceiverKind WebhookKind() {
  return MakeReceiverKind<WebhookOptions, WebhookReceiver>(
      "webhook",
      "POSTs {\"v\":1,\"receiver\":\"<name>\",\"alerts\":[…]} (each alert as published, several for a digest) as "
      "application/json, with an Idempotency-Key header stable for the delivery across retries and restarts "
      "(`<receiver>:<first seq>-<last seq>`) and, with a secret, an X-Brandmon-Signature header. A reminder of an "
      "open alert (repeat_interval) adds \"repeat\": n and \"repeat_max\": m (the n-th of at most m reminders; the "
      "alert's `ts` tells since when it is open) and `/repeat-<n>` to the key. 2xx is delivered; "
      "timeouts, connection errors, 408, 429 and 5xx are retried (honouring Retry-After); other answers are dead "
      "letters.",
      &WebhookTable);
}

}  // namespace brandmon::notify

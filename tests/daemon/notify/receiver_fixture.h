#pragma once

// What the receiver tests share: receivers made from config text as
// brandmon-notify makes them, and sample alerts and deliveries.

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>

#include "daemon/notify/receiver.h"

namespace brandmon::notify::testing {

// The receiver a `receivers[]` entry (JSON text, with "type") configures;
// nullptr with the config errors in *errors when it does not validate.
std::unique_ptr<Receiver> MakeReceiver(std::string_view receiver_json, std::string* errors = nullptr);

// The config errors of a `receivers[]` entry, one per line ("" when valid).
std::string ConfigErrors(std::string_view receiver_json);

// A negative mention alert of brand "acme" with one mention by @sam.
Alert SampleAlert(uint64_t seq, std::string text = "The new acme app keeps crashing");
AlertMessage Published(const Alert& alert);
// One alert, or a digest of `alerts` spanning `window`, for receiver `name`.
Delivery MakeDelivery(const std::string& name, std::vector<Alert> alerts, Duration window = Duration(0));
// The `repeat`-th of at most `repeat_max` reminders of a volume spike of
// "acme" raised at 2026-01-01T10:00:07Z (seq 7), for receiver `name`.
Delivery MakeReminder(const std::string& name, uint32_t repeat, uint32_t repeat_max);

// A TCP port on 127.0.0.1 that was free a moment ago, for servers the
// tests start as processes.
int FreePort();

// `json` parsed; fails the current test when it is not JSON.
rapidjson::Document ParseJson(const std::string& json);

}  // namespace brandmon::notify::testing

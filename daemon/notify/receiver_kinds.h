#pragma once

// What the receiver kinds share: building a ReceiverKind from an option
// table, the options every HTTP receiver has, and each kind's entry point
// (listed by ReceiverKinds() in receiver_kinds.cc).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/fetch/http_headers.h"
#include "daemon/notify/http_post.h"
#include "daemon/notify/receiver.h"

namespace brandmon::notify {

ReceiverKind WebhookKind();
ReceiverKind SlackKind();
ReceiverKind TeamsKind();
ReceiverKind EmailKind();
ReceiverKind AlertmanagerKind();

// A required URL option whose scheme is one of `schemes`. `secret`: the
// value is redacted wherever the config is shown (a webhook URL is its
// token). Errors never quote the value.
template <typename T>
config::OptionSpec<T> UrlOption(std::string key, std::string T::*field, bool secret, std::vector<std::string> schemes,
                                std::string doc) {
  config::OptionSpec<T> spec = secret ? config::Secret<T>(key, field, std::move(doc))
                                      : config::Str<T>(key, config::kRequired, field, std::move(doc));
  spec.info.required = true;
  auto apply = spec.apply;
  spec.apply = [apply, field, schemes](T& out, const config::ConfigValue* v, const std::string& path,
                                       config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr || !v->is_string()) return;
    std::string scheme = UrlScheme(out.*field);
    for (const auto& s : schemes) {
      if (s == scheme) return;
    }
    std::string list;
    for (const auto& s : schemes) list += (list.empty() ? "" : " or ") + s;
    ctx.diag.Error(v->pos(), path, "must be a " + list + " url with a host");
  };
  return spec;
}

// `timeout`, `connect_timeout` and `ca_file`, the options every HTTP
// receiver has.
template <typename T>
void AddHttpOptions(config::OptionTable<T>& table, Duration T::*timeout, Duration T::*connect_timeout,
                    std::string T::*ca_file) {
  table.push_back(config::Dur<T>("timeout", "10s", {"1s", "5m"}, timeout,
                                 "The longest one attempt may take, redirects included; a slower one is retried."));
  table.push_back(config::Dur<T>("connect_timeout", "5s", {"100ms", "1m"}, connect_timeout,
                                 "The longest the connection (and TLS handshake) may take."));
  table.push_back(config::Path<T>("ca_file", "", ca_file,
                                  "A PEM file of the CAs that may sign the server's certificate, instead of the "
                                  "system's (for a server with a private CA). Verification is always on."));
}

// The transport options of an HTTP receiver's options `o`.
template <typename T>
HttpPostOptions PostOptions(const T& o) {
  HttpPostOptions out;
  out.connect_timeout = o.connect_timeout;
  out.timeout = o.timeout;
  out.ca_file = o.ca_file;
  return out;
}

// Whether `name` may be a header name a user sets: an HTTP token, not one
// of `reserved` (the headers the receiver sets itself), nor one that framing
// depends on (Host, Content-Length, Transfer-Encoding, Connection).
bool HeaderNameAllowed(std::string_view name, const std::vector<std::string_view>& reserved);

// An object of extra request headers. Names are checked by
// HeaderNameAllowed(); a value may not hold a line break. Values may carry
// secrets ("${credential:…}"); the values of credential headers
// (Authorization, *-Token, *-Key…, see fetch::IsSecretHeader) are redacted
// in the effective config even when written in clear.
template <typename T>
config::OptionSpec<T> HeadersOption(std::string key, std::map<std::string, std::string> T::*field,
                                    std::vector<std::string_view> reserved, std::string doc) {
  config::OptionSpec<T> spec = config::StrMap<T>(std::move(key), field, std::move(doc));
  auto apply = spec.apply;
  spec.apply = [apply, field, reserved](T& out, const config::ConfigValue* v, const std::string& path,
                                        config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr || !v->is_object()) return;
    for (const auto& m : v->members()) {
      std::string at = config::JoinPath(path, m.key);
      if (!HeaderNameAllowed(m.key, reserved)) {
        ctx.diag.Error(m.key_pos, at, "not a header name that can be set here");
        (out.*field).erase(m.key);
      } else if (m.value.is_string() && m.value.as_string().find_first_of("\r\n", 0, 3) != std::string::npos) {
        ctx.diag.Error(m.value.pos(), at, "must not contain a line break or NUL");
        (out.*field).erase(m.key);
      }
    }
  };
  spec.dump = [key = spec.info.key, field](const T& in, config::JsonWriter& w, const config::Redactor* r) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartObject();
    for (const auto& [name, value] : in.*field) {
      w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      config::WriteString(w, value, r, fetch::IsSecretHeader(name));
    }
    w.EndObject();
  };
  return spec;
}

// A ReceiverKind whose receivers R are made from Options by `table`; `finish`
// (optional) checks across options once they applied without error.
template <typename Options, typename R>
ReceiverKind MakeReceiverKind(
    std::string name, std::string description, const config::OptionTable<Options>& (*table)(),
    std::function<void(Options&, const config::ConfigValue&, const std::string&, config::ApplyContext&)> finish = {}) {
  ReceiverKind kind;
  kind.name = std::move(name);
  kind.description = std::move(description);
  kind.options = config::Infos(table());
  kind.configure = [table, finish](const config::ConfigValue& receiver, const std::string& path,
                                   config::ApplyContext& ctx) {
    size_t errors_before = ctx.diag.errors().size();
    auto options = std::make_shared<Options>();
    config::ApplyOptions(table(), receiver, path, ctx, *options);
    if (finish && receiver.is_object() && ctx.diag.errors().size() == errors_before) {
      finish(*options, receiver, path, ctx);
    }
    ConfiguredReceiver out;
    out.make = [options]() -> std::unique_ptr<Receiver> { return std::make_unique<R>(*options); };
    out.dump_members = [options, table](config::JsonWriter& w, const config::Redactor* r) {
      config::DumpMembers(table(), *options, w, r);
    };
    return out;
  };
  return kind;
}

}  // namespace brandmon::notify

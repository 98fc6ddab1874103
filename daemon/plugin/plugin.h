#pragma once

// The source plugin API: the only engine header a plugin includes, besides
// the basics in daemon/base and the option declarations in daemon/config.

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mention.h"
#include "daemon/base/status.h"

namespace brandmon::plugin {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What an HTTP plugin asks the engine to fetch.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Set by the plugin when the request carries credentials (a configured
  // header, a token in the URL or the body): its redirects are then followed
  // on the same origin only. The fetcher also counts credential-named headers
  // (Authorization, *-Key, *-Token...) and user info in the URL.
  bool credentials = false;
};

// Which addresses an HTTP source may reach: the options `deny_private` and
// `allow_private` every HTTP source has (see AddressRuleTable() and
// docs/plugins.md, "Redirects and private addresses"). Private addresses are
// loopback, link-local (cloud metadata), RFC 1918, CGNAT, unique-local and
// the like.
struct AddressRules {
  // The source's own URL must not reach a private address either.
  bool deny_private = false;
  // No address is refused: redirects may lead to private addresses.
  bool allow_private = false;
};

// What the engine fetched. Header names are lowercase.
struct HttpResponse {
  int status = 0;
  std::string url;  // after redirects
  Headers headers;
  std::string body;

  // The first header named `name` (lowercase), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The charset parameter of Content-Type, lowercase, or "".
  std::string Charset() const;
};

// Key-value state a source keeps across polls and restarts: cursors, the
// `since` high-water mark, read offsets. The engine persists it; a plugin
// changes it only in Parse() or Poll().
using SourceState = std::map<std::string, std::string>;

// Receives what a plugin produces during one Parse() or Poll(). Not
// thread-safe; owned by the caller.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Emit(Mention mention) = 0;
  // Recoverable damage: the item or field was skipped or repaired.
  virtual void Warn(std::string message) = 0;
};

// Handed to Start(): what a plugin may use during its life.
struct PluginContext {
  std::string source_name;
  const Clock* clock = nullptr;
  std::shared_ptr<spdlog::logger> logger;
  // The caps the engine applies to every mention (NormalizeMention); a
  // plugin that reads large documents may stop reading a field beyond them.
  MentionLimits limits{};
};

// Base of all plugins. Constructed with validated options and no I/O;
// Start() once before use; Stop() may be called from another thread and only
// interrupts blocking work; the destructor frees resources.
class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual Status Start(PluginContext& /*ctx*/) { return Status::Ok(); }
  virtual void Stop() {}
};

// A plugin whose data comes over HTTP. It does no I/O: the engine fetches
// what NextRequest() asks for and hands the bytes to Parse(), so the plugin is
// a pure function of its inputs. Owned by the engine thread.
class HttpPlugin : public Plugin {
 public:
  // The request for page `page` (0 = first of this poll) given the current
  // state; nullopt when there is nothing more to fetch in this poll.
  // Errors: InvalidArgument when the options cannot form a request.
  virtual Result<std::optional<HttpRequest>> NextRequest(const SourceState& state, int page) = 0;
  // Turns one response into mentions, updating `state` (cursor, since).
  // Errors: Corrupt when the body cannot be used at all (with position).
  virtual Status Parse(const HttpResponse& response, Sink& sink, SourceState& state) = 0;
};

// A plugin that produces mentions itself when polled (exec, file). The
// engine's scheduler calls Poll() on one of its poll threads, one poll of a
// source at a time, with a copy of the source's state that it takes back
// afterwards; Stop() may come from another thread to interrupt a Poll() in
// progress. It never creates threads or timers of its own and never touches
// the store.
class PollPlugin : public Plugin {
 public:
  virtual Status Poll(Sink& sink, SourceState& state) = 0;
};

}  // namespace brandmon::plugin

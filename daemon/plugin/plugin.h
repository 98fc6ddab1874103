#pragma once

// The source plugin API: the only daemon header a plugin includes, besides
// the basics in daemon/base (Sink, HttpRequest and HttpResponse live there, so
// that the feed parser and the fetcher can use them without this API) and the
// option declarations in daemon/config.

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/http_message.h"
#include "daemon/base/mention.h"
#include "daemon/base/sink.h"
#include "daemon/base/status.h"

namespace brandmon::plugin {

// Key-value state a source keeps across polls and restarts: cursors, the
// `since` high-water mark, read offsets. The scheduler persists it; a plugin
// changes it only in Parse() or Poll().
using SourceState = std::map<std::string, std::string>;

// Handed to Start(): what a plugin may use during its life.
struct PluginContext {
  std::string source_name;
  const Clock* clock = nullptr;
  std::shared_ptr<spdlog::logger> logger;
  // The caps the scheduler applies to every mention (NormalizeMention); a
  // plugin that reads large documents may stop reading a field beyond them.
  MentionLimits limits{};
  // The source's `channel` option: empty for the plugin's default.
  std::string channel{};
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

// A plugin whose data comes over HTTP. It does no I/O: the scheduler fetches
// what NextRequest() asks for and hands the bytes to Parse(), so the plugin is
// a pure function of its inputs. Owned by the scheduler thread.
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
// scheduler calls Poll() on one of its poll threads, one poll of a
// source at a time, with a copy of the source's state that it takes back
// afterwards; Stop() may come from another thread to interrupt a Poll() in
// progress. It never creates threads or timers of its own and never touches
// the store.
class PollPlugin : public Plugin {
 public:
  virtual Status Poll(Sink& sink, SourceState& state) = 0;
};

}  // namespace brandmon::plugin

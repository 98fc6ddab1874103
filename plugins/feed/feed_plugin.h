#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::plugin {

// Options of a `feed` source.
struct FeedOptions {
  std::string preset;
  std::string url;
  std::string query;
  std::string format;
  std::string channel;
  int64_t max_items = 200;
};

const config::OptionTable<FeedOptions>& FeedOptionTable();

// The `feed` source: fetches one RSS/Atom/RDF/JSON Feed URL per poll and
// turns the response into Mentions with feedparse::ParseFeed(), resolving relative
// links against the final URL and honouring the HTTP charset. Does no I/O.
// Owned by the scheduler thread.
class FeedPlugin final : public HttpPlugin {
 public:
  explicit FeedPlugin(FeedOptions options) : options_(std::move(options)) {}

  Status Start(PluginContext& ctx) override;
  // Page 0 is a GET of the url (with {query} filled in); there is no page 1.
  Result<std::optional<HttpRequest>> NextRequest(const SourceState& state, int page) override;
  // Errors: Corrupt when the body is not a usable feed (see feedparse::ParseFeed).
  Status Parse(const HttpResponse& response, Sink& sink, SourceState& state) override;

 private:
  FeedOptions options_;
  std::string source_name_;
  MentionLimits limits_;
};

class Registry;
// Adds the `feed` plugin to `registry` (called from the generated plugin list).
void RegisterPlugin_feed(Registry& registry);

}  // namespace brandmon::plugin

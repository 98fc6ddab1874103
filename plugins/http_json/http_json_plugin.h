#pragma once

#include <rapidjson/pointer.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::plugin {

// Options of an `http_json` source, usually filled from a preset
// (conf/presets/<name>.json) and completed by the user's query and token.
struct HttpJsonOptions {
  std::string preset;
  std::string url;
  std::string method;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string token;
  std::string query;
  std::string items;
  std::map<std::string, std::string> fields;
  std::vector<std::string> html_fields;
  std::string url_template;
  std::map<std::string, std::string> metrics;
  std::string time_format;
  std::string join_items;
  std::string join_key;
  std::string join_on;
  std::string next_cursor;
  std::string cursor_param;
  int64_t max_pages = 1;
  std::string since_from;
  std::string since_pointer;
  std::string since_format;
  std::string since_default;
  std::string default_channel;
  std::string default_kind;
};

const config::OptionTable<HttpJsonOptions>& HttpJsonOptionTable();

// The `http_json` source: a generic JSON API. Builds GET or POST requests
// from URL/body templates ({query}, {since}, {cursor}, {token}, {date},
// {date:-N}), reads the items at a JSON Pointer and maps each Mention field
// by JSON Pointer, follows a next-cursor pointer for up to max_pages pages
// and keeps the `since` high-water mark in the source state. Parses with
// RapidJSON's iterative parser, so hostile nesting cannot exhaust the stack.
// Does no I/O. Owned by the scheduler thread.
class HttpJsonPlugin final : public HttpPlugin {
 public:
  explicit HttpJsonPlugin(HttpJsonOptions options);

  Status Start(PluginContext& ctx) override;
  // Page 0 is the first request of a poll; page N>0 exists while the last
  // response gave a cursor and N < max_pages.
  Result<std::optional<HttpRequest>> NextRequest(const SourceState& state, int page) override;
  // Errors: Corrupt "invalid json at byte N: ..." or when the items are not
  // an array or object. Items without an id are skipped with a warning.
  Status Parse(const HttpResponse& response, Sink& sink, SourceState& state) override;

  // For tests and `brandmonctl fetch`: the clock used by {date}.
  void SetClock(const Clock* clock) { clock_ = clock; }

 private:
  struct Field {
    std::vector<rapidjson::Pointer> alternatives;  // first non-empty wins
    std::vector<bool> from_join;
  };
  Field Compile(const std::string& spec) const;
  std::string Expand(const std::string& tmpl, const SourceState& state, int page, bool json) const;
  // The Mention of the `index`th item (`joined`: its match in join_items),
  // or nullopt with a warning when it has no id.
  std::optional<Mention> ReadItem(const rapidjson::Value& item, const rapidjson::Value* joined, size_t index,
                                  Sink& sink) const;
  // Raises pending_since_ to `m` when it is newer.
  void NoteSince(const Mention& m);
  // After a page: the cursor of the next one, and `since` once the last is read.
  void AdvanceState(const rapidjson::Value& doc, const std::string& since, SourceState& state);

  HttpJsonOptions options_;
  std::string source_name_;
  const Clock* clock_ = nullptr;
  rapidjson::Pointer items_;
  std::map<std::string, Field> fields_;
  std::map<std::string, Field> metrics_;
  std::optional<rapidjson::Pointer> join_items_, join_key_, join_on_, next_cursor_, since_pointer_;
  // Within one poll: the page being parsed and the newest `since` seen.
  int page_ = 0;
  std::string pending_since_;
};

class Registry;
// Adds the `http_json` plugin to `registry` (called from the generated plugin list).
void RegisterPlugin_http_json(Registry& registry);

}  // namespace brandmon::plugin

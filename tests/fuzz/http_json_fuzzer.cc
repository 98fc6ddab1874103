// Fuzzes the http_json mapper (plugins/http_json): any response body, under
// a few source configurations (items, fields, joins, metrics, a next-page
// cursor and a since mark), must parse or fail cleanly, and the Mentions it
// yields must carry an id and survive the JSON Lines round trip.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mention.h"
#include "daemon/config/json_reader.h"
#include "daemon/plugin/registry.h"
#include "plugins/http_json/http_json_plugin.h"

namespace {

using brandmon::Mention;
namespace plugin = brandmon::plugin;

constexpr const char* kConfigs[] = {
    R"({"url": "https://api.example/search?q={query}&after={cursor}", "query": "acme", "items": "/data/children",
        "fields": {"id": "/data/id", "text": "/data/selftext", "title": "/data/title", "author": "/data/author",
                   "url": "/data/url", "published": "/data/created_utc"},
        "metrics": {"likes": "/data/score", "replies": "/data/num_comments"},
        "next_cursor": "/data/after", "cursor_param": "after", "max_pages": 3})",
    R"({"url": "https://api.example/2/search?since_id={since}", "items": "/data",
        "fields": {"id": "/id", "text": "/text", "author": "/author_id", "published": "/created_at"},
        "html_fields": ["text"], "join_items": "/includes/users", "join_key": "/id", "join_on": "/author_id",
        "since_from": "response", "since_pointer": "/meta/newest_id", "next_cursor": "/meta/next_token",
        "max_pages": 2})",
    R"({"url": "https://api.example/reviews", "items": "/", "html_fields": ["text"],
        "fields": {"id": "/id", "text": "/content", "title": "/title", "author": "/user/name", "lang": "/lang"},
        "metrics": {"rating": "/rating", "followers": "/user/followers"}})",
};

struct Source {
  std::unique_ptr<plugin::HttpJsonPlugin> plugin;
};

// Configures the sources once, through the registry as the config layer does;
// a configuration the plugin rejects is skipped.
const std::vector<Source>& Sources() {
  static const std::vector<Source>* sources = [] {
    auto* out = new std::vector<Source>;
    static const brandmon::SystemClock clock;
    plugin::Registry registry;
    plugin::RegisterPlugin_http_json(registry);
    for (const char* text : kConfigs) {
      auto value = brandmon::config::ParseConfigText(text, "fuzz.json");
      if (!value.ok()) std::abort();
      brandmon::config::Diagnostics diag;
      brandmon::config::ApplyContext ctx{diag, nullptr};
      plugin::ConfiguredPlugin cp = registry.Find("http_json")->configure(*value, "sources[0]", ctx);
      if (!diag.ok()) continue;
      Source s;
      s.plugin.reset(static_cast<plugin::HttpJsonPlugin*>(cp.make().release()));
      s.plugin->SetClock(&clock);
      plugin::PluginContext pctx{"fuzz", &clock, nullptr};
      if (!s.plugin->Start(pctx).ok()) continue;
      out->push_back(std::move(s));
    }
    if (out->empty()) std::abort();
    return out;
  }();
  return *sources;
}

class CheckingSink final : public brandmon::Sink {
 public:
  void Emit(Mention m) override {
    if (m.id.empty()) std::abort();
    auto back = brandmon::MentionFromJson(brandmon::MentionToJson(m));
    if (!back.ok() || back->id != m.id || back->text != m.text) std::abort();
  }
  void Warn(std::string) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& sources = Sources();
  brandmon::HttpResponse response;
  response.status = 200;
  response.headers = {{"content-type", "application/json"}};
  response.body.assign(reinterpret_cast<const char*>(data), size);
  const Source& source = sources[size % sources.size()];
  plugin::SourceState state;
  CheckingSink sink;
  // Two pages of one poll: the second sees the cursor the first left.
  for (int page = 0; page < 2; ++page) {
    auto request = source.plugin->NextRequest(state, page);
    if (!request.ok() || !request->has_value()) break;
    if (!source.plugin->Parse(response, sink, state).ok()) break;
  }
  return 0;
}

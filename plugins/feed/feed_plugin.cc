#include "plugins/feed/feed_plugin.h"

#include <string_view>

#include "daemon/feedparse/feed_parser.h"
#include "daemon/feedparse/feed_url.h"
#include "daemon/plugin/registry.h"

namespace brandmon::plugin {

namespace {

// The url with every {query} replaced by the URL-encoded query.
std::string ExpandUrl(const FeedOptions& o) {
  static constexpr std::string_view kPlaceholder = "{query}";
  std::string out;
  size_t start = 0;
  for (size_t at; (at = o.url.find(kPlaceholder, start)) != std::string::npos; start = at + kPlaceholder.size()) {
    out.append(o.url, start, at - start);
    out += feedparse::PercentEncode(o.query);
  }
  out.append(o.url, start, std::string::npos);
  return out;
}

}  // namespace

const config::OptionTable<FeedOptions>& FeedOptionTable() {
  using config::Enum;
  using config::Int;
  using config::Str;
  static const config::OptionTable<FeedOptions> table = {
      Str<FeedOptions>("preset", "", &FeedOptions::preset,
                       "Name of a feed preset in the presets folder (e.g. \"youtube_channel_rss\") or a path to "
                       "one; its options are defaults the source's own options override."),
      Str<FeedOptions>("url", "", &FeedOptions::url,
                       "Feed URL (http or https); {query} is replaced by the URL-encoded query. Required (here or "
                       "in the preset)."),
      Str<FeedOptions>("query", "", &FeedOptions::query, "Value for {query} in the url (e.g. a channel id)."),
      Enum<FeedOptions>("format", "auto", {"auto", "rss", "atom", "rdf", "jsonfeed"}, &FeedOptions::format,
                        "Feed format; auto detects RSS, RDF, Atom and JSON Feed from the document."),
      Str<FeedOptions>("channel", "", &FeedOptions::channel,
                       "Mention channel; empty derives it from the feed's host (youtube, reddit, "
                       "google_alerts, hackernews), else rss."),
      Int<FeedOptions>("max_items", 200, {1, 10000}, &FeedOptions::max_items,
                       "Mentions kept per poll (the first ones in document order)."),
  };
  return table;
}

Status FeedPlugin::Start(PluginContext& ctx) {
  source_name_ = ctx.source_name;
  limits_ = ctx.limits;
  return Status::Ok();
}

Result<std::optional<HttpRequest>> FeedPlugin::NextRequest(const SourceState& /*state*/, int page) {
  if (page > 0) return std::optional<HttpRequest>();
  HttpRequest request;
  request.url = ExpandUrl(options_);
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("feed url must be http or https: \"" + request.url + "\"");
  }
  request.headers.emplace_back("Accept",
                               "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
                               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5");
  return std::optional<HttpRequest>(std::move(request));
}

Status FeedPlugin::Parse(const HttpResponse& response, Sink& sink, SourceState& /*state*/) {
  feedparse::FeedParseOptions opts;
  opts.format = feedparse::FeedFormatFromName(options_.format).value_or(feedparse::FeedFormat::kAuto);
  opts.base_url = response.url.empty() ? ExpandUrl(options_) : response.url;
  opts.charset = response.Charset();
  opts.source = source_name_;
  opts.channel = options_.channel;
  opts.max_items = static_cast<size_t>(options_.max_items);
  opts.limits = limits_;
  return feedparse::ParseFeed(response.body, opts, sink).WithContext(opts.base_url);
}

namespace {

// The url (given or from the preset) is a usable template.
void CheckUrl(FeedOptions& options, const config::ConfigValue& /*source*/, const config::ConfigValue& merged,
              const std::string& path, config::ApplyContext& ctx) {
  const config::ConfigValue* url = merged.Find("url");
  if (options.url.empty()) {
    ctx.diag.Error(merged.pos(), path, "missing required option 'url' (give it or a 'preset')");
  } else if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    ctx.diag.Error(
        url ? url->pos() : merged.pos(), config::JoinPath(path, "url"),
        "must start with http:// or https://, got " + (url ? config::Describe(*url) : "\"" + options.url + "\""));
  } else if (options.url.find("{query}") != std::string::npos && options.query.empty()) {
    ctx.diag.Error(merged.pos(), config::JoinPath(path, "query"), "the url uses {query}: set 'query'");
  }
}

}  // namespace

void RegisterPlugin_feed(Registry& registry) {
  registry.Register(MakePluginInfo<FeedOptions, FeedPlugin>(
      "feed", "RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.x over HTTP; see conf/presets/",
      PluginInfo::Kind::kHttp, &FeedOptionTable, {.presets = true, .preset_merged_objects = {}, .finish = &CheckUrl}));
}

}  // namespace brandmon::plugin

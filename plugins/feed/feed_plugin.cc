#include "plugins/feed/feed_plugin.h"

#include "daemon/feed/feed_parser.h"
#include "daemon/plugin/registry.h"

namespace brandmon::plugin {

const config::OptionTable<FeedOptions>& FeedOptionTable() {
  using config::Enum;
  using config::Int;
  using config::Str;
  static const config::OptionTable<FeedOptions> table = {
      Str<FeedOptions>("url", config::kRequired, &FeedOptions::url, "Feed URL (http or https)."),
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
  return Status::Ok();
}

Result<std::optional<HttpRequest>> FeedPlugin::NextRequest(const SourceState& /*state*/, int page) {
  if (page > 0) return std::optional<HttpRequest>();
  if (options_.url.rfind("http://", 0) != 0 && options_.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("feed url must be http or https: \"" + options_.url + "\"");
  }
  HttpRequest request;
  request.url = options_.url;
  request.headers.emplace_back("Accept",
                               "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
                               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5");
  return std::optional<HttpRequest>(std::move(request));
}

Status FeedPlugin::Parse(const HttpResponse& response, Sink& sink, SourceState& /*state*/) {
  feed::FeedParseOptions opts;
  opts.format = feed::FeedFormatFromName(options_.format).value_or(feed::FeedFormat::kAuto);
  opts.base_url = response.url.empty() ? options_.url : response.url;
  opts.charset = response.Charset();
  opts.source = source_name_;
  opts.channel = options_.channel;
  opts.max_items = static_cast<size_t>(options_.max_items);
  return feed::ParseFeed(response.body, opts, sink).WithContext(opts.base_url);
}

void RegisterPlugin_feed(Registry& registry) {
  registry.Register(MakePluginInfo<FeedOptions, FeedPlugin>(
      "feed", "RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.x over HTTP", PluginInfo::Kind::kHttp,
      &FeedOptionTable));
}

}  // namespace brandmon::plugin

#include "plugins/http_json/http_json_plugin.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"
#include "daemon/config/json_reader.h"
#include "daemon/feedparse/feed_date.h"
#include "daemon/feedparse/feed_text.h"
#include "daemon/feedparse/feed_url.h"
#include "daemon/plugin/registry.h"

namespace brandmon::plugin {

namespace {

using rapidjson::Value;

const char* const kFieldNames[] = {"id", "url", "title", "text", "author", "published", "reply_to"};

// For URLs built from item values: only what cannot appear in a URL is
// encoded, so that a permalink's slashes survive.
std::string UrlEncodeLoose(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"<>`{}|\\^").find(static_cast<char>(c)) != std::string_view::npos) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string JsonEscape(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  std::string quoted(buf.GetString(), buf.GetSize());
  return quoted.substr(1, quoted.size() - 2);
}

// Drops "name=" pairs with an empty value from the query string, so that a
// template's "&since_id={since}" disappears until there is a since.
std::string DropEmptyParams(const std::string& url) {
  size_t q = url.find('?');
  if (q == std::string::npos) return url;
  std::string out = url.substr(0, q);
  std::string kept;
  size_t start = q + 1;
  while (start <= url.size()) {
    size_t end = url.find('&', start);
    if (end == std::string::npos) end = url.size();
    std::string pair = url.substr(start, end - start);
    if (!pair.empty() && pair.back() != '=') kept += (kept.empty() ? "" : "&") + pair;
    start = end + 1;
  }
  return kept.empty() ? out : out + "?" + kept;
}

std::string ValueText(const Value* v) {
  if (v == nullptr) return "";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  if (v->IsDouble()) {
    double d = v->GetDouble();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    return std::to_string(d);
  }
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  return "";
}

std::optional<WallTime> ParseTime(const Value* v, const std::string& format) {
  if (v == nullptr || v->IsNull()) return std::nullopt;
  std::optional<double> number;
  if (v->IsNumber()) number = v->GetDouble();
  if (v->IsString() && format != "rfc3339") {
    char* end = nullptr;
    double d = std::strtod(v->GetString(), &end);
    if (end != v->GetString() && *end == '\0') number = d;
  }
  if (number) {
    if (format == "rfc3339") return std::nullopt;
    bool ms = format == "epoch_ms" || (format == "auto" && std::fabs(*number) > 1e11);
    double millis = ms ? *number : *number * 1000;
    // Years 1678-2261 are what WallTime holds; anything else is a bad value, not a time.
    if (!std::isfinite(millis) || std::fabs(millis) > 9.2e12) return std::nullopt;
    return FromUnixMillis(static_cast<int64_t>(millis));
  }
  if (!v->IsString()) return std::nullopt;
  if (auto t = ParseRfc3339(v->GetString())) return t;
  return feedparse::ParseFeedDate(v->GetString());
}

std::string FormatSince(WallTime t, const std::string& format) {
  if (format == "epoch_s") return std::to_string(ToUnixMillis(t) / 1000);
  if (format == "epoch_ms") return std::to_string(ToUnixMillis(t));
  return FormatRfc3339(t);
}

std::optional<WallTime> SinceTime(const std::string& since, const std::string& format) {
  if (since.empty()) return std::nullopt;
  if (format == "rfc3339") return ParseRfc3339(since);
  char* end = nullptr;
  long long n = std::strtoll(since.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return FromUnixMillis(format == "epoch_s" ? n * 1000 : n);
}

// Numeric ids (snowflakes) compare by length, then digits.
bool IdGreater(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() > b.size();
  return a > b;
}

std::string DateVar(const Clock* clock, int offset_days) {
  WallTime now = (clock ? clock->Now() : std::chrono::system_clock::now()) + std::chrono::hours(24 * offset_days);
  std::string r = FormatRfc3339(now);  // 2026-01-01T...
  return r.substr(0, 4) + r.substr(5, 2) + r.substr(8, 2);
}

// "" and the names of the channel kinds.
std::vector<std::string> KindChoices() {
  std::vector<std::string> choices = {""};
  choices.insert(choices.end(), ChannelKindNames().begin(), ChannelKindNames().end());
  return choices;
}

}  // namespace

const config::OptionTable<HttpJsonOptions>& HttpJsonOptionTable() {
  using O = HttpJsonOptions;
  using namespace config;
  static const OptionTable<O> table = {
      Str<O>("preset", "", &O::preset,
             "Name of a preset in the presets folder (e.g. \"reddit_search\") or a path to one; its options are "
             "defaults the source's own options override."),
      Str<O>("url", "", &O::url,
             "Request URL template; {query}, {since}, {cursor}, {token}, {date}, {date:-N} are URL-encoded. Query "
             "parameters left empty are dropped. Required (here or in the preset)."),
      Enum<O>("method", "GET", {"GET", "POST"}, &O::method, "HTTP method."),
      Str<O>("body", "", &O::body, "POST body template (JSON); placeholders are JSON-escaped."),
      StrMap<O>("headers", &O::headers, "Request headers; values may use {token}. Never logged."),
      Secret<O>("token", &O::token, "API token for {token}, usually \"${env:NAME}\" or \"${credential:NAME}\"."),
      Str<O>("query", "", &O::query, "Search terms for {query}."),
      Str<O>("items", "", &O::items, "JSON Pointer to the array of items (\"\" = the document itself)."),
      StrMap<O>("fields", &O::fields,
                "Mention field -> JSON Pointer in an item (id, url, title, text, author, published, reply_to: "
                "the account the item answers). "
                "\"a | b\" takes the first non-empty; \"join:/p\" reads the joined object."),
      StrList<O>("html_fields", &O::html_fields, "Fields holding HTML, turned into plain text."),
      Str<O>("url_template", "", &O::url_template,
             "Builds the url when the item has none: {id}, {/pointer} and {/pointer#last} (last path segment)."),
      StrMap<O>("metrics", &O::metrics, "Metric name -> JSON Pointer (likes, shares, replies, followers, rating)."),
      Enum<O>("time_format", "auto", {"auto", "rfc3339", "epoch_s", "epoch_ms"}, &O::time_format,
              "How `published` is written; auto tells RFC 3339 and epoch seconds/milliseconds apart."),
      Str<O>("join_items", "", &O::join_items, "JSON Pointer to objects joined to items, e.g. /includes/users."),
      Str<O>("join_key", "/id", &O::join_key, "Pointer to the key inside each joined object."),
      Str<O>("join_on", "", &O::join_on, "Pointer inside an item whose value is the joined key, e.g. /author_id."),
      Str<O>("next_cursor", "", &O::next_cursor, "JSON Pointer to the next page's cursor in a response."),
      Str<O>("cursor_param", "", &O::cursor_param,
             "Query parameter (GET) or top-level body member (POST) that carries the cursor on later pages."),
      Int<O>("max_pages", 1, {1, 20}, &O::max_pages, "Pages fetched per poll at most."),
      Enum<O>("since_from", "none", {"none", "published", "id", "response"}, &O::since_from,
              "Where the {since} high-water mark comes from: the newest published time, the largest id, or "
              "since_pointer in the first response."),
      Str<O>("since_pointer", "", &O::since_pointer, "JSON Pointer of the high-water mark (since_from: response)."),
      Enum<O>("since_format", "rfc3339", {"rfc3339", "epoch_s", "epoch_ms"}, &O::since_format,
              "How a published-time high-water mark is written into {since}."),
      Str<O>("since_default", "", &O::since_default, "{since} before the first successful poll."),
      Str<O>("default_channel", "", &O::default_channel,
             "Channel of the mentions when the source sets no `channel` (reddit, youtube...)."),
      Enum<O>("default_kind", "", KindChoices(), &O::default_kind,
              "Kind of channel of the mentions when the source sets no `kind` (social, review, forum, news, blog, "
              "video). Empty: from the channel."),
  };
  return table;
}

HttpJsonPlugin::HttpJsonPlugin(HttpJsonOptions options) : options_(std::move(options)), items_(options_.items.c_str()) {
  for (const auto& [name, spec] : options_.fields) fields_[name] = Compile(spec);
  for (const auto& [name, spec] : options_.metrics) metrics_[name] = Compile(spec);
  auto opt = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<rapidjson::Pointer>(rapidjson::Pointer(s.c_str()));
  };
  if (!options_.join_items.empty() && !options_.join_on.empty()) {
    join_items_ = opt(options_.join_items);
    join_key_ = rapidjson::Pointer(options_.join_key.c_str());
    join_on_ = opt(options_.join_on);
  }
  next_cursor_ = opt(options_.next_cursor);
  since_pointer_ = opt(options_.since_pointer);
}

HttpJsonPlugin::Field HttpJsonPlugin::Compile(const std::string& spec) const {
  Field f;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t bar = spec.find('|', start);
    if (bar == std::string::npos) bar = spec.size();
    std::string part = spec.substr(start, bar - start);
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    bool joined = part.rfind("join:", 0) == 0;
    if (joined) part = part.substr(5);
    f.alternatives.emplace_back(part.c_str());
    f.from_join.push_back(joined);
    start = bar + 1;
  }
  return f;
}

Status HttpJsonPlugin::Start(PluginContext& ctx) {
  source_name_ = ctx.source_name;
  if (clock_ == nullptr) clock_ = ctx.clock;
  return Status::Ok();
}

std::string HttpJsonPlugin::Expand(const std::string& tmpl, const SourceState& state, int page, bool json) const {
  auto lookup = [&](const std::string& key) -> std::string {
    auto get = [&](const char* k) {
      auto it = state.find(k);
      return it == state.end() ? std::string() : it->second;
    };
    if (key == "query") return options_.query;
    if (key == "token") return options_.token;
    if (key == "since") {
      std::string s = get("since");
      return s.empty() ? options_.since_default : s;
    }
    if (key == "cursor") return page > 0 ? get("cursor") : "";
    if (key == "date") return DateVar(clock_, 0);
    if (key.rfind("date:", 0) == 0) return DateVar(clock_, std::atoi(key.c_str() + 5));
    return "{" + key + "}";
  };
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string::npos;
    std::string key = close != std::string::npos ? tmpl.substr(i + 1, close - i - 1) : "";
    bool known = key == "query" || key == "token" || key == "since" || key == "cursor" || key == "date" ||
                 key.rfind("date:", 0) == 0;
    if (!known) {
      out += tmpl[i];
      continue;
    }
    std::string value = lookup(key);
    out += json ? JsonEscape(value) : value;
    i = close;
  }
  return out;
}

Result<std::optional<HttpRequest>> HttpJsonPlugin::NextRequest(const SourceState& state, int page) {
  if (page >= options_.max_pages) return std::optional<HttpRequest>();
  auto cursor = state.find("cursor");
  bool have_cursor = cursor != state.end() && !cursor->second.empty();
  if (page > 0 && !have_cursor) return std::optional<HttpRequest>();
  if (page == 0) pending_since_.clear();
  page_ = page;
  HttpRequest r;
  r.method = options_.method;
  // The URL is expanded piecewise so that only placeholder values are encoded.
  std::string url;
  const std::string& raw = options_.url;
  for (size_t i = 0; i < raw.size(); ++i) {
    size_t close = raw[i] == '{' ? raw.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      url += raw[i];
      continue;
    }
    std::string piece = raw.substr(i, close - i + 1);
    std::string value = Expand(piece, state, page, false);
    url += value == piece ? piece : feedparse::PercentEncode(value);
    i = close;
  }
  if (page > 0 && !options_.cursor_param.empty() && r.method == "GET") {
    url += (url.find('?') == std::string::npos ? "?" : "&") + options_.cursor_param + "=" +
           feedparse::PercentEncode(cursor->second);
  }
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("url must be http or https: \"" + url.substr(0, url.find('?')) + "\"");
  }
  r.url = DropEmptyParams(url);
  if (r.method == "POST") {
    r.body = Expand(options_.body, state, page, true);
    if (page > 0 && !options_.cursor_param.empty()) {
      rapidjson::Document body;
      body.Parse(r.body.c_str(), r.body.size());
      if (body.HasParseError() || !body.IsObject()) {
        return Status::InvalidArgument("body template is not a JSON object once expanded");
      }
      Value name(options_.cursor_param.c_str(), body.GetAllocator());
      Value value;
      char* end = nullptr;
      long long n = std::strtoll(cursor->second.c_str(), &end, 10);
      if (*end == '\0') {
        value.SetInt64(n);
      } else {
        value.SetString(cursor->second.c_str(), body.GetAllocator());
      }
      body.RemoveMember(name);
      body.AddMember(name, value, body.GetAllocator());
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      body.Accept(w);
      r.body.assign(buf.GetString(), buf.GetSize());
    }
    r.headers.emplace_back("Content-Type", "application/json");
  }
  r.headers.emplace_back("Accept", "application/json");
  for (const auto& [name, value] : options_.headers) r.headers.emplace_back(name, Expand(value, state, page, false));
  // Configured headers are where APIs take keys, whatever their names; a
  // token may also sit in the URL or the body. Such requests keep their
  // redirects on their origin.
  r.credentials = !options_.headers.empty() || options_.url.find("{token}") != std::string::npos ||
                  (r.method == "POST" && options_.body.find("{token}") != std::string::npos);
  return std::optional<HttpRequest>(std::move(r));
}

namespace {

struct ItemContext {
  const Value* item;
  const Value* joined;
};

std::string ReadField(const std::vector<rapidjson::Pointer>& alts, const std::vector<bool>& from_join,
                      const ItemContext& ctx, const Value** raw = nullptr) {
  for (size_t i = 0; i < alts.size(); ++i) {
    const Value* base = from_join[i] ? ctx.joined : ctx.item;
    if (base == nullptr || !alts[i].IsValid()) continue;
    const Value* v = alts[i].Get(*base);
    std::string text = ValueText(v);
    if (!text.empty()) {
      if (raw) *raw = v;
      return text;
    }
  }
  return "";
}

std::string ExpandUrlTemplate(const std::string& tmpl, const std::string& id, const Value& item) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += tmpl[i];
      continue;
    }
    std::string key = tmpl.substr(i + 1, close - i - 1);
    std::string value;
    if (key == "id") {
      value = id;
    } else if (!key.empty() && key[0] == '/') {
      bool last = key.size() > 5 && key.compare(key.size() - 5, 5, "#last") == 0;
      if (last) key.resize(key.size() - 5);
      value = ValueText(rapidjson::Pointer(key.c_str()).Get(item));
      if (last) value = value.substr(value.rfind('/') + 1);
    }
    out += UrlEncodeLoose(value);
    i = close;
  }
  return out;
}

}  // namespace

std::optional<Mention> HttpJsonPlugin::ReadItem(const Value& item, const Value* joined, size_t index,
                                                Sink& sink) const {
  ItemContext ctx{&item, joined};
  Mention m;
  std::map<std::string, std::string> values;
  const Value* published_raw = nullptr;
  for (const auto& [name, field] : fields_) {
    values[name] = ReadField(field.alternatives, field.from_join, ctx, name == "published" ? &published_raw : nullptr);
  }
  m.id = values["id"];
  if (m.id.empty()) {
    sink.Warn("item " + std::to_string(index) + " has no id, skipped");
    return std::nullopt;
  }
  for (const auto& h : options_.html_fields) {
    if (values.count(h)) values[h] = feedparse::HtmlToText(values[h]);
  }
  m.url = values["url"];
  if (m.url.empty() && !options_.url_template.empty()) m.url = ExpandUrlTemplate(options_.url_template, m.id, item);
  m.title = feedparse::CollapseWhitespace(values["title"]);
  m.text = feedparse::CollapseWhitespace(values["text"]);
  m.author = values["author"];
  m.reply_to = values["reply_to"];
  if (published_raw) {
    m.published = ParseTime(published_raw, options_.time_format);
    if (!m.published) sink.Warn("item " + m.id + ": unreadable time \"" + values["published"] + "\"");
  }
  for (const auto& [name, field] : metrics_) {
    std::string v = ReadField(field.alternatives, field.from_join, ctx);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (!v.empty() && *end == '\0' && std::isfinite(d)) m.SetMetric(name, d);
  }
  m.source = source_name_;
  m.channel = options_.default_channel;
  m.kind = ParseChannelKind(options_.default_kind).value_or(ChannelKind::kUnknown);
  return m;
}

void HttpJsonPlugin::NoteSince(const Mention& m) {
  if (options_.since_from == "published" && m.published) {
    std::string s = FormatSince(*m.published, options_.since_format);
    auto cur = SinceTime(pending_since_, options_.since_format);
    if (!cur || *m.published > *cur) pending_since_ = s;
  } else if (options_.since_from == "id" && (pending_since_.empty() || IdGreater(m.id, pending_since_))) {
    pending_since_ = m.id;
  }
}

void HttpJsonPlugin::AdvanceState(const Value& doc, const std::string& since, SourceState& state) {
  if (options_.since_from == "response" && since_pointer_ && page_ == 0) {
    pending_since_ = ValueText(since_pointer_->Get(doc));
  }
  std::string next = next_cursor_ ? ValueText(next_cursor_->Get(doc)) : "";
  if (next.empty() || next == state["cursor"]) {
    state.erase("cursor");
  } else {
    state["cursor"] = next;
  }
  bool last_page = !state.count("cursor") || page_ + 1 >= options_.max_pages;
  if (last_page && !pending_since_.empty()) {
    bool newer = true;
    if (!since.empty()) {
      if (options_.since_from == "published") {
        auto a = SinceTime(pending_since_, options_.since_format), b = SinceTime(since, options_.since_format);
        newer = a && (!b || *a > *b);
      } else if (options_.since_from == "id") {
        newer = IdGreater(pending_since_, since);
      }
    }
    if (newer) state["since"] = pending_since_;
  }
}

Status HttpJsonPlugin::Parse(const HttpResponse& response, Sink& sink, SourceState& state) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError()) {
    return Status::Corrupt("invalid json at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  const Value* items = items_.IsValid() ? items_.Get(doc) : nullptr;
  std::vector<const Value*> list;
  if (items != nullptr && items->IsArray()) {
    for (const auto& v : items->GetArray()) list.push_back(&v);
  } else if (items != nullptr && items->IsObject()) {
    list.push_back(items);
  } else if (items != nullptr && !items->IsNull()) {
    return Status::Corrupt("items at \"" + options_.items + "\" are not an array or object");
  }
  std::unordered_map<std::string, const Value*> joined;
  if (join_items_) {
    if (const Value* arr = join_items_->Get(doc); arr && arr->IsArray()) {
      for (const auto& v : arr->GetArray()) {
        std::string key = ValueText(join_key_->Get(v));
        if (!key.empty()) joined.emplace(key, &v);
      }
    }
  }
  std::string since = state.count("since") ? state.at("since") : "";
  size_t index = 0;
  for (const Value* item : list) {
    ++index;
    if (!item->IsObject()) {
      sink.Warn("item " + std::to_string(index) + " is not an object, skipped");
      continue;
    }
    const Value* join = nullptr;
    if (join_on_) {
      auto it = joined.find(ValueText(join_on_->Get(*item)));
      if (it != joined.end()) join = it->second;
    }
    std::optional<Mention> m = ReadItem(*item, join, index, sink);
    if (!m) continue;
    NoteSince(*m);
    sink.Emit(std::move(*m));
  }
  AdvanceState(doc, since, state);
  return Status::Ok();
}

namespace {

void CheckPointer(const config::ConfigValue& obj, const std::string& path, const std::string& key,
                  const std::string& value, config::ApplyContext& ctx) {
  if (value.empty() || rapidjson::Pointer(value.c_str()).IsValid()) return;
  const config::ConfigValue* v = obj.Find(key);
  ctx.diag.Error(v ? v->pos() : obj.pos(), config::JoinPath(path, key),
                 "not a JSON Pointer (must start with '/'): " + (v ? config::Describe(*v) : "\"" + value + "\""));
}

void Validate(const HttpJsonOptions& o, const config::ConfigValue& obj, const std::string& path,
              config::ApplyContext& ctx) {
  if (o.url.empty()) ctx.diag.Error(obj.pos(), path, "missing required option 'url' (give it or a 'preset')");
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0 && !o.url.empty()) {
    const config::ConfigValue* v = obj.Find("url");
    ctx.diag.Error(v ? v->pos() : obj.pos(), config::JoinPath(path, "url"),
                   "must start with http:// or https://, got " + (v ? config::Describe(*v) : "\"" + o.url + "\""));
  }
  if (!o.fields.count("id")) {
    ctx.diag.Error(obj.pos(), config::JoinPath(path, "fields"), "missing the pointer of 'id' (fields.id)");
  }
  const config::ConfigValue* fields = obj.Find("fields");
  for (const auto& [name, spec] : o.fields) {
    if (std::find(std::begin(kFieldNames), std::end(kFieldNames), name) == std::end(kFieldNames)) {
      const config::ConfigValue* v = fields ? fields->Find(name) : nullptr;
      ctx.diag.Error(v ? v->pos() : obj.pos(), config::JoinPath(config::JoinPath(path, "fields"), name),
                     "unknown mention field '" + name + "'; valid: id, url, title, text, author, published, reply_to");
    }
  }
  CheckPointer(obj, path, "items", o.items, ctx);
  CheckPointer(obj, path, "join_items", o.join_items, ctx);
  CheckPointer(obj, path, "join_on", o.join_on, ctx);
  CheckPointer(obj, path, "next_cursor", o.next_cursor, ctx);
  CheckPointer(obj, path, "since_pointer", o.since_pointer, ctx);
  if (o.since_from == "response" && o.since_pointer.empty()) {
    ctx.diag.Error(obj.pos(), config::JoinPath(path, "since_pointer"), "required when since_from is \"response\"");
  }
}

// The source's `channel` names its mentions' channel, else (empty or absent)
// the preset's default.
void Finish(HttpJsonOptions& options, const config::ConfigValue& source, const config::ConfigValue& merged,
            const std::string& path, config::ApplyContext& ctx) {
  if (const config::ConfigValue* channel = source.Find("channel");
      channel && channel->is_string() && !channel->as_string().empty()) {
    options.default_channel = channel->as_string();
  }
  Validate(options, merged, path, ctx);
}

}  // namespace

void RegisterPlugin_http_json(Registry& registry) {
  registry.Register(MakePluginInfo<HttpJsonOptions, HttpJsonPlugin>(
      "http_json", "a JSON API (GET or POST) mapped to mentions by JSON Pointers; see conf/presets/",
      PluginInfo::Kind::kHttp, &HttpJsonOptionTable,
      {.presets = true, .preset_merged_objects = {"headers", "fields", "metrics"}, .finish = &Finish}));
}

}  // namespace brandmon::plugin

// Turns collected feed items into Mentions: the rules shared by every format.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <unordered_set>

#include "daemon/base/safe_text.h"
#include "daemon/feedparse/feed_date.h"
#include "daemon/feedparse/feed_item.h"
#include "daemon/feedparse/feed_text.h"
#include "daemon/feedparse/feed_url.h"

namespace brandmon::feedparse::feed_internal {
namespace {

// True when `s` is valid UTF-8.
bool IsUtf8(std::string_view s) {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t n = DecodeUtf8At(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string PlainText(const RawText& t) {
  if (!t.present) return {};
  std::string_view raw = t.raw;
  std::optional<std::string> decoded;
  if (t.base64 && (decoded = DecodeBase64(raw))) {
    if (!IsUtf8(*decoded)) return {};  // binary content is no text
    raw = *decoded;
  }
  return t.mode == TextMode::kHtml ? HtmlToText(raw) : CollapseWhitespace(raw);
}

bool HostIs(std::string_view host, std::string_view domain) {
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // The domain itself or a subdomain of it ("www.youtube.com", not "notyoutube.com").
  return lower == domain ||
         (lower.size() > domain.size() && lower.ends_with(domain) && lower[lower.size() - domain.size() - 1] == '.');
}

std::string ChannelFor(const FeedInfo& info, const FeedParseOptions& options) {
  if (!options.channel.empty()) return options.channel;
  for (const std::string* url : {&info.link, &info.self_link, &options.base_url}) {
    std::string_view host = UrlHost(*url);
    if (host.empty()) continue;
    if (HostIs(host, "youtube.com")) return "youtube";
    if (HostIs(host, "reddit.com")) return "reddit";
    if (HostIs(host, "news.ycombinator.com") || HostIs(host, "hnrss.org")) return "hackernews";
    if (HostIs(host, "google.com") && url->find("/alerts/") != std::string::npos) return "google_alerts";
  }
  return "rss";
}

bool ContainsLower(std::string_view text, std::string_view lower_word) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(lower_word) != std::string::npos;
}

// Whether a blog host or a blog engine wrote the feed. WordPress is left
// out: it runs as many newsrooms as blogs.
bool IsBlog(const FeedInfo& info, const FeedParseOptions& options) {
  static constexpr std::string_view kEngines[] = {"blogger",  "ghost",       "jekyll",  "hugo",       "medium",
                                                  "substack", "tumblr",      "typepad", "micro.blog", "bear blog",
                                                  "write.as", "writefreely", "hashnode"};
  for (std::string_view engine : kEngines) {
    if (ContainsLower(info.generator, engine)) return true;
  }
  static constexpr std::string_view kHosts[] = {"blogspot.com", "wordpress.com", "medium.com", "substack.com",
                                                "tumblr.com",   "hashnode.dev",  "ghost.io",   "micro.blog"};
  for (const std::string* url : {&info.link, &info.self_link, &options.base_url}) {
    std::string_view host = UrlHost(*url);
    if (host.empty()) continue;
    for (std::string_view blog_host : kHosts) {
      if (HostIs(host, blog_host)) return true;
    }
    if (ContainsLower(host.substr(0, 5), "blog.")) return true;
    // UrlHost returns a view into the url: the path follows the host (and port).
    std::string_view rest = std::string_view(*url).substr(static_cast<size_t>(host.data() - url->data()) + host.size());
    rest.remove_prefix(std::min(rest.size(), rest.find('/')));
    if (ContainsLower(rest.substr(0, 5), "/blog")) return true;
  }
  return false;
}

ChannelKind KindFor(const FeedInfo& info, const FeedParseOptions& options, const std::string& channel) {
  ChannelKind by_channel = KindOfChannel(channel);
  if (by_channel == ChannelKind::kVideo || by_channel == ChannelKind::kForum) return by_channel;
  return IsBlog(info, options) ? ChannelKind::kBlog : ChannelKind::kNews;
}

// "en-us" -> "en-US"; anything that is not a language tag -> nullopt.
std::optional<std::string> NormalizeLang(std::string_view lang) {
  std::string s = CollapseWhitespace(lang);
  if (s.empty() || s.size() > 35) return std::nullopt;
  size_t part = 0;
  size_t part_len = 0;
  for (char& c : s) {
    if (c == '_') c = '-';
    if (c == '-') {
      if (part_len == 0) return std::nullopt;
      ++part;
      part_len = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    ++part_len;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (part_len == 0) return std::nullopt;
  // Two-letter regions are upper case by convention.
  size_t dash = s.find('-');
  if (dash != std::string::npos && s.size() - dash == 3) {
    s[dash + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[dash + 1])));
    s[dash + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[dash + 2])));
  }
  (void)part;
  return s;
}

// An author as written in RSS, "email (Name)", or as "Name (email)" or
// "Name <email>": the name, which is what people read; the text itself
// otherwise.
std::string AuthorName(std::string_view raw) {
  std::string s = CollapseWhitespace(raw);
  size_t open = s.find('(');
  size_t close = s.rfind(')');
  if (open != std::string::npos && close == s.size() - 1 && close > open + 1) {
    std::string before = CollapseWhitespace(s.substr(0, open));
    std::string inside = CollapseWhitespace(s.substr(open + 1, close - open - 1));
    if (before.find('@') != std::string::npos && !inside.empty()) return inside;
    if (inside.find('@') != std::string::npos && !before.empty()) return before;
  }
  size_t angle = s.find('<');
  if (angle != std::string::npos && angle > 0 && s.back() == '>' && s.find('@', angle) != std::string::npos) {
    return CollapseWhitespace(s.substr(0, angle));
  }
  return s;
}

std::string ContentHash(const Mention& m) {
  // FNV-1a over the fields that make an item what it is.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xFF;
    h *= 1099511628211ULL;
  };
  mix(m.title);
  mix(m.text);
  mix(m.author);
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string("hash:") + buf;
}

}  // namespace

void EmitItems(std::vector<FeedItem>& items, const FeedInfo& info, const FeedParseOptions& options, Sink& sink) {
  ItemEmitter emitter(options, sink);
  emitter.Emit(items, info);
  emitter.Finish();
}

void ItemEmitter::Emit(std::vector<FeedItem>& items, const FeedInfo& info) {
  // The feed's own link is resolved against its xml:base and the request
  // URL; item links then resolve against their xml:base, that link, or the
  // request URL.
  std::string outer = options_.base_url;
  if (!info.link_base.empty()) outer = ResolveUrl(outer, info.link_base);
  std::string feed_link = info.link.empty() ? std::string() : ResolveUrl(outer, info.link);
  bool feed_link_absolute = UrlHost(feed_link).size() > 0;
  std::string doc_base = feed_link_absolute ? feed_link : options_.base_url;
  std::string xml_base_root = options_.base_url.empty() ? doc_base : options_.base_url;
  std::string channel = ChannelFor(info, options_);
  ChannelKind kind = KindFor(info, options_, channel);
  std::optional<std::string> feed_lang = NormalizeLang(info.lang);

  for (FeedItem& item : items) {
    if (options_.max_items > 0 && emitted_ >= options_.max_items) break;
    Mention m;
    m.source = options_.source;
    m.channel = channel;
    m.kind = kind;
    const RawText* title = &item.title;
    m.title = PlainText(item.title);
    if (m.title.empty()) m.title = PlainText(*(title = &item.media_title));
    const RawText* text = &item.content;
    if (item.content.present) m.text = PlainText(item.content);
    if (m.text.empty()) m.text = PlainText(*(text = &item.summary));
    if (m.text.empty()) m.text = PlainText(*(text = &item.media_description));
    // A field whose reading stopped at its budget is cut, however short its
    // plain text came out.
    if (title->cut) MarkTruncated(m, "title");
    if (text->cut) MarkTruncated(m, "text");
    if (!item.link.empty()) {
      std::string base = item.link_base.empty() ? doc_base : ResolveUrl(xml_base_root, item.link_base);
      m.url = UnwrapRedirect(ResolveUrl(base, item.link));
    } else if (item.guid_is_link && !item.guid.empty() && UrlHost(item.guid).size() > 0) {
      m.url = CollapseWhitespace(item.guid);  // an RSS permalink guid
    }
    m.author = AuthorName(item.author);
    if (m.author.empty()) m.author = CollapseWhitespace(item.author_email);
    if (m.author.empty()) m.author = CollapseWhitespace(info.author);
    const std::string& date = !item.published.empty() ? item.published
                              : !item.updated.empty() ? item.updated
                                                      : item.created;
    if (!date.empty()) {
      m.published = ParseFeedDate(date);
      if (!m.published) {
        if (bad_dates_++ == 0) first_bad_date_ = CollapseWhitespace(date);
      }
    }
    if (auto lang = NormalizeLang(item.lang)) {
      m.lang = std::move(lang);
    } else {
      m.lang = feed_lang;
    }
    m.metrics = std::move(item.metrics);
    m.id = CollapseWhitespace(item.guid);
    if (m.id.empty()) m.id = CollapseWhitespace(item.about);
    if (m.id.empty()) m.id = m.url;
    if (m.id.empty()) m.id = ContentHash(m);
    if (!seen_.insert(m.id).second) {
      ++duplicates_;
      continue;
    }
    sink_.Emit(std::move(m));
    ++emitted_;
  }
}

void ItemEmitter::Finish() {
  if (bad_dates_ > 0) {
    sink_.Warn(std::to_string(bad_dates_) + " item date(s) not understood (first: \"" + first_bad_date_ +
               "\"); published left empty");
  }
  if (duplicates_ > 0) {
    sink_.Warn(std::to_string(duplicates_) + " item(s) with a repeated id dropped");
  }
}

}  // namespace brandmon::feedparse::feed_internal

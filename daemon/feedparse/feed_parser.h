#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/mention.h"
#include "daemon/base/sink.h"
#include "daemon/base/status.h"

namespace brandmon::feedparse {

// The feed formats ParseFeed() knows; kAuto picks by the document itself.
enum class FeedFormat { kAuto, kRss, kAtom, kRdf, kJsonFeed };

// "auto", "rss", "atom", "rdf", "jsonfeed" -> the format; nullopt otherwise.
std::optional<FeedFormat> FeedFormatFromName(std::string_view name);
std::string_view FeedFormatName(FeedFormat format);

// The charset parameter of a Content-Type value ("text/xml; charset=ISO-8859-1"
// -> "iso-8859-1"), or "".
std::string CharsetFromContentType(std::string_view content_type);

struct FeedParseOptions {
  FeedFormat format = FeedFormat::kAuto;
  // The document's URL (after redirects): resolves relative links when
  // neither xml:base nor the feed's own link does.
  std::string base_url;
  // The HTTP charset; it overrides the XML declaration unless the bytes
  // contradict it. Empty when unknown.
  std::string charset;
  // Copied into every Mention.
  std::string source;
  // Mention.channel; empty means derived from the feed's host ("youtube",
  // "reddit", "google_alerts", "hackernews"), else "rss". Mention.kind is
  // derived from the channel (youtube: video; reddit, hackernews: forum),
  // else from the feed: blog when a blog host or blog engine wrote it
  // (Blogger, Ghost, Medium, Substack, Tumblr, a "blog." host or "/blog"
  // path...), else news.
  std::string channel;
  // At most this many mentions (the first ones in document order); 0 = all.
  size_t max_items = 0;
  // The caps mentions get downstream (NormalizeMention). A text field is
  // read up to 4 times its cap plus 4 KiB (room for markup and entities
  // that plain text drops); the rest is skipped as it is parsed, never held,
  // and the field is named in the mention's `truncated`.
  MentionLimits limits;
};

// Parses one RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 or JSON Feed 1.x
// document into Mentions, emitted to `sink` in document order with duplicate
// ids dropped. Never reads files or the network: DTDs and external entities
// are ignored, internal entities are expanded only when flat and small,
// undeclared HTML entities (&nbsp;) are decoded. Recoverable damage (bad
// bytes, a bad entity, a missing close tag, a truncated document) still
// yields the items that could be read, with warnings sent to `sink`.
// Errors: Corrupt when nothing usable is there (empty input, not a feed, or
// no root element), naming the position when the parser gave one.
// Thread-safe (one call per sink).
Status ParseFeed(std::string_view bytes, const FeedParseOptions& options, Sink& sink);

// Reads up to `cap` bytes of the input into `buf`; 0 at the end.
// Errors: Unavailable when reading fails.
using ReadChunk = std::function<Result<size_t>(char* buf, size_t cap)>;

// Documents up to this size are read whole and given to ParseFeed().
inline constexpr size_t kWholeDocument = 16 * 1024 * 1024;

// ParseFeed() over input read through `read`, in bounded memory whatever its
// size: a document of up to `whole_document` bytes is read whole and parsed
// by ParseFeed(); a larger XML document is converted, parsed and emitted as
// it is read (each field read only to its budget, see
// FeedParseOptions::limits), with the same rules, items emitted a few
// hundred at a time. Errors: as ParseFeed(); Corrupt for a larger JSON
// document; the reader's error when reading fails.
Status ParseFeedStream(const ReadChunk& read, const FeedParseOptions& options, Sink& sink,
                       size_t whole_document = kWholeDocument);

}  // namespace brandmon::feedparse

#pragma once

// Internal to the feed plugin: what the format-specific readers collect
// before the shared normalization turns it into Mentions.

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/feedparse/feed_parser.h"

namespace brandmon::feedparse::feed_internal {

// How a captured text field is to be read.
enum class TextMode { kText, kHtml };

// How a text field is written: its mode, and whether it is base64 of it
// (Atom's mode="base64", or a media type that is neither text nor XML).
struct TextKind {
  TextMode mode = TextMode::kText;
  bool base64 = false;
};

// A text field as found, converted to plain text only if it is used.
struct RawText {
  std::string raw;
  TextMode mode = TextMode::kText;
  bool present = false;
  bool cut = false;  // `raw` stopped at the field's read budget
  bool base64 = false;
};

// One item/entry as read from the document. Thread-compatible value type.
struct FeedItem {
  std::string guid;          // guid / atom:id / JSON Feed id
  bool guid_is_link = true;  // false for an RSS guid with isPermaLink="false"
  std::string about;         // rdf:about
  std::string link;          // as written
  std::string link_base;     // the xml:base in effect for the link, possibly relative or empty
  RawText title;
  RawText media_title;
  // content:encoded, atom:content, xhtml:body, fullitem, content_html/content_text,
  // or the second of several summaries (as feedparser reads them)
  RawText content;
  RawText summary;  // description, atom:summary, dc:description, itunes:summary
  RawText media_description;
  // The first author: dc:creator, itunes:author, an RSS author ("email
  // (Name)"), or an Atom author's name; the Atom author's email when it has
  // no name.
  std::string author;
  std::string author_email;
  std::string published;  // raw date text
  std::string updated;
  std::string created;  // dcterms:created, Atom 0.3 created: the date when there is no other
  std::string lang;
  std::vector<std::pair<std::string, double>> metrics;
};

// The document-level facts normalization needs.
struct FeedInfo {
  std::string link;       // the feed's alternate link, as written
  std::string link_base;  // xml:base in effect for it
  std::string self_link;
  std::string author;  // atom feed author, inherited by entries
  std::string lang;
  std::string generator;  // the software that wrote the feed, as written: "Blogger", "Ghost 5.2"
};

// Normalizes items into Mentions and emits them in order (dropping
// duplicate ids, honouring options.max_items), batch after batch of one
// document; Finish() warns about bad dates and dropped duplicates.
// Owned by one parse; not thread-safe.
class ItemEmitter {
 public:
  ItemEmitter(const FeedParseOptions& options, Sink& sink) : options_(options), sink_(sink) {}
  // Emits `items` (moved from), read with the document facts in `info`.
  void Emit(std::vector<FeedItem>& items, const FeedInfo& info);
  void Finish();

 private:
  const FeedParseOptions& options_;
  Sink& sink_;
  std::unordered_set<std::string> seen_;
  size_t duplicates_ = 0;
  size_t bad_dates_ = 0;
  std::string first_bad_date_;
  size_t emitted_ = 0;
};

// One ItemEmitter over all of `items`.
void EmitItems(std::vector<FeedItem>& items, const FeedInfo& info, const FeedParseOptions& options, Sink& sink);

// Reads a JSON Feed document into items. Errors: Corrupt for invalid JSON or
// a document that is not a JSON Feed.
Status ReadJsonFeed(std::string_view utf8, std::vector<FeedItem>& items, FeedInfo& info);

}  // namespace brandmon::feedparse::feed_internal

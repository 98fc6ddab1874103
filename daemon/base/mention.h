#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace brandmon {

// What kind of channel a mention comes from, which says whom it speaks to:
// social posts and comments, reviews and forum threads are often addressed
// to a brand; news and blog articles and videos address their readers.
enum class ChannelKind : uint8_t { kUnknown, kSocial, kReview, kForum, kNews, kBlog, kVideo };

// "social", "review", "forum", "news", "blog", "video"; "" for kUnknown.
std::string_view ChannelKindName(ChannelKind kind);
// The inverse of ChannelKindName for the six known names; nullopt otherwise.
std::optional<ChannelKind> ParseChannelKind(std::string_view name);
// The six known names, in the enum's order.
const std::vector<std::string>& ChannelKindNames();
// The kind of a well-known channel name (case-insensitive): x, mastodon,
// bluesky, facebook... social; appstore, trustpilot... review; reddit,
// hackernews, forum: forum; rss, atom, google_alerts, news: news; blog: blog;
// youtube: video. kUnknown for any other name.
ChannelKind KindOfChannel(std::string_view channel);

// The normalized item every source plugin produces (DESIGN.md, "Mention").
// A plain value type; thread-compatible.
struct Mention {
  std::string source;   // configured source name
  std::string channel;  // e.g. "reddit", "youtube", "rss"
  // Set by the plugin (a preset, a feed's kind, a JSON Lines item's "kind")
  // or the source's `kind`; the engine fills it in from the channel
  // (ResolveKind) before the pipeline sees the mention.
  ChannelKind kind = ChannelKind::kUnknown;
  std::string id;  // stable per source: guid, else url, else content hash
  std::string url;
  std::string title;
  std::string text;  // plain text: HTML stripped, entities decoded, whitespace collapsed
  std::string author;
  // The account this post answers, when the source says so ("acmecorp" for
  // a reply to one of @acmecorp's posts); empty otherwise.
  std::string reply_to;
  std::optional<WallTime> published;  // UTC
  std::optional<std::string> lang;    // BCP 47 code
  // Optional reach figures, in a fixed order of names: followers, likes,
  // shares, replies, rating (and any others a source maps).
  std::vector<std::pair<std::string, double>> metrics;
  // The fields cut to their cap by NormalizeMention (or by the plugin while
  // reading), by JSON name, in contract order: "id", "url", "title", "text",
  // "author" (and "source", "channel", "lang"). Empty for a whole mention.
  std::vector<std::string> truncated;

  const double* Metric(std::string_view name) const;
  // Sets or replaces a metric; a value that is not finite (1e999) is ignored.
  void SetMetric(std::string name, double value);
};

// Whether two account names are one account: equal but for a leading '@' and
// ASCII case ("@AcmeCorp" is "acmecorp"); a Mastodon-style "@acme@host" is
// also "@acme" when only one of the two names a host.
bool SameAccount(std::string_view a, std::string_view b);

// The kind the rules read a mention as: its own when known, else the kind
// of its channel's name, else social.
ChannelKind ResolveKind(const Mention& mention);

// The reach of a mention: the largest of its followers, likes, shares and
// replies metrics; 0 when it has none.
double Reach(const Mention& mention);

// The most bytes each field of a Mention may hold after normalization (the
// "limits" section of the config).
struct MentionLimits {
  uint64_t title = 1024;
  uint64_t text = 64 * 1024;
  uint64_t author = 512;
  uint64_t url = 8 * 1024;
  uint64_t id = 2 * 1024;
};

// Fields that are names and codes rather than content, capped at this many
// bytes whatever the limits say.
inline constexpr size_t kMaxShortField = 256;

// The one normalization every mention from a source goes through before the
// pipeline (the engine applies it to whatever a plugin emits, brandmonctl to
// what it prints), so that no plugin can forget it:
//  - every string field (and metric name) is made valid UTF-8 with no unsafe
//    code point (ReplaceUnsafe: line breaks become spaces, the other C0/C1
//    controls and bidi overrides U+FFFD), so nothing a source sends can
//    forge or split a line in a log, a terminal or a JSON Lines stream; no
//    field is multi-line (`text` is whitespace-collapsed by contract);
//  - title, text, author, reply_to and url are cut to `limits` (reply_to
//    to the author's) at a UTF-8 boundary,
//    source, channel and lang to kMaxShortField, each cut field named in
//    `truncated`;
//  - an id that is cut or had characters replaced becomes its (cut) prefix,
//    '~' and 16 hex digits of a hash of the id as received, so distinct ids
//    stay distinct and the same item keeps the same id.
// Idempotent: a normalized mention comes back unchanged.
void NormalizeMention(Mention& mention, const MentionLimits& limits);

// Marks `field` (a JSON field name) as truncated, once, keeping the order.
void MarkTruncated(Mention& mention, std::string_view field);

// One compact JSON object with the contract's field names, no trailing
// newline; "kind" is written only when known, "reply_to" only when set and
// "truncated" only when a field was cut.
std::string MentionToJson(const Mention& mention);

// The inverse of MentionToJson, for JSON Lines inputs (file and exec sources).
// Missing optional fields are left empty. Errors: Corrupt with the reason
// (also for a "kind" that is none of ChannelKindNames()).
Result<Mention> MentionFromJson(std::string_view json);

}  // namespace brandmon

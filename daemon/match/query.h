#pragma once

// The brand query language:
//
//   acme "acme corp" #acme @acmecorp     terms, exact phrases, hashtags, handles
//   acme OR acmecorp                      either
//   acme refund   acme AND refund         both (AND is implicit between terms)
//   NOT "road runner"   -"road runner"    exclusion
//   (acme OR acmecorp) -"road runner"     grouping
//   acme NEAR/3 (refund OR broken)        within 3 words of each other
//   nestle*                               trailing wildcard (2+ letters before '*')
//   title:acme author:acme url:acme       field scopes (also on phrases and groups)
//   site:acme.com                         the mention's URL is on acme.com or a subdomain
//   lang:es channel:reddit                filters on the mention's language (the source's, else the
//                                         one identified from the text) and channel
//
// Operators are upper case (a lower-case "or" is a term). NEAR binds tighter
// than NOT, NOT tighter than AND, AND tighter than OR.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"

namespace brandmon::match {

inline constexpr size_t kMaxQueryBytes = 64 * 1024;
inline constexpr int kMaxQueryDepth = 32;  // nesting of groups, NOT and NEAR
inline constexpr int kMaxNearDistance = 100;

// Where a term is looked for.
enum class Scope : uint8_t {
  kDefault,  // the mention's text and title
  kTitle,
  kAuthor,
  kUrl,
};

// A parsed query: a tree of value nodes. Thread-compatible.
struct QueryNode {
  enum class Kind : uint8_t {
    kTerm,     // text: the term as written, without quotes or the trailing '*'
    kAnd,      // children: two or more
    kOr,       // children: two or more
    kNot,      // children: one
    kNear,     // children: two; distance
    kLang,     // text: the language code, lower case
    kChannel,  // text: the channel name, lower case
    kSite,     // text: the host, lower case
  };
  Kind kind = Kind::kTerm;
  std::string text;
  bool phrase = false;    // kTerm written in quotes
  bool wildcard = false;  // kTerm ending in '*'
  Scope scope = Scope::kDefault;
  int distance = 0;
  size_t offset = 0;  // byte offset in the query of the node's first character
  int height = 1;     // 1 for a leaf
  std::vector<QueryNode> children;
};

// Parses `query`.
// Errors: InvalidArgument with the message "LINE:COL: what is wrong", where
// LINE and COL are 1-based and COL counts code points, ready to be prefixed
// with the option path ("brands[2].query:1:14: unbalanced parenthesis").
// Queries that are too long, too deep, hold NUL bytes, control characters or
// invalid UTF-8, or could match without any of their terms are errors too.
Result<QueryNode> ParseQuery(std::string_view query);

// A canonical one-line form of the tree for tests and diagnostics, e.g.
// (AND acme (NOT "road runner")) or (NEAR/3 acme (OR refund broken)).
std::string ToString(const QueryNode& node);

// "LINE:COL" of the byte `offset` in `query` (1-based, columns in code points).
std::string PositionOf(std::string_view query, size_t offset);

}  // namespace brandmon::match

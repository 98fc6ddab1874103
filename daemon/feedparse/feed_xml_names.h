#pragma once

// Internal to the feed parser: the XML namespaces and elements of RSS, RDF
// and Atom that the reader acts on.

#include <cstdint>
#include <string_view>

namespace brandmon::feedparse::feed_internal {

enum class Ns : uint8_t {
  kNone,
  kAtom,
  kAtom03,
  kRss10,
  kRss09,
  kRdf,
  kContent,
  kDc,
  kDcTerms,
  kMedia,
  kSlash,
  kOther
};

enum class Tag : uint8_t {
  kOther,
  kRss,
  kRdfRoot,
  kFeed,
  kChannel,
  kItem,
  kTitle,
  kLink,
  kDescription,
  kSummary,
  kContent,
  kContentEncoded,
  kGuid,
  kId,
  kPubDate,
  kPublished,
  kUpdated,
  kAuthor,
  kName,
  kDcCreator,
  kMediaDescription,
  kMediaTitle,
  kMediaStarRating,
  kMediaStatistics,
  kLanguage,
  kGenerator,
  kSlashComments,
  kHtml,
};

// The namespace a URI names; kNone for no namespace, kOther when unknown.
Ns NsFromUri(std::string_view uri);
// Feeds often use the usual prefixes without declaring them: the namespace
// a prefix ("dc", "media", ...) stands for by custom.
Ns NsFromPrefix(std::string_view prefix);
bool IsAtom(Ns ns);
// The element `name` in namespace `ns`; elements of no namespace are read as
// RSS, or as Atom when the document forgot its namespace.
Tag Classify(Ns ns, std::string_view name);

}  // namespace brandmon::feedparse::feed_internal

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
  kItunes,
  kXhtml,
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
  kBody,      // xhtml:body, or a body of no namespace: XHTML content
  kFullItem,  // fullitem: escaped HTML content
  kGuid,
  kId,
  kPubDate,
  kPublished,
  kUpdated,
  kCreated,
  kAuthor,
  kName,
  kEmail,
  kDcCreator,  // dc:creator, dc:author, itunes:author: an author's name as text
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
// RSS, or as Atom when the document forgot its namespace. Elements of other
// vocabularies that mean the same are classified alike, as feedparser reads
// them: dc:title is a title, dc:description and itunes:summary are
// summaries (kDescription), dc:date is an update date.
Tag Classify(Ns ns, std::string_view name);

}  // namespace brandmon::feedparse::feed_internal

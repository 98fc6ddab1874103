#include "daemon/feedparse/feed_xml_names.h"

namespace brandmon::feedparse::feed_internal {

namespace {

// Elements of RSS 0.9x/1.0/2.0, and of Atom documents that forgot their
// namespace.
Tag ClassifyRss(Ns ns, std::string_view name) {
  if (name == "item") return Tag::kItem;
  if (name == "title") return Tag::kTitle;
  if (name == "link") return Tag::kLink;
  if (name == "description") return Tag::kDescription;
  if (name == "guid") return Tag::kGuid;
  if (name == "pubDate") return Tag::kPubDate;
  if (name == "author") return Tag::kAuthor;
  if (name == "channel") return Tag::kChannel;
  if (name == "language") return Tag::kLanguage;
  if (name == "generator") return Tag::kGenerator;
  if (name == "rss") return Tag::kRss;
  if (name == "html") return Tag::kHtml;
  if (name == "body") return Tag::kBody;
  if (name == "fullitem") return Tag::kFullItem;
  if (ns == Ns::kNone) {
    // Atom documents that forgot their namespace.
    if (name == "entry") return Tag::kItem;
    if (name == "feed") return Tag::kFeed;
    if (name == "summary") return Tag::kSummary;
    if (name == "content") return Tag::kContent;
    if (name == "id") return Tag::kId;
    if (name == "published") return Tag::kPublished;
    if (name == "updated") return Tag::kUpdated;
    if (name == "name") return Tag::kName;
    if (name == "email") return Tag::kEmail;
  }
  return Tag::kOther;
}

Tag ClassifyAtom(std::string_view name) {
  if (name == "entry" || name == "item") return Tag::kItem;
  if (name == "title") return Tag::kTitle;
  if (name == "link") return Tag::kLink;
  if (name == "summary") return Tag::kSummary;
  if (name == "content") return Tag::kContent;
  if (name == "id") return Tag::kId;
  if (name == "published" || name == "issued") return Tag::kPublished;
  if (name == "updated" || name == "modified") return Tag::kUpdated;
  if (name == "created") return Tag::kCreated;
  if (name == "author") return Tag::kAuthor;
  if (name == "name") return Tag::kName;
  if (name == "email") return Tag::kEmail;
  if (name == "feed") return Tag::kFeed;
  if (name == "generator") return Tag::kGenerator;
  return Tag::kOther;
}

// Elements of the extension namespaces (Dublin Core, Media RSS, ...).
Tag ClassifyExtension(Ns ns, std::string_view name) {
  switch (ns) {
    case Ns::kRdf: return name == "RDF" ? Tag::kRdfRoot : Tag::kOther;
    case Ns::kContent: return name == "encoded" ? Tag::kContentEncoded : Tag::kOther;
    case Ns::kDc:
      if (name == "creator" || name == "author") return Tag::kDcCreator;
      if (name == "date") return Tag::kUpdated;
      if (name == "title") return Tag::kTitle;
      if (name == "description") return Tag::kDescription;
      if (name == "language") return Tag::kLanguage;
      return Tag::kOther;
    case Ns::kDcTerms:
      if (name == "issued") return Tag::kPublished;
      if (name == "created") return Tag::kCreated;
      if (name == "modified") return Tag::kUpdated;
      return Tag::kOther;
    case Ns::kItunes:
      if (name == "author") return Tag::kDcCreator;
      if (name == "summary") return Tag::kDescription;
      return Tag::kOther;
    case Ns::kXhtml: return name == "body" ? Tag::kBody : name == "html" ? Tag::kHtml : Tag::kOther;
    case Ns::kMedia:
      if (name == "description") return Tag::kMediaDescription;
      if (name == "title") return Tag::kMediaTitle;
      if (name == "starRating") return Tag::kMediaStarRating;
      if (name == "statistics") return Tag::kMediaStatistics;
      return Tag::kOther;
    case Ns::kSlash: return name == "comments" ? Tag::kSlashComments : Tag::kOther;
    case Ns::kOther: return name == "html" ? Tag::kHtml : Tag::kOther;
    default: return Tag::kOther;
  }
}

bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

Ns NsFromUri(std::string_view uri) {
  if (uri.empty()) return Ns::kNone;
  if (uri == "http://www.w3.org/2005/Atom") return Ns::kAtom;
  if (uri == "http://purl.org/atom/ns#") return Ns::kAtom03;
  if (uri == "http://purl.org/rss/1.0/") return Ns::kRss10;
  if (uri == "http://my.netscape.com/rdf/simple/0.9/") return Ns::kRss09;
  if (uri == "http://www.w3.org/1999/02/22-rdf-syntax-ns#") return Ns::kRdf;
  if (uri == "http://purl.org/rss/1.0/modules/content/") return Ns::kContent;
  if (uri == "http://purl.org/dc/elements/1.1/") return Ns::kDc;
  if (uri == "http://purl.org/dc/terms/") return Ns::kDcTerms;
  if (uri == "http://search.yahoo.com/mrss/" || uri == "http://search.yahoo.com/mrss") return Ns::kMedia;
  if (uri == "http://purl.org/rss/1.0/modules/slash/") return Ns::kSlash;
  if (uri == "http://www.w3.org/1999/xhtml") return Ns::kXhtml;
  // Written in every case in the wild ("http://www.itunes.com/DTDs/Podcast-1.0.dtd").
  if (EqualsIgnoringCase(uri, "http://www.itunes.com/dtds/podcast-1.0.dtd")) return Ns::kItunes;
  // RSS 2.0 put in a namespace by some publishers (any backend.userland.com/rss*).
  if (uri.find("backend.userland.com/rss") != std::string_view::npos ||
      uri == "http://blogs.law.harvard.edu/tech/rss") {
    return Ns::kRss09;
  }
  return Ns::kOther;
}

// Feeds often use the usual prefixes without declaring them.
Ns NsFromPrefix(std::string_view prefix) {
  if (prefix == "dc") return Ns::kDc;
  if (prefix == "dcterms") return Ns::kDcTerms;
  if (prefix == "content") return Ns::kContent;
  if (prefix == "media") return Ns::kMedia;
  if (prefix == "atom" || prefix == "atom10") return Ns::kAtom;
  if (prefix == "slash") return Ns::kSlash;
  if (prefix == "rdf") return Ns::kRdf;
  if (prefix == "itunes") return Ns::kItunes;
  if (prefix == "xhtml") return Ns::kXhtml;
  return Ns::kOther;
}

bool IsAtom(Ns ns) { return ns == Ns::kAtom || ns == Ns::kAtom03; }

Tag Classify(Ns ns, std::string_view name) {
  switch (ns) {
    case Ns::kNone:
    case Ns::kRss10:
    case Ns::kRss09: return ClassifyRss(ns, name);
    case Ns::kAtom:
    case Ns::kAtom03: return ClassifyAtom(name);
    default: return ClassifyExtension(ns, name);
  }
}

}  // namespace brandmon::feedparse::feed_internal

#include "daemon/feedparse/feed_parser.h"

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"
#include "daemon/feedparse/feed_encoding.h"
#include "daemon/feedparse/feed_item.h"
#include "daemon/feedparse/feed_text.h"
#include "daemon/feedparse/feed_url.h"

namespace brandmon::feedparse {

using feed_internal::FeedInfo;
using feed_internal::FeedItem;
using feed_internal::RawText;
using feed_internal::TextMode;

namespace {

// At most this many parser messages become warnings; the rest are counted.
constexpr size_t kMaxWarnings = 10;
// Internal entities are expanded only when flat (no references or markup),
// at most this long, and up to this many bytes in total per document.
constexpr size_t kMaxEntityLength = 64 * 1024;
constexpr size_t kMaxEntityExpansion = 4 * 1024 * 1024;
// Dates, languages and counts are read up to this many bytes.
constexpr size_t kMaxShortCapture = 256;

// How much of a field with cap `limit` is read: room for the markup and
// entities that the way to plain text drops.
size_t ReadBudget(uint64_t limit) { return static_cast<size_t>(std::min<uint64_t>(limit, 1ull << 40)) * 4 + 4096; }

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
  kSlashComments,
  kHtml,
};

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

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
  return Ns::kOther;
}

bool IsAtom(Ns ns) { return ns == Ns::kAtom || ns == Ns::kAtom03; }

Tag Classify(Ns ns, std::string_view name) {
  switch (ns) {
    case Ns::kNone:
    case Ns::kRss10:
    case Ns::kRss09:
      if (name == "item") return Tag::kItem;
      if (name == "title") return Tag::kTitle;
      if (name == "link") return Tag::kLink;
      if (name == "description") return Tag::kDescription;
      if (name == "guid") return Tag::kGuid;
      if (name == "pubDate") return Tag::kPubDate;
      if (name == "author") return Tag::kAuthor;
      if (name == "channel") return Tag::kChannel;
      if (name == "language") return Tag::kLanguage;
      if (name == "rss") return Tag::kRss;
      if (name == "html") return Tag::kHtml;
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
      }
      return Tag::kOther;
    case Ns::kAtom:
    case Ns::kAtom03:
      if (name == "entry") return Tag::kItem;
      if (name == "title") return Tag::kTitle;
      if (name == "link") return Tag::kLink;
      if (name == "summary") return Tag::kSummary;
      if (name == "content") return Tag::kContent;
      if (name == "id") return Tag::kId;
      if (name == "published" || name == "issued" || name == "created") return Tag::kPublished;
      if (name == "updated" || name == "modified") return Tag::kUpdated;
      if (name == "author") return Tag::kAuthor;
      if (name == "name") return Tag::kName;
      if (name == "feed") return Tag::kFeed;
      return Tag::kOther;
    case Ns::kRdf: return name == "RDF" ? Tag::kRdfRoot : Tag::kOther;
    case Ns::kContent: return name == "encoded" ? Tag::kContentEncoded : Tag::kOther;
    case Ns::kDc:
      if (name == "creator") return Tag::kDcCreator;
      if (name == "date") return Tag::kPubDate;
      if (name == "language") return Tag::kLanguage;
      return Tag::kOther;
    case Ns::kDcTerms:
      if (name == "issued" || name == "created") return Tag::kPublished;
      if (name == "modified") return Tag::kUpdated;
      return Tag::kOther;
    case Ns::kMedia:
      if (name == "description") return Tag::kMediaDescription;
      if (name == "title") return Tag::kMediaTitle;
      if (name == "starRating") return Tag::kMediaStarRating;
      if (name == "statistics") return Tag::kMediaStatistics;
      return Tag::kOther;
    case Ns::kSlash: return name == "comments" ? Tag::kSlashComments : Tag::kOther;
    case Ns::kOther: return name == "html" ? Tag::kHtml : Tag::kOther;
  }
  return Tag::kOther;
}

// The HTML named entities as libxml2 entities it inlines without parsing:
// built once, read-only afterwards.
class HtmlEntityTable {
 public:
  static const HtmlEntityTable& Instance() {
    static const HtmlEntityTable table;
    return table;
  }
  xmlEntity* Find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
  }

 private:
  struct Entry {
    std::string name;
    std::string value;
    xmlEntity entity;
  };
  HtmlEntityTable() {
    entries_ = std::make_unique<std::vector<Entry>>();
    for (unsigned int cp = 1; cp < 0x2700; ++cp) {
      const htmlEntityDesc* desc = htmlEntityValueLookup(cp);
      if (desc == nullptr || desc->value != cp) continue;
      Entry e;
      e.name = desc->name;
      AppendUtf8(cp, e.value);
      entries_->push_back(std::move(e));
    }
    Entry apos;
    apos.name = "apos";
    apos.value = "'";
    entries_->push_back(std::move(apos));
    for (Entry& e : *entries_) {
      std::memset(&e.entity, 0, sizeof(e.entity));
      e.entity.type = XML_ENTITY_DECL;
      e.entity.etype = XML_INTERNAL_PREDEFINED_ENTITY;
      e.entity.name = reinterpret_cast<const xmlChar*>(e.name.c_str());
      e.entity.content = reinterpret_cast<xmlChar*>(e.value.data());
      e.entity.length = static_cast<int>(e.value.size());
      index_.emplace(e.name, &e.entity);
    }
  }
  std::unique_ptr<std::vector<Entry>> entries_;
  std::unordered_map<std::string_view, xmlEntity*> index_;
};

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const {
    if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
    xmlFreeParserCtxt(ctxt);
  }
};

void InitLibxml() {
  static const bool done = [] {
    xmlInitParser();
    return true;
  }();
  (void)done;
}

// One pass of the SAX2 parser over a UTF-8 document, collecting items.
// Owned by ParseFeed(); not thread-safe.
class XmlFeedReader {
 public:
  explicit XmlFeedReader(const FeedParseOptions& options) : options_(options) {}

  // Parses a whole document.
  Status Run(std::string_view utf8, std::vector<std::string>& warnings);
  // Or one pushed in parts: Begin(), Push() each part (the last with
  // `last`), and Conclude(). Items read so far may be taken out between
  // parts (items()), which Conclude() then counts as read.
  Status Begin(std::vector<std::string>& warnings);
  void Push(std::string_view utf8, bool last);
  Status Conclude(std::vector<std::string>& warnings);
  void NoteEmitted() { emitted_some_ = true; }

  std::vector<FeedItem>& items() { return items_; }
  const FeedInfo& info() const { return info_; }

 private:
  struct Frame {
    Tag tag;
    Ns ns;
    std::string_view name;  // local name, interned in the parser's dictionary
  };
  struct UserEntity {
    UserEntity() = default;
    UserEntity(const UserEntity&) = delete;
    UserEntity& operator=(const UserEntity&) = delete;
    // libxml2 hands the raw declaration text to the entity it looked up.
    ~UserEntity() {
      if (entity.orig != nullptr) xmlFree(entity.orig);
    }
    std::string name;
    std::string value;
    xmlEntity entity;
  };

  static void OnStart(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri, int nb_namespaces,
                      const xmlChar** namespaces, int nb_attributes, int nb_defaulted, const xmlChar** attributes);
  static void OnEnd(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri);
  static void OnCharacters(void* ctx, const xmlChar* ch, int len);
  static void OnReference(void* ctx, const xmlChar* name);
  static xmlEntityPtr OnGetEntity(void* ctx, const xmlChar* name);
  static xmlEntityPtr OnGetParameterEntity(void* ctx, const xmlChar* name);
  static void OnEntityDecl(void* ctx, const xmlChar* name, int type, const xmlChar* public_id, const xmlChar* system_id,
                           xmlChar* content);
  static void OnError(void* ctx, xmlError* error);

  void Start(std::string_view name, std::string_view prefix, std::string_view uri, int nb_attributes,
             const xmlChar** attributes);
  void End();
  void PopElement();
  void StartRoot(Tag tag, std::string_view name);
  void Install(xmlParserCtxt* ctxt, std::vector<std::string>& warnings);
  void StartInItem(Tag tag, Ns ns, size_t depth, const xmlChar** attributes, int nb_attributes);
  void StartInFeed(Tag tag, Ns ns, size_t depth, const xmlChar** attributes, int nb_attributes);
  // Collects the text of the element at `depth` into *target, up to
  // `budget` bytes; *cut (when given) is set once text was skipped.
  void Capture(std::string* target, size_t depth, size_t budget = kMaxShortCapture, bool* cut = nullptr) {
    capture_ = target;
    capture_depth_ = depth;
    capture_budget_ = budget;
    capture_cut_ = cut;
  }
  void CaptureText(RawText& field, TextMode mode, size_t depth, uint64_t limit) {
    if (field.present) return;  // the first occurrence wins
    field.present = true;
    field.mode = mode;
    Capture(&field.raw, depth, ReadBudget(limit), &field.cut);
  }
  // Appends to the capture what fits its budget, never splitting a UTF-8
  // sequence; once something was skipped, nothing more is taken.
  void Append(std::string_view text) {
    if (capture_->size() + text.size() <= capture_budget_) {
      capture_->append(text);
      return;
    }
    size_t room = capture_budget_ > capture_->size() ? capture_budget_ - capture_->size() : 0;
    capture_->append(text.substr(0, Utf8PrefixLength(text, room)));
    capture_budget_ = capture_->size();
    if (capture_cut_ != nullptr) *capture_cut_ = true;
  }
  void FinishItem();
  void Note(std::string message);

  const FeedParseOptions& options_;
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> push_;  // the parser of Begin()
  xmlParserCtxt* ctxt_ = nullptr;
  bool emitted_some_ = false;
  std::vector<Frame> stack_;
  std::string mismatched_end_;  // the end tag of the latest tag-mismatch error
  // xml:base values by the depth that set them; resolved against the outer
  // one when that is absolute.
  std::vector<std::pair<size_t, std::string>> bases_;
  Tag root_ = Tag::kOther;
  std::string root_name_;
  bool stopped_not_feed_ = false;
  size_t item_depth_ = 0;  // 0 = not in an item
  size_t author_depth_ = 0;
  FeedItem item_;
  FeedInfo info_;
  std::vector<FeedItem> items_;
  std::string* capture_ = nullptr;
  size_t capture_depth_ = 0;
  size_t capture_budget_ = 0;
  bool* capture_cut_ = nullptr;
  bool capture_is_comments_ = false;
  std::string comments_;
  std::unordered_map<std::string, std::unique_ptr<UserEntity>> entities_;
  std::unordered_map<std::string, std::string> refused_entities_;
  size_t entity_bytes_ = 0;
  std::vector<std::string>* warnings_ = nullptr;
  size_t suppressed_ = 0;
  std::string first_fatal_;
};

XmlFeedReader* Self(void* ctx) { return static_cast<XmlFeedReader*>(ctx); }

TextMode AtomTextMode(const xmlChar** attributes, int nb_attributes) {
  std::string_view type, mode;
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + i * 5;
    std::string_view name = View(a[0]);
    std::string_view value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
    if (name == "type") type = value;
    if (name == "mode") mode = value;
  }
  if (mode == "escaped") return TextMode::kHtml;
  if (type == "html" || type == "text/html") return TextMode::kHtml;
  // "xhtml" and inline XML arrive as elements whose text is collected.
  return TextMode::kText;
}

// An attribute value as text. Without entity substitution libxml2 hands
// over '&' as "&#38;", and inlines only the first byte of other entities.
std::string Attr(const xmlChar** attributes, int nb_attributes, std::string_view wanted) {
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + i * 5;
    if (View(a[0]) != wanted) continue;
    std::string_view raw(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
    std::string out;
    out.reserve(raw.size());
    for (size_t p = 0; p < raw.size(); ++p) {
      if (raw[p] == '&' && raw.substr(p, 5) == "&#38;") {
        out.push_back('&');
        p += 4;
      } else {
        out.push_back(raw[p]);
      }
    }
    std::vector<std::string> ignored;
    Utf8Document repaired = ToUtf8(out, "utf-8", ignored);
    if (!repaired.storage.empty()) return repaired.storage;
    return out;
  }
  return {};
}

bool IsBlockElement(std::string_view name) {
  static constexpr std::string_view kBlock[] = {"p",  "div", "br", "li", "tr", "td", "h1",         "h2",
                                                "h3", "h4",  "h5", "h6", "ul", "ol", "blockquote", "pre"};
  for (auto b : kBlock) {
    if (name == b) return true;
  }
  return false;
}

void XmlFeedReader::OnStart(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                            int /*nb_namespaces*/, const xmlChar** /*namespaces*/, int nb_attributes,
                            int /*nb_defaulted*/, const xmlChar** attributes) {
  XmlFeedReader* self = Self(ctx);
  // libxml2 drops entity references once a document is known to be
  // ill-formed; recovery should keep decoding them.
  self->ctxt_->wellFormed = 1;
  self->Start(View(localname), View(prefix), View(uri), nb_attributes, attributes);
}

void XmlFeedReader::OnEnd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  XmlFeedReader* self = Self(ctx);
  self->ctxt_->wellFormed = 1;
  self->End();
}

void XmlFeedReader::OnCharacters(void* ctx, const xmlChar* ch, int len) {
  XmlFeedReader* self = Self(ctx);
  self->ctxt_->wellFormed = 1;
  if (self->capture_ != nullptr)
    self->Append(std::string_view(reinterpret_cast<const char*>(ch), static_cast<size_t>(len)));
}

void XmlFeedReader::OnReference(void* ctx, const xmlChar* name) {
  // An undeclared entity: kept as written, as lenient feed readers do.
  XmlFeedReader* self = Self(ctx);
  self->ctxt_->wellFormed = 1;
  if (self->capture_ != nullptr) self->Append("&" + std::string(View(name)) + ";");
}

xmlEntityPtr XmlFeedReader::OnGetEntity(void* ctx, const xmlChar* name) {
  XmlFeedReader* self = Self(ctx);
  std::string_view n = View(name);
  if (self->ctxt_->inSubset != 0) {
    // Looked up while declaring (libxml2 then stores the raw value in the
    // entity it gets): only this document's own entities may be handed out,
    // never the shared HTML table.
    auto it = self->entities_.find(std::string(n));
    return it == self->entities_.end() ? nullptr : &it->second->entity;
  }
  if (!self->entities_.empty()) {
    auto it = self->entities_.find(std::string(n));
    if (it != self->entities_.end()) {
      xmlEntity* ent = &it->second->entity;
      self->entity_bytes_ += static_cast<size_t>(ent->length);
      if (self->entity_bytes_ <= kMaxEntityExpansion) return ent;
      self->Note("entity expansion limit reached at '&" + std::string(n) + ";'; further references dropped");
      self->entities_.clear();
      return nullptr;
    }
  }
  if (xmlEntity* html = HtmlEntityTable::Instance().Find(n)) return html;
  return nullptr;
}

xmlEntityPtr XmlFeedReader::OnGetParameterEntity(void*, const xmlChar*) { return nullptr; }

void XmlFeedReader::OnEntityDecl(void* ctx, const xmlChar* name, int type, const xmlChar*, const xmlChar* system_id,
                                 xmlChar* content) {
  XmlFeedReader* self = Self(ctx);
  std::string n(View(name));
  if (type != XML_INTERNAL_GENERAL_ENTITY) {
    if (type == XML_EXTERNAL_GENERAL_PARSED_ENTITY || type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY) {
      self->Note("external entity '" + n + "' (" + std::string(View(system_id)) + ") not loaded");
    }
    return;
  }
  std::string_view value = View(content);
  if (value.size() > kMaxEntityLength || value.find_first_of("&<%") != std::string_view::npos) {
    self->Note("entity '" + n + "' not expanded: it is nested or too large");
    return;
  }
  if (self->entities_.count(n) > 0) return;  // the first declaration binds
  auto e = std::make_unique<UserEntity>();
  e->name = n;
  e->value = value;
  std::memset(&e->entity, 0, sizeof(e->entity));
  e->entity.type = XML_ENTITY_DECL;
  e->entity.etype = XML_INTERNAL_PREDEFINED_ENTITY;
  e->entity.name = reinterpret_cast<const xmlChar*>(e->name.c_str());
  e->entity.content = reinterpret_cast<xmlChar*>(e->value.data());
  e->entity.length = static_cast<int>(e->value.size());
  self->entities_.emplace(n, std::move(e));
}

void XmlFeedReader::OnError(void* ctx, xmlError* error) {
  XmlFeedReader* self = Self(ctx);
  if (error == nullptr || error->level == XML_ERR_NONE) return;
  // Unknown namespace prefixes are common and handled.
  if (error->domain == XML_FROM_NAMESPACE) return;
  std::string message = error->message != nullptr ? error->message : "unknown error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string text = "line " + std::to_string(error->line) + ":" + std::to_string(error->int2) + ": " + message;
  if (error->level == XML_ERR_FATAL && self->first_fatal_.empty()) self->first_fatal_ = text;
  if (error->code == XML_ERR_TAG_NAME_MISMATCH && error->str2 != nullptr) self->mismatched_end_ = error->str2;
  self->Note(std::move(text));
}

void XmlFeedReader::Note(std::string message) {
  if (warnings_->size() < kMaxWarnings) {
    warnings_->push_back(std::move(message));
  } else {
    ++suppressed_;
  }
}

void XmlFeedReader::Start(std::string_view name, std::string_view prefix, std::string_view uri, int nb_attributes,
                          const xmlChar** attributes) {
  Ns ns = NsFromUri(uri);
  if (ns == Ns::kNone && !prefix.empty()) ns = NsFromPrefix(prefix);
  Tag tag = Classify(ns, name);
  mismatched_end_.clear();
  stack_.push_back(Frame{tag, ns, name});
  size_t depth = stack_.size();
  std::string_view lang;
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + i * 5;
    if (View(a[2]) != "http://www.w3.org/XML/1998/namespace") continue;
    std::string_view value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
    if (View(a[0]) == "base") {
      const std::string& outer = bases_.empty() ? std::string() : bases_.back().second;
      bases_.emplace_back(depth, UrlHost(outer).empty() ? std::string(value) : ResolveUrl(outer, value));
    } else if (View(a[0]) == "lang") {
      lang = value;
    }
  }
  if (depth == 1) {
    StartRoot(tag, name);
    if (stopped_not_feed_) return;  // xmlStopParser freed the input that `lang` and `attributes` point into
    if (!lang.empty()) info_.lang = lang;
    if (tag == Tag::kFeed || tag == Tag::kChannel) StartInFeed(tag, ns, depth, attributes, nb_attributes);
    return;
  }
  if (capture_ != nullptr) {
    // Markup inside a text field (XHTML content, or HTML that was not escaped).
    if (IsBlockElement(name)) Append(" ");
    return;
  }
  if (tag == Tag::kItem) {
    if (item_depth_ != 0) FinishItem();  // an unclosed item ends where the next one starts
    item_depth_ = depth;
    item_ = FeedItem();
    if (!lang.empty()) item_.lang = lang;
    item_.about = std::string(Attr(attributes, nb_attributes, "about"));
    return;
  }
  if (item_depth_ != 0) {
    StartInItem(tag, ns, depth, attributes, nb_attributes);
  } else {
    if (!lang.empty() && tag == Tag::kChannel && info_.lang.empty()) info_.lang = lang;
    StartInFeed(tag, ns, depth, attributes, nb_attributes);
  }
}

void XmlFeedReader::StartRoot(Tag tag, std::string_view name) {
  root_ = tag;
  root_name_ = name;
  bool feed_root = tag == Tag::kRss || tag == Tag::kRdfRoot || tag == Tag::kFeed;
  if (!feed_root && (tag == Tag::kHtml || options_.format != FeedFormat::kAuto)) {
    stopped_not_feed_ = true;
    xmlStopParser(ctxt_);
  }
  if (feed_root && options_.format != FeedFormat::kAuto) {
    FeedFormat actual = tag == Tag::kRss ? FeedFormat::kRss : tag == Tag::kFeed ? FeedFormat::kAtom : FeedFormat::kRdf;
    if (actual != options_.format) {
      stopped_not_feed_ = true;
      xmlStopParser(ctxt_);
    }
  }
}

void XmlFeedReader::StartInItem(Tag tag, Ns ns, size_t depth, const xmlChar** attributes, int nb_attributes) {
  bool direct = depth == item_depth_ + 1;
  bool atom = IsAtom(ns);
  switch (tag) {
    case Tag::kTitle:
      if (direct) {
        CaptureText(item_.title, atom ? AtomTextMode(attributes, nb_attributes) : TextMode::kHtml, depth,
                    options_.limits.title);
      }
      break;
    case Tag::kLink:
      if (!direct) break;
      if (atom) {
        std::string rel = Attr(attributes, nb_attributes, "rel");
        std::string href = Attr(attributes, nb_attributes, "href");
        if ((rel.empty() || rel == "alternate") && !href.empty() && item_.link.empty()) {
          item_.link = href.substr(0, ReadBudget(options_.limits.url));
          item_.link_base = bases_.empty() ? std::string() : bases_.back().second;
        }
      } else if (item_.link.empty()) {
        item_.link_base = bases_.empty() ? std::string() : bases_.back().second;
        Capture(&item_.link, depth, ReadBudget(options_.limits.url));
      }
      break;
    case Tag::kDescription:
      if (direct) CaptureText(item_.summary, TextMode::kHtml, depth, options_.limits.text);
      break;
    case Tag::kSummary:
      if (direct) CaptureText(item_.summary, AtomTextMode(attributes, nb_attributes), depth, options_.limits.text);
      break;
    case Tag::kContent:
      if (direct) CaptureText(item_.content, AtomTextMode(attributes, nb_attributes), depth, options_.limits.text);
      break;
    case Tag::kContentEncoded:
      if (direct) CaptureText(item_.content, TextMode::kHtml, depth, options_.limits.text);
      break;
    case Tag::kGuid:
    case Tag::kId:
      if (direct && item_.guid.empty()) Capture(&item_.guid, depth, ReadBudget(options_.limits.id));
      break;
    case Tag::kPubDate:
    case Tag::kPublished:
      if (direct && item_.published.empty()) Capture(&item_.published, depth);
      break;
    case Tag::kUpdated:
      if (direct && item_.updated.empty()) Capture(&item_.updated, depth);
      break;
    case Tag::kAuthor:
      if (!direct) break;
      if (atom) {
        author_depth_ = depth;
      } else if (item_.rss_author.empty()) {
        Capture(&item_.rss_author, depth, ReadBudget(options_.limits.author));
      }
      break;
    case Tag::kName:
      if (author_depth_ != 0 && depth == author_depth_ + 1 && item_.author.empty()) {
        Capture(&item_.author, depth, ReadBudget(options_.limits.author));
      }
      break;
    case Tag::kDcCreator:
      if (direct && item_.author.empty()) Capture(&item_.author, depth, ReadBudget(options_.limits.author));
      break;
    case Tag::kMediaDescription: {
      std::string type = Attr(attributes, nb_attributes, "type");
      CaptureText(item_.media_description, type == "html" ? TextMode::kHtml : TextMode::kText, depth,
                  options_.limits.text);
      break;
    }
    case Tag::kMediaTitle: CaptureText(item_.media_title, TextMode::kText, depth, options_.limits.title); break;
    case Tag::kMediaStarRating: {
      std::string average(Attr(attributes, nb_attributes, "average"));
      double rating = average.empty() ? 0 : std::strtod(average.c_str(), nullptr);
      if (!average.empty() && std::isfinite(rating)) item_.metrics.emplace_back("rating", rating);
      break;
    }
    case Tag::kMediaStatistics: {
      std::string views(Attr(attributes, nb_attributes, "views"));
      double count = views.empty() ? 0 : std::strtod(views.c_str(), nullptr);
      if (!views.empty() && std::isfinite(count)) item_.metrics.emplace_back("views", count);
      break;
    }
    case Tag::kSlashComments:
      comments_.clear();
      capture_is_comments_ = true;
      Capture(&comments_, depth);
      break;
    default: break;
  }
}

void XmlFeedReader::StartInFeed(Tag tag, Ns ns, size_t depth, const xmlChar** attributes, int nb_attributes) {
  if (depth > 1) {
    Tag parent = stack_[depth - 2].tag;
    bool at_feed_level = parent == Tag::kChannel || parent == Tag::kFeed;
    bool atom_author_name = tag == Tag::kName && author_depth_ != 0 && depth == author_depth_ + 1;
    if (!at_feed_level && !atom_author_name) return;
  }
  switch (tag) {
    case Tag::kLink:
      if (IsAtom(ns)) {
        std::string rel = Attr(attributes, nb_attributes, "rel");
        std::string href = Attr(attributes, nb_attributes, "href");
        if ((rel.empty() || rel == "alternate") && info_.link.empty()) {
          info_.link = href.substr(0, ReadBudget(options_.limits.url));
          info_.link_base = bases_.empty() ? std::string() : bases_.back().second;
        } else if (rel == "self" && info_.self_link.empty()) {
          info_.self_link = href.substr(0, ReadBudget(options_.limits.url));
        }
      } else if (info_.link.empty()) {
        info_.link_base = bases_.empty() ? std::string() : bases_.back().second;
        Capture(&info_.link, depth, ReadBudget(options_.limits.url));
      }
      break;
    case Tag::kLanguage:
      if (info_.lang.empty()) Capture(&info_.lang, depth);
      break;
    case Tag::kAuthor:
      if (IsAtom(ns) || ns == Ns::kNone) author_depth_ = depth;
      break;
    case Tag::kName:
      if (info_.author.empty()) Capture(&info_.author, depth, ReadBudget(options_.limits.author));
      break;
    default: break;
  }
}

void XmlFeedReader::End() {
  // A recovering libxml2 closes the innermost element whatever the end tag
  // says: "<title>a <b>b</title><link>" would keep the title open and take
  // the link's text into it. Close up to the element the end tag names, as a
  // browser (and feedparser) would; libxml2's own later end events for the
  // elements closed here then find the stack already shorter.
  if (!mismatched_end_.empty()) {
    std::string_view named = mismatched_end_;
    if (size_t colon = named.rfind(':'); colon != std::string_view::npos) named.remove_prefix(colon + 1);
    for (size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].name != named) continue;
      mismatched_end_.clear();
      while (stack_.size() > i + 1) PopElement();
      break;
    }
    mismatched_end_.clear();
  }
  PopElement();
}

void XmlFeedReader::PopElement() {
  if (stack_.empty()) return;
  size_t depth = stack_.size();
  if (capture_ != nullptr && depth == capture_depth_) {
    capture_ = nullptr;
    if (capture_is_comments_) {
      capture_is_comments_ = false;
      char* end = nullptr;
      double n = std::strtod(comments_.c_str(), &end);
      if (end != comments_.c_str()) item_.metrics.emplace_back("replies", n);
    }
  }
  if (depth == author_depth_) author_depth_ = 0;
  if (depth == item_depth_) FinishItem();
  if (!bases_.empty() && bases_.back().first == depth) bases_.pop_back();
  stack_.pop_back();
}

void XmlFeedReader::FinishItem() {
  capture_ = nullptr;
  capture_is_comments_ = false;
  if (author_depth_ > item_depth_) author_depth_ = 0;
  item_depth_ = 0;
  items_.push_back(std::move(item_));
  item_ = FeedItem();
}

void XmlFeedReader::Install(xmlParserCtxt* ctxt, std::vector<std::string>& warnings) {
  warnings_ = &warnings;
  ctxt_ = ctxt;
  // Recover from damage, never touch the network, ignore the declared
  // encoding (the bytes are UTF-8 by now). No NOENT, no DTDLOAD: entities
  // are served by OnGetEntity alone. No XML_PARSE_HUGE: libxml2 keeps its
  // limits on names, attribute values and lookahead.
  xmlCtxtUseOptions(ctxt_, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = OnStart;
  sax.endElementNs = OnEnd;
  sax.characters = OnCharacters;
  sax.cdataBlock = OnCharacters;
  sax.reference = OnReference;
  sax.getEntity = OnGetEntity;
  sax.getParameterEntity = OnGetParameterEntity;
  sax.entityDecl = OnEntityDecl;
  sax.serror = OnError;
  *ctxt_->sax = sax;
  ctxt_->userData = this;
  ctxt_->replaceEntities = 0;
  ctxt_->loadsubset = 0;
  ctxt_->validate = 0;
}

Status XmlFeedReader::Run(std::string_view utf8, std::vector<std::string>& warnings) {
  InitLibxml();
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) return Status::Corrupt("document too large");
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(
      xmlCreateMemoryParserCtxt(utf8.data(), static_cast<int>(utf8.size())));
  if (!ctxt) return Status::Internal("cannot create an xml parser");
  Install(ctxt.get(), warnings);
  xmlParseDocument(ctxt_);
  return Conclude(warnings);
}

Status XmlFeedReader::Begin(std::vector<std::string>& warnings) {
  InitLibxml();
  push_.reset(xmlCreatePushParserCtxt(nullptr, nullptr, nullptr, 0, nullptr));
  if (!push_) return Status::Internal("cannot create an xml parser");
  Install(push_.get(), warnings);
  return Status::Ok();
}

void XmlFeedReader::Push(std::string_view utf8, bool last) {
  // Parts larger than an int go in pieces; the parser keeps no more than it
  // must look ahead, so memory stays bounded by the part size.
  constexpr size_t kPiece = 1 << 20;
  do {
    std::string_view piece = utf8.substr(0, kPiece);
    utf8.remove_prefix(piece.size());
    if (ctxt_->disableSAX > 1 || ctxt_->instate == XML_PARSER_EOF) return;  // stopped
    xmlParseChunk(ctxt_, piece.data(), static_cast<int>(piece.size()), last && utf8.empty() ? 1 : 0);
  } while (!utf8.empty());
}

Status XmlFeedReader::Conclude(std::vector<std::string>& warnings) {
  if (item_depth_ != 0) {
    Note("document ends inside an item; kept what was read");
    FinishItem();
  }
  if (suppressed_ > 0) warnings.push_back(std::to_string(suppressed_) + " more parser message(s) not shown");
  warnings_ = nullptr;
  if (stopped_not_feed_ ||
      (root_ != Tag::kRss && root_ != Tag::kRdfRoot && root_ != Tag::kFeed && items_.empty() && !emitted_some_)) {
    if (root_name_.empty()) {
      return Status::Corrupt("not a feed: " + (first_fatal_.empty() ? std::string("no root element") : first_fatal_));
    }
    if (options_.format != FeedFormat::kAuto && (root_ == Tag::kRss || root_ == Tag::kRdfRoot || root_ == Tag::kFeed)) {
      return Status::Corrupt("expected " + std::string(FeedFormatName(options_.format)) +
                             " but the document's root element is <" + root_name_ + ">");
    }
    return Status::Corrupt("not a feed: the root element is <" + root_name_ + ">");
  }
  return Status::Ok();
}

// Skips bytes before the markup starts (a PHP notice, stray text) when a
// feed root follows within the first few kilobytes.
std::string_view SkipLeadingJunk(std::string_view text, std::vector<std::string>& warnings) {
  if (text.empty() || text[0] == '<' || text[0] == '{' || text[0] == '[') return text;
  std::string_view head = text.substr(0, 4096);
  for (std::string_view marker : {"<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF"}) {
    size_t pos = head.find(marker);
    if (pos != std::string_view::npos) {
      warnings.push_back(std::to_string(pos) + " byte(s) of text before the document skipped");
      return text.substr(pos);
    }
  }
  return text;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

// True when the '&' at text[p] starts a reference the XML parser will
// resolve: a character reference, a predefined or HTML entity, or (when the
// document declares entities) any well-formed name.
bool IsKnownReference(std::string_view text, size_t p, bool declares_entities) {
  size_t q = p + 1;
  if (q < text.size() && text[q] == '#') {
    ++q;
    if (q < text.size() && (text[q] == 'x' || text[q] == 'X')) ++q;
    size_t start = q;
    while (q < text.size() && std::isxdigit(static_cast<unsigned char>(text[q]))) ++q;
    return q > start && q < text.size() && text[q] == ';';
  }
  size_t start = q;
  while (q < text.size() && q - start < 40 && IsNameChar(text[q])) ++q;
  if (q == start || q >= text.size() || text[q] != ';') return false;
  if (declares_entities) return true;
  std::string_view name = text.substr(start, q - start);
  if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") return true;
  return LookupHtmlEntity(name).has_value();
}

// Escapes '&' that starts no usable reference ("Q&A", "&bogus;") so that
// it survives as text, as lenient feed readers keep it; libxml2 would drop
// it. CDATA sections are left alone. Takes the document whole or in parts:
// what could be the start of a reference or of a CDATA marker at the end of
// a part waits for the next one. Thread-compatible.
class AmpersandEscaper {
 public:
  AmpersandEscaper() = default;

  // Appends `text` (the next part), escaped, to *out; `last` flushes.
  void Feed(std::string_view text, bool last, std::string& out) {
    std::string joined;
    if (!pending_.empty()) {
      joined = pending_ + std::string(text);
      text = joined;
      pending_.clear();
    }
    size_t end = text.size();
    if (!last) {
      // A reference is at most ~45 bytes, a CDATA marker 9.
      size_t tail = end > 64 ? end - 64 : 0;
      size_t amp = text.find('&', tail);
      if (amp != std::string_view::npos) end = amp;
      size_t mark = text.find_first_of("<]", end > 9 ? end - 9 : 0);
      if (mark != std::string_view::npos && mark < end) end = mark;
    }
    // Declarations come before the references they declare.
    if (!declares_entities_ && text.substr(0, end).find("<!ENTITY") != std::string_view::npos) {
      declares_entities_ = true;
    }
    size_t i = 0;
    while (i < end) {
      if (in_cdata_) {
        size_t close = text.find("]]>", i);
        if (close == std::string_view::npos || close + 3 > end) {
          out.append(text.substr(i, end - i));
          i = end;
          break;
        }
        out.append(text.substr(i, close + 3 - i));
        i = close + 3;
        in_cdata_ = false;
        continue;
      }
      size_t amp = text.find('&', i);
      if (open_ < i || open_ == 0) open_ = text.find("<![CDATA[", i);
      size_t next = std::min(amp, open_);
      if (next == std::string_view::npos || next >= end) {
        out.append(text.substr(i, end - i));
        i = end;
        break;
      }
      if (next == open_) {
        out.append(text.substr(i, open_ + 9 - i));
        i = open_ + 9;
        in_cdata_ = true;
        open_ = 0;
        continue;
      }
      out.append(text.substr(i, amp + 1 - i));
      if (!IsKnownReference(text, amp, declares_entities_)) {
        out.append("amp;");
        ++escaped_;
      }
      i = amp + 1;
    }
    open_ = 0;
    pending_.assign(text.substr(end));
  }
  size_t escaped() const { return escaped_; }

 private:
  bool declares_entities_ = false;
  bool in_cdata_ = false;
  size_t open_ = 0;  // the next "<![CDATA[" at or after the scan, 0 = not looked up
  size_t escaped_ = 0;
  std::string pending_;
};

// A whole document through AmpersandEscaper: `text` itself when nothing
// needed escaping, else a view of `storage`.
std::string_view EscapeStrayAmpersands(std::string_view text, std::string& storage, size_t& escaped) {
  AmpersandEscaper escaper;
  escaper.Feed(text, true, storage);
  escaped = escaper.escaped();
  if (escaped == 0) {
    std::string().swap(storage);
    return text;
  }
  return storage;
}

}  // namespace

std::optional<FeedFormat> FeedFormatFromName(std::string_view name) {
  if (name == "auto") return FeedFormat::kAuto;
  if (name == "rss") return FeedFormat::kRss;
  if (name == "atom") return FeedFormat::kAtom;
  if (name == "rdf") return FeedFormat::kRdf;
  if (name == "jsonfeed") return FeedFormat::kJsonFeed;
  return std::nullopt;
}

std::string_view FeedFormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kAuto: return "auto";
    case FeedFormat::kRss: return "rss";
    case FeedFormat::kAtom: return "atom";
    case FeedFormat::kRdf: return "rdf";
    case FeedFormat::kJsonFeed: return "jsonfeed";
  }
  return "auto";
}

std::string CharsetFromContentType(std::string_view content_type) {
  std::string lower(content_type);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  size_t pos = lower.find("charset=");
  if (pos == std::string::npos) return "";
  std::string value = lower.substr(pos + 8);
  size_t end = value.find(';');
  if (end != std::string::npos) value.resize(end);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  while (!value.empty() && (value.front() == ' ' || value.front() == '"' || value.front() == '\'')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '"' || value.back() == '\'')) value.pop_back();
  return value;
}

Status ParseFeed(std::string_view bytes, const FeedParseOptions& options, Sink& sink) {
  std::vector<std::string> warnings;
  Utf8Document doc = ToUtf8(bytes, options.charset, warnings);
  std::string_view text = SkipLeadingJunk(doc.text, warnings);
  if (text.empty()) {
    for (auto& w : warnings) sink.Warn(std::move(w));
    return Status::Corrupt(bytes.empty() ? "empty document" : "document has no content");
  }
  std::vector<FeedItem> items;
  FeedInfo info;
  Status status;
  bool json = text[0] == '{' || text[0] == '[';
  if (options.format == FeedFormat::kJsonFeed || (options.format == FeedFormat::kAuto && json)) {
    status = feed_internal::ReadJsonFeed(text, items, info);
  } else {
    std::string escaped_storage;
    size_t escaped = 0;
    text = EscapeStrayAmpersands(text, escaped_storage, escaped);
    if (escaped > 0) warnings.push_back(std::to_string(escaped) + " stray '&' kept as text");
    XmlFeedReader reader(options);
    status = reader.Run(text, warnings);
    items = std::move(reader.items());
    info = reader.info();
  }
  for (auto& w : warnings) sink.Warn(std::move(w));
  if (!status.ok()) return status;
  feed_internal::EmitItems(items, info, options, sink);
  return Status::Ok();
}

namespace {

// Parses an XML document of any size as it is read: `head` (converted
// already) and then what `read` gives, converted by `utf8`. Items are handed
// to the sink every few hundred, so neither the document nor its items are
// ever held whole.
Status StreamXml(std::string_view head, bool head_is_all, Utf8Stream& utf8, const ReadChunk& read,
                 const FeedParseOptions& options, Sink& sink, std::vector<std::string>& warnings) {
  constexpr size_t kChunk = 256 * 1024;
  constexpr size_t kItemsPerBatch = 256;
  XmlFeedReader reader(options);
  feed_internal::ItemEmitter emitter(options, sink);
  AmpersandEscaper escaper;
  if (Status s = reader.Begin(warnings); !s.ok()) return s;
  std::string escaped;
  escaper.Feed(head, head_is_all, escaped);
  reader.Push(escaped, head_is_all);
  std::vector<char> buf(kChunk);
  std::string converted;
  bool done = head_is_all;
  Status read_status;
  while (!done) {
    auto n = read(buf.data(), buf.size());
    if (!n.ok()) {
      read_status = n.status();
      done = true;
    } else {
      done = *n == 0;
    }
    converted.clear();
    utf8.Convert(std::string_view(buf.data(), n.ok() ? *n : 0), done, converted);
    escaped.clear();
    escaper.Feed(converted, done, escaped);
    reader.Push(escaped, done);
    if (reader.items().size() >= kItemsPerBatch) {
      emitter.Emit(reader.items(), reader.info());
      reader.items().clear();
      reader.NoteEmitted();
    }
  }
  utf8.Warnings(warnings);
  if (escaper.escaped() > 0) warnings.push_back(std::to_string(escaper.escaped()) + " stray '&' kept as text");
  Status status = reader.Conclude(warnings);
  for (auto& w : warnings) sink.Warn(std::move(w));
  if (!read_status.ok()) return read_status;
  if (!status.ok()) return status;
  emitter.Emit(reader.items(), reader.info());
  emitter.Finish();
  return Status::Ok();
}

}  // namespace

Status ParseFeedStream(const ReadChunk& read, const FeedParseOptions& options, Sink& sink, size_t whole_document) {
  // Enough of the start to choose the encoding and skip leading junk by,
  // and one byte more than whole_document, to know whether that is all.
  constexpr size_t kHead = 64 * 1024;
  size_t want = std::max(whole_document + 1, kHead);
  std::string head;
  bool eof = false;
  while (head.size() < want) {
    size_t at = head.size();
    head.resize(std::min(at + (1 << 20), want));
    auto n = read(head.data() + at, head.size() - at);
    if (!n.ok()) return n.status();
    head.resize(at + *n);
    if (*n == 0) {
      eof = true;
      break;
    }
  }
  if (eof && head.size() <= whole_document) return ParseFeed(head, options, sink);
  std::vector<std::string> warnings;
  EncodingChoice choice = ChooseEncoding(head, options.charset, warnings);
  Utf8Stream utf8(choice.encoding);
  std::string converted;
  utf8.Convert(std::string_view(head).substr(choice.bom), eof, converted);
  std::string().swap(head);
  std::string_view text = SkipLeadingJunk(StripLeadingSpaceAndBom(converted), warnings);
  if (options.format == FeedFormat::kJsonFeed || (!text.empty() && (text[0] == '{' || text[0] == '['))) {
    for (auto& w : warnings) sink.Warn(std::move(w));
    return Status::Corrupt("json document larger than " + FormatSize(whole_document) +
                           "; only XML feeds are read in parts");
  }
  return StreamXml(text, eof, utf8, read, options, sink, warnings);
}

}  // namespace brandmon::feedparse

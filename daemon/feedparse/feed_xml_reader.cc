#include "daemon/feedparse/feed_xml_reader.h"

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parserInternals.h>

#include <cmath>
#include <cstring>

#include "daemon/feedparse/feed_encoding.h"
#include "daemon/feedparse/feed_text.h"
#include "daemon/feedparse/feed_url.h"

namespace brandmon::feedparse::feed_internal {

namespace {

// At most this many parser messages become warnings; the rest are counted.
constexpr size_t kMaxWarnings = 10;
// Internal entities are expanded only when flat (no references or markup),
// at most this long, and up to this many bytes in total per document.
constexpr size_t kMaxEntityLength = 64 * 1024;
constexpr size_t kMaxEntityExpansion = 4 * 1024 * 1024;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
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

void InitLibxml() {
  static const bool done = [] {
    xmlInitParser();
    return true;
  }();
  (void)done;
}

XmlFeedReader* Self(void* ctx) { return static_cast<XmlFeedReader*>(ctx); }

// How an Atom text construct (or its Atom 0.3 predecessor) is written:
// type "html" or mode="escaped" is escaped HTML; "xhtml" and inline XML
// arrive as elements whose text is collected; mode="base64", or a media type
// that is neither text nor XML (RFC 4287 4.1.3.3), is base64 of the text.
TextKind AtomText(const xmlChar** attributes, int nb_attributes) {
  std::string_view type, mode;
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + i * 5;
    std::string_view name = View(a[0]);
    std::string_view value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
    if (name == "type") type = value;
    if (name == "mode") mode = value;
  }
  TextKind kind;
  if (mode == "escaped" || type == "html" || type == "text/html") kind.mode = TextMode::kHtml;
  bool text_or_xml = type.empty() || type == "text" || type == "html" || type == "xhtml" ||
                     type.substr(0, 5) == "text/" || type.ends_with("/xml") || type.ends_with("+xml");
  kind.base64 = mode == "base64" || !text_or_xml;
  return kind;
}

// An attribute value as written, for comparing with ASCII words ("false",
// "alternate"); "" when absent.
std::string_view RawAttr(const xmlChar** attributes, int nb_attributes, std::string_view wanted) {
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + i * 5;
    if (View(a[0]) == wanted) return {reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3])};
  }
  return {};
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

// Elements whose text is never shown: feedparser's sanitizer drops them with
// their text (the other elements it drops keep their text).
bool IsScriptElement(std::string_view name) { return name == "script" || name == "style" || name == "applet"; }

bool IsBlockElement(std::string_view name) {
  static constexpr std::string_view kBlock[] = {"p",  "div", "br", "li", "tr", "td", "h1",         "h2",
                                                "h3", "h4",  "h5", "h6", "ul", "ol", "blockquote", "pre"};
  for (auto b : kBlock) {
    if (name == b) return true;
  }
  return false;
}

}  // namespace

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
  if (self->capture_ != nullptr && self->skip_depth_ == 0)
    self->Append(std::string_view(reinterpret_cast<const char*>(ch), static_cast<size_t>(len)));
}

void XmlFeedReader::OnReference(void* ctx, const xmlChar* name) {
  // An undeclared entity: kept as written, as lenient feed readers do.
  XmlFeedReader* self = Self(ctx);
  self->ctxt_->wellFormed = 1;
  if (self->capture_ != nullptr && self->skip_depth_ == 0) self->Append("&" + std::string(View(name)) + ";");
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
  // libxml2 interns namespace URIs: the same namespace comes as the same pointer.
  if (uri.data() != last_uri_) {
    last_uri_ = uri.data();
    last_ns_ = NsFromUri(uri);
  }
  Ns ns = last_ns_;
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
    if (skip_depth_ == 0 && IsScriptElement(name)) {
      skip_depth_ = depth;
    } else if (IsBlockElement(name)) {
      Append(" ");
    }
    return;
  }
  if (tag == Tag::kItem) {
    if (item_depth_ != 0) FinishItem();  // an unclosed item ends where the next one starts
    item_depth_ = depth;
    item_ = FeedItem();
    item_has_content_ = false;
    item_summary_seen_ = false;
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
    case Tag::kDescription:
    case Tag::kSummary:
    case Tag::kContent:
    case Tag::kContentEncoded:
    case Tag::kFullItem:
    case Tag::kBody:
      if (direct) StartItemText(tag, atom, depth, attributes, nb_attributes);
      break;
    case Tag::kLink:
      if (direct) StartItemLink(atom, depth, attributes, nb_attributes);
      break;
    case Tag::kGuid:
    case Tag::kId:
      if (direct && item_.guid.empty()) {
        std::string_view permalink = tag == Tag::kGuid ? RawAttr(attributes, nb_attributes, "isPermaLink") : "";
        item_.guid_is_link = permalink != "false" && permalink != "False" && permalink != "FALSE";
        Capture(&item_.guid, depth, ReadBudget(options_.limits.id));
      }
      break;
    case Tag::kPubDate:
    case Tag::kPublished:
      if (direct) CaptureDate(item_.published, depth);
      break;
    case Tag::kUpdated:
      if (direct) CaptureDate(item_.updated, depth);
      break;
    case Tag::kCreated:
      if (direct) CaptureDate(item_.created, depth);
      break;
    case Tag::kAuthor:
    case Tag::kName:
    case Tag::kEmail:
    case Tag::kDcCreator: StartItemAuthor(tag, atom, depth); break;
    case Tag::kMediaDescription: {
      std::string type = Attr(attributes, nb_attributes, "type");
      CaptureText(item_.media_description, TextKind{type == "html" ? TextMode::kHtml : TextMode::kText}, depth,
                  options_.limits.text);
      break;
    }
    case Tag::kMediaTitle: CaptureText(item_.media_title, TextKind{}, depth, options_.limits.title); break;
    case Tag::kMediaStarRating:
    case Tag::kMediaStatistics: StartItemMetric(tag, attributes, nb_attributes); break;
    case Tag::kSlashComments:
      comments_.clear();
      capture_is_comments_ = true;
      Capture(&comments_, depth);
      break;
    default: break;
  }
}

// The item's title and texts, as feedparser reads them: the first content
// element (content:encoded, atom:content, fullitem, xhtml:body) is the text,
// and of several summaries (description, summary, dc:description,
// itunes:summary) the second is taken as content when no content element
// came before it.
void XmlFeedReader::StartItemText(Tag tag, bool atom, size_t depth, const xmlChar** attributes, int nb_attributes) {
  const uint64_t limit = options_.limits.text;
  switch (tag) {
    case Tag::kTitle: {
      TextKind kind = atom ? AtomText(attributes, nb_attributes) : TextKind{TextMode::kHtml};
      CaptureText(item_.title, kind, depth, options_.limits.title);
      break;
    }
    case Tag::kDescription: StartItemSummary(TextKind{TextMode::kHtml}, depth); break;
    case Tag::kSummary: StartItemSummary(AtomText(attributes, nb_attributes), depth); break;
    case Tag::kContent:
      item_has_content_ = true;
      CaptureText(item_.content, AtomText(attributes, nb_attributes), depth, limit);
      break;
    case Tag::kContentEncoded:
    case Tag::kFullItem:
      item_has_content_ = true;
      CaptureText(item_.content, TextKind{TextMode::kHtml}, depth, limit);
      break;
    case Tag::kBody: CaptureText(item_.content, TextKind{}, depth, limit); break;
    default: break;
  }
}

void XmlFeedReader::StartItemSummary(TextKind kind, size_t depth) {
  if (item_summary_seen_ && !item_has_content_) {
    item_has_content_ = true;
    CaptureText(item_.content, kind, depth, options_.limits.text);
  } else {
    item_summary_seen_ = true;
    CaptureText(item_.summary, kind, depth, options_.limits.text);
  }
}

// The item's first author: an Atom author's name (or email), or the text of
// dc:creator, dc:author, itunes:author or an RSS author.
void XmlFeedReader::StartItemAuthor(Tag tag, bool atom, size_t depth) {
  bool direct = depth == item_depth_ + 1;
  bool have_author = !item_.author.empty() || !item_.author_email.empty();
  size_t budget = ReadBudget(options_.limits.author);
  if (tag == Tag::kAuthor && direct && atom) {
    if (!have_author) author_depth_ = depth;
  } else if ((tag == Tag::kAuthor || tag == Tag::kDcCreator) && direct) {
    if (!have_author) Capture(&item_.author, depth, budget);
  } else if (author_depth_ != 0 && depth == author_depth_ + 1) {
    if (tag == Tag::kName && item_.author.empty()) Capture(&item_.author, depth, budget);
    if (tag == Tag::kEmail && item_.author_email.empty()) Capture(&item_.author_email, depth, budget);
  }
}

// An alternate link: Atom's <link href> (also where the Atom namespace was
// forgotten), RSS's <link>URL</link>, and Atom 0.3's link holding its URL as
// text.
void XmlFeedReader::StartItemLink(bool atom, size_t depth, const xmlChar** attributes, int nb_attributes) {
  if (!item_.link.empty()) return;
  std::string_view rel = RawAttr(attributes, nb_attributes, "rel");
  if (!rel.empty() && rel != "alternate") return;
  std::string href = nb_attributes > 0 ? Attr(attributes, nb_attributes, "href") : std::string();
  item_.link_base = bases_.empty() ? std::string() : bases_.back().second;
  if (!href.empty()) {
    item_.link = href.substr(0, ReadBudget(options_.limits.url));
  } else if (!atom || nb_attributes == 0 || rel == "alternate") {
    Capture(&item_.link, depth, ReadBudget(options_.limits.url));
  }
}

// media:starRating's average and media:statistics' views, as metrics.
void XmlFeedReader::StartItemMetric(Tag tag, const xmlChar** attributes, int nb_attributes) {
  if (tag == Tag::kMediaStarRating) {
    std::string average(Attr(attributes, nb_attributes, "average"));
    double rating = average.empty() ? 0 : std::strtod(average.c_str(), nullptr);
    if (!average.empty() && std::isfinite(rating)) item_.metrics.emplace_back("rating", rating);
  } else {
    std::string views(Attr(attributes, nb_attributes, "views"));
    double count = views.empty() ? 0 : std::strtod(views.c_str(), nullptr);
    if (!views.empty() && std::isfinite(count)) item_.metrics.emplace_back("views", count);
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
      if (IsAtom(ns) || !RawAttr(attributes, nb_attributes, "href").empty()) {
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
    case Tag::kGenerator:
      if (info_.generator.empty()) Capture(&info_.generator, depth);
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
  if (depth == skip_depth_) skip_depth_ = 0;
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
  skip_depth_ = 0;
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

}  // namespace brandmon::feedparse::feed_internal

#pragma once

// Internal to the feed parser: the SAX reader of RSS, RDF and Atom
// documents, which collects their items for the shared normalization.

#include <libxml/parser.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/safe_text.h"
#include "daemon/base/status.h"
#include "daemon/feedparse/feed_item.h"
#include "daemon/feedparse/feed_parser.h"
#include "daemon/feedparse/feed_xml_names.h"

namespace brandmon::feedparse::feed_internal {

// Dates, languages and counts are read up to this many bytes.
constexpr size_t kMaxShortCapture = 256;

// How much of a field with cap `limit` is read: room for the markup and
// entities that the way to plain text drops.
inline size_t ReadBudget(uint64_t limit) {
  return static_cast<size_t>(std::min<uint64_t>(limit, 1ull << 40)) * 4 + 4096;
}

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const {
    if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
    xmlFreeParserCtxt(ctxt);
  }
};

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
  void StartItemText(Tag tag, bool atom, size_t depth, const xmlChar** attributes, int nb_attributes);
  void StartItemSummary(TextKind kind, size_t depth);
  void StartItemAuthor(Tag tag, bool atom, size_t depth);
  void StartItemLink(bool atom, size_t depth, const xmlChar** attributes, int nb_attributes);
  void StartItemMetric(Tag tag, const xmlChar** attributes, int nb_attributes);
  void StartInFeed(Tag tag, Ns ns, size_t depth, const xmlChar** attributes, int nb_attributes);
  // Collects the text of the element at `depth` into *target, up to
  // `budget` bytes; *cut (when given) is set once text was skipped.
  void Capture(std::string* target, size_t depth, size_t budget = kMaxShortCapture, bool* cut = nullptr) {
    capture_ = target;
    capture_depth_ = depth;
    capture_budget_ = budget;
    capture_cut_ = cut;
  }
  void CaptureText(RawText& field, TextKind kind, size_t depth, uint64_t limit) {
    if (field.present) return;  // the first occurrence wins
    field.present = true;
    field.mode = kind.mode;
    field.base64 = kind.base64;
    Capture(&field.raw, depth, ReadBudget(limit), &field.cut);
  }
  // Captures a date, the latest occurrence winning (as in feedparser).
  void CaptureDate(std::string& target, size_t depth) {
    target.clear();
    Capture(&target, depth);
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
  const char* last_uri_ = nullptr;  // the namespace URI last classified, and its Ns
  Ns last_ns_ = Ns::kNone;
  std::string mismatched_end_;  // the end tag of the latest tag-mismatch error
  // xml:base values by the depth that set them; resolved against the outer
  // one when that is absolute.
  std::vector<std::pair<size_t, std::string>> bases_;
  Tag root_ = Tag::kOther;
  std::string root_name_;
  bool stopped_not_feed_ = false;
  size_t item_depth_ = 0;  // 0 = not in an item
  size_t author_depth_ = 0;
  // feedparser's reading of an item's texts: once a summary was seen, a
  // second one is the item's content, unless a content element came first.
  bool item_has_content_ = false;
  bool item_summary_seen_ = false;
  FeedItem item_;
  FeedInfo info_;
  std::vector<FeedItem> items_;
  std::string* capture_ = nullptr;
  size_t capture_depth_ = 0;
  size_t capture_budget_ = 0;
  bool* capture_cut_ = nullptr;
  // The depth of a script, style or applet element inside a captured text
  // field, whose text is skipped; 0 = none.
  size_t skip_depth_ = 0;
  bool capture_is_comments_ = false;
  std::string comments_;
  std::unordered_map<std::string, std::unique_ptr<UserEntity>> entities_;
  std::unordered_map<std::string, std::string> refused_entities_;
  size_t entity_bytes_ = 0;
  std::vector<std::string>* warnings_ = nullptr;
  size_t suppressed_ = 0;
  std::string first_fatal_;
};

}  // namespace brandmon::feedparse::feed_internal

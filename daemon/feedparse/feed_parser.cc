#include "daemon/feedparse/feed_parser.h"

#include <algorithm>
#include <vector>

#include "daemon/base/units.h"
#include "daemon/feedparse/feed_ampersand.h"
#include "daemon/feedparse/feed_encoding.h"
#include "daemon/feedparse/feed_item.h"
#include "daemon/feedparse/feed_xml_reader.h"

namespace brandmon::feedparse {

using feed_internal::AmpersandEscaper;
using feed_internal::EscapeStrayAmpersands;
using feed_internal::FeedInfo;
using feed_internal::FeedItem;
using feed_internal::XmlFeedReader;

namespace {

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

// Fuzzes ParseFeed: any bytes, in every format and with the charsets a server
// may announce, must parse without a crash and yield well-formed Mentions.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "daemon/base/mention.h"
#include "daemon/feedparse/feed_parser.h"
#include "daemon/text/utf8.h"

namespace {

using brandmon::Mention;
using brandmon::feedparse::FeedFormat;

class CheckingSink final : public brandmon::Sink {
 public:
  explicit CheckingSink(size_t max_items) : max_items_(max_items) {}
  void Emit(Mention m) override {
    // The contract of every plugin: a stable non-empty id, unique per document,
    // and text that is valid UTF-8 (the parser repairs what it reads).
    if (m.id.empty()) std::abort();
    if (!ids_.insert(m.id).second) std::abort();
    if (max_items_ != 0 && ids_.size() > max_items_) std::abort();
    for (const std::string* s : {&m.id, &m.url, &m.title, &m.text, &m.author}) {
      if (!brandmon::text::IsValidUtf8(*s)) std::abort();
    }
    // What plugins emit must survive the JSON Lines round trip used by file
    // and exec sources.
    auto back = brandmon::MentionFromJson(brandmon::MentionToJson(m));
    if (!back.ok() || back->id != m.id || back->text != m.text) std::abort();
  }
  void Warn(std::string) override {}

 private:
  size_t max_items_;
  std::set<std::string> ids_;
};

constexpr FeedFormat kFormats[] = {FeedFormat::kAuto, FeedFormat::kRss, FeedFormat::kAtom, FeedFormat::kRdf,
                                   FeedFormat::kJsonFeed};
constexpr const char* kCharsets[] = {"",         "utf-8",  "iso-8859-1", "windows-1252",   "utf-16",
                                     "utf-16le", "koi8-r", "shift_jis",  "no-such-charset"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  brandmon::feedparse::FeedParseOptions options;
  options.source = "fuzz";
  CheckingSink sink(0);
  (void)brandmon::feedparse::ParseFeed(bytes, options, sink);

  // A second pass with options picked from the input's size, so that every
  // input is also tried as a forced format under an announced charset.
  options.format = kFormats[size % std::size(kFormats)];
  options.charset = kCharsets[(size / std::size(kFormats)) % std::size(kCharsets)];
  options.base_url = "http://example.com/feeds/a/";
  options.max_items = 1 + size % 3;
  CheckingSink limited(options.max_items);
  (void)brandmon::feedparse::ParseFeed(bytes, options, limited);
  return 0;
}

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brandmon::feedparse {

// Text helpers shared by the feed parsers. All functions are pure and
// thread-safe.

// The code point of an HTML named entity ("nbsp" -> U+00A0), from the HTML 4
// table plus "apos"; nullopt when unknown.
std::optional<char32_t> LookupHtmlEntity(std::string_view name);

// Appends `cp` to `out` as UTF-8; invalid code points become U+FFFD.
void AppendUtf8(char32_t cp, std::string& out);

// Builds plain text: runs of whitespace (including U+00A0 and the Unicode
// spaces) become one space, with none at either end. Not thread-safe; owns
// nothing but a reference to `out`.
class PlainTextWriter {
 public:
  explicit PlainTextWriter(std::string& out) : out_(out) {}
  // Appends already-decoded text.
  void Text(std::string_view text);
  void CodePoint(char32_t cp);
  // Marks a word break (a block-level tag, a line break).
  void Break() { pending_space_ = !out_.empty(); }

 private:
  void Flush() {
    if (pending_space_) out_.push_back(' ');
    pending_space_ = false;
  }
  std::string& out_;
  bool pending_space_ = false;
};

// Collapses whitespace as PlainTextWriter does.
std::string CollapseWhitespace(std::string_view text);

// The bytes base64 `text` encodes (white space ignored, padding optional, a
// last incomplete group dropped); nullopt when it is not base64.
std::optional<std::string> DecodeBase64(std::string_view text);

// Plain text of an HTML fragment: tags dropped (block-level ones become a
// space), script/style/comments removed, entities decoded, whitespace
// collapsed. Text that is still HTML after one pass (double-encoded markup
// such as "&amp;lt;p&amp;gt;" in XML) is decoded once more.
std::string HtmlToText(std::string_view html);

}  // namespace brandmon::feedparse

#pragma once

// Internal to the feed parser: keeps the stray '&' of XML feeds as text.

#include <cstddef>
#include <string>
#include <string_view>

namespace brandmon::feedparse::feed_internal {

// Escapes '&' that starts no usable reference ("Q&A", "&bogus;") so that
// it survives as text, as lenient feed readers keep it; libxml2 would drop
// it. CDATA sections are left alone. Takes the document whole or in parts:
// what could be the start of a reference or of a CDATA marker at the end of
// a part waits for the next one. Thread-compatible.
class AmpersandEscaper {
 public:
  AmpersandEscaper() = default;

  // Appends `text` (the next part), escaped, to *out; `last` flushes.
  void Feed(std::string_view text, bool last, std::string& out);
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
std::string_view EscapeStrayAmpersands(std::string_view text, std::string& storage, size_t& escaped);

}  // namespace brandmon::feedparse::feed_internal

#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::feedparse {

// A document turned into UTF-8 for the XML parser.
struct Utf8Document {
  std::string storage;    // owns the bytes when they had to be converted or repaired
  std::string_view text;  // UTF-8, no BOM, no leading whitespace; into storage or the input
  std::string encoding;   // the encoding the bytes were read as, lowercase ("utf-8", "windows-1252")
};

// Decides the encoding of a feed and converts it to UTF-8, as feedparser
// does but repairing rather than re-guessing: a byte order mark wins, then the
// HTTP charset (when it is not contradicted by the bytes), then the encoding
// the XML declaration names, then UTF-16 sniffing, then UTF-8. ISO-8859-1 and
// US-ASCII are read as windows-1252 (as browsers do). Invalid UTF-8 bytes are
// read as windows-1252 one by one; control characters other than tab, CR and
// LF become spaces. Each repair and disagreement appends a warning.
// REQUIRES: `bytes` outlives the result (its text may point into it).
Utf8Document ToUtf8(std::string_view bytes, std::string_view http_charset, std::vector<std::string>& warnings);

// The encoding ToUtf8 reads `bytes` as (the start of a document is enough),
// by the same rules, appending the same warnings about charsets: "utf-8",
// "windows-1252", "utf-16le", "utf-16be" or another iconv name, lowercase;
// `bom` is the length of the byte order mark to skip.
struct EncodingChoice {
  std::string encoding;
  size_t bom = 0;
};
EncodingChoice ChooseEncoding(std::string_view bytes, std::string_view http_charset,
                              std::vector<std::string>& warnings);

// ToUtf8 for a document read in parts: converts each part as it comes, with
// the same repairs, keeping only an incomplete sequence between calls.
// Thread-compatible.
class Utf8Stream {
 public:
  // `encoding` as ChooseEncoding returns it.
  explicit Utf8Stream(std::string encoding);
  ~Utf8Stream();
  Utf8Stream(const Utf8Stream&) = delete;
  Utf8Stream& operator=(const Utf8Stream&) = delete;

  // Appends the UTF-8 of the next part of the document (after the byte
  // order mark) to *out. `last`: this is the end; nothing is kept back.
  void Convert(std::string_view bytes, bool last, std::string& out);
  // The repairs made so far, as ToUtf8 words them.
  void Warnings(std::vector<std::string>& warnings) const;

 private:
  struct Converter;
  std::string Iconvert(std::string_view bytes, bool last);

  std::string encoding_;
  std::unique_ptr<Converter> converter_;  // iconv, for UTF-16 and other encodings
  bool utf16_ = false;
  bool cp1252_ = false;
  std::string pending_;
  size_t read_ = 0;
  size_t first_fault_ = 0;
  size_t repaired_ = 0;
  size_t controls_ = 0;
  size_t undecodable_ = 0;
};

// `utf8` without the whitespace and byte order marks it starts with.
std::string_view StripLeadingSpaceAndBom(std::string_view utf8);

// The encoding named by an XML declaration at the start of `bytes` (ASCII
// compatible), lowercase, or "".
std::string DeclaredEncoding(std::string_view bytes);

}  // namespace brandmon::feedparse

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace brandmon::feed {

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

// The encoding named by an XML declaration at the start of `bytes` (ASCII
// compatible), lowercase, or "".
std::string DeclaredEncoding(std::string_view bytes);

}  // namespace brandmon::feed

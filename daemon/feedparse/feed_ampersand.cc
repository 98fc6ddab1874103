#include "daemon/feedparse/feed_ampersand.h"

#include <algorithm>
#include <cctype>

#include "daemon/feedparse/feed_text.h"

namespace brandmon::feedparse::feed_internal {

namespace {

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

}  // namespace

void AmpersandEscaper::Feed(std::string_view text, bool last, std::string& out) {
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

}  // namespace brandmon::feedparse::feed_internal

#include "daemon/feedparse/feed_text.h"

#include <libxml/HTMLparser.h>

#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace brandmon::feedparse {
namespace {

using EntityMap = std::unordered_map<std::string_view, char32_t>;

const EntityMap& HtmlEntities() {
  static const EntityMap map = [] {
    EntityMap m;
    // libxml2 only offers lookups, so the table is rebuilt from the reverse
    // lookup over the code point range HTML 4 entities use.
    for (unsigned int cp = 1; cp < 0x2700; ++cp) {
      const htmlEntityDesc* desc = htmlEntityValueLookup(cp);
      if (desc != nullptr && desc->value == cp) m.emplace(desc->name, cp);
    }
    m.emplace("apos", U'\'');
    return m;
  }();
  return map;
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Windows-1252 meanings of 0x80..0x9F, which HTML numeric references in that
// range mean in practice.
constexpr char32_t kCp1252High[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                      0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

// Decodes the reference starting at html[i] == '&'. On success appends the
// character, advances `i` past it and returns true.
bool DecodeReference(std::string_view html, size_t& i, PlainTextWriter& w) {
  size_t p = i + 1;
  if (p < html.size() && html[p] == '#') {
    ++p;
    bool hex = p < html.size() && (html[p] == 'x' || html[p] == 'X');
    if (hex) ++p;
    size_t start = p;
    uint32_t cp = 0;
    while (p < html.size() && p - start < 8) {
      char c = html[p];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        break;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      ++p;
    }
    if (p == start) return false;
    if (p < html.size() && html[p] == ';') ++p;
    if (cp >= 0x80 && cp < 0xA0) cp = kCp1252High[cp - 0x80];
    w.CodePoint(cp);
    i = p;
    return true;
  }
  size_t start = p;
  while (p < html.size() && p - start < 32 && IsAlnum(html[p])) ++p;
  if (p == start) return false;
  std::string_view name = html.substr(start, p - start);
  bool semicolon = p < html.size() && html[p] == ';';
  if (!semicolon) {
    // Browsers accept a few legacy references without the semicolon.
    if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "nbsp") return false;
  }
  auto cp = LookupHtmlEntity(name);
  if (!cp) return false;
  w.CodePoint(*cp);
  i = semicolon ? p + 1 : p;
  return true;
}

bool IsBlockTag(std::string_view name) {
  static constexpr std::string_view kBlock[] = {
      "address", "article", "aside",   "blockquote", "br", "dd", "div", "dl",     "dt",  "figcaption", "figure",
      "footer",  "h1",      "h2",      "h3",         "h4", "h5", "h6",  "header", "hr",  "li",         "ol",
      "p",       "pre",     "section", "table",      "td", "th", "tr",  "ul",     "img", "iframe"};
  for (auto b : kBlock) {
    if (name == b) return true;
  }
  return false;
}

// Tags whose content is never shown, which feedparser's sanitizer drops with
// their content (the other tags it drops keep their text).
bool IsRawTextTag(std::string_view name) { return name == "script" || name == "style" || name == "applet"; }

// Finds the end of the tag starting at html[i] == '<', honouring quoted
// attribute values. Returns npos when there is none.
size_t TagEnd(std::string_view html, size_t i) {
  char quote = 0;
  for (size_t p = i + 1; p < html.size(); ++p) {
    char c = html[p];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      // Only quotes that open an attribute value count.
      if (p > 0 && html[p - 1] == '=') quote = c;
    } else if (c == '>') {
      return p;
    }
  }
  return std::string_view::npos;
}

size_t FindCaseInsensitive(std::string_view hay, std::string_view needle, size_t from) {
  for (size_t p = from; p + needle.size() <= hay.size(); ++p) {
    size_t k = 0;
    while (k < needle.size() && Lower(hay[p + k]) == needle[k]) ++k;
    if (k == needle.size()) return p;
  }
  return std::string_view::npos;
}

// Handles the markup at html[i] == '<'. Returns false when it is a literal
// '<' (not followed by a tag).
bool SkipMarkup(std::string_view html, size_t& i, PlainTextWriter& w) {
  size_t n = html.size();
  if (i + 1 >= n) return false;
  char next = html[i + 1];
  if (next == '!') {
    if (html.substr(i, 4) == "<!--") {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? n : end + 3;
      return true;
    }
    if (html.substr(i, 9) == "<![CDATA[") {
      size_t end = html.find("]]>", i + 9);
      size_t stop = end == std::string_view::npos ? n : end;
      w.Text(html.substr(i + 9, stop - (i + 9)));
      i = end == std::string_view::npos ? n : end + 3;
      return true;
    }
    // A declaration (<!DOCTYPE ...>); "<!" before anything else, or with no
    // end, is text.
    size_t end = TagEnd(html, i);
    if (i + 2 >= n || !IsAlpha(html[i + 2]) || end == std::string_view::npos) return false;
    i = end + 1;
    return true;
  }
  bool closing = next == '/';
  size_t p = i + (closing ? 2 : 1);
  if (p >= n || !IsAlpha(html[p])) return false;
  char name_buf[12];
  size_t len = 0;
  while (p < n && (IsAlnum(html[p]) || html[p] == '-' || html[p] == ':')) {
    if (len < sizeof(name_buf)) name_buf[len] = Lower(html[p]);
    ++len;
    ++p;
  }
  size_t end = TagEnd(html, i);
  if (end == std::string_view::npos) return false;
  std::string_view name(name_buf, len <= sizeof(name_buf) ? len : 0);
  if (IsBlockTag(name)) w.Break();
  i = end + 1;
  if (!closing && IsRawTextTag(name) && html[end - 1] != '/') {
    std::string closer = "</" + std::string(name);
    size_t close = FindCaseInsensitive(html, closer, i);
    if (close == std::string_view::npos) {
      i = n;
    } else {
      size_t close_end = html.find('>', close);
      i = close_end == std::string_view::npos ? n : close_end + 1;
    }
  }
  return true;
}

void HtmlPass(std::string_view html, std::string& out) {
  PlainTextWriter w(out);
  size_t i = 0;
  size_t n = html.size();
  while (i < n) {
    size_t run = i;
    while (run < n && html[run] != '<' && html[run] != '&') ++run;
    if (run > i) w.Text(html.substr(i, run - i));
    i = run;
    if (i >= n) break;
    if (html[i] == '<' ? SkipMarkup(html, i, w) : DecodeReference(html, i, w)) continue;
    w.Text(html.substr(i, 1));
    ++i;
  }
}

// True when decoded text still carries markup: a known tag or an entity
// reference, which is what double-encoded feeds look like after one pass.
bool StillHtml(std::string_view text) {
  size_t i = 0;
  while ((i = text.find_first_of("<&", i)) != std::string_view::npos) {
    if (text[i] == '&') {
      std::string scratch;
      PlainTextWriter w(scratch);
      size_t j = i;
      if (DecodeReference(text, j, w) && j > i && text[j - 1] == ';') return true;
    } else {
      size_t p = i + 1;
      if (p < text.size() && text[p] == '/') ++p;
      size_t start = p;
      while (p < text.size() && IsAlnum(text[p])) ++p;
      std::string name(text.substr(start, p - start));
      for (char& c : name) c = Lower(c);
      bool known = IsBlockTag(name) || name == "a" || name == "b" || name == "i" || name == "em" || name == "strong" ||
                   name == "span" || name == "font" || name == "u";
      if (known && p < text.size() && (text[p] == '>' || text[p] == ' ' || text[p] == '/')) return true;
    }
    ++i;
  }
  return false;
}

}  // namespace

std::optional<char32_t> LookupHtmlEntity(std::string_view name) {
  const EntityMap& map = HtmlEntities();
  auto it = map.find(name);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void PlainTextWriter::Text(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* run = p;
    // Copy the longest stretch without whitespace candidates in one go.
    while (run < end) {
      unsigned char c = static_cast<unsigned char>(*run);
      if (c <= ' ' || c == 0xC2 || c == 0xE2 || c == 0xE3) break;
      ++run;
    }
    if (run > p) {
      Flush();
      out_.append(p, static_cast<size_t>(run - p));
      p = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(*p);
    size_t rest = static_cast<size_t>(end - p);
    if (c <= ' ') {
      // Control characters other than whitespace are dropped as a break too.
      Break();
      ++p;
    } else if (c == 0xC2 && rest >= 2 && static_cast<unsigned char>(p[1]) == 0xA0) {
      Break();
      p += 2;
    } else if (c == 0xC2 && rest >= 2 && static_cast<unsigned char>(p[1]) >= 0x80 &&
               static_cast<unsigned char>(p[1]) < 0xA0) {
      // C1 controls come from references like "&#150;" meant as windows-1252.
      Flush();
      AppendUtf8(kCp1252High[static_cast<unsigned char>(p[1]) - 0x80], out_);
      p += 2;
    } else if (c == 0xE2 && rest >= 3 && static_cast<unsigned char>(p[1]) == 0x80 &&
               ((static_cast<unsigned char>(p[2]) >= 0x80 && static_cast<unsigned char>(p[2]) <= 0x8A) ||
                static_cast<unsigned char>(p[2]) == 0xAF || static_cast<unsigned char>(p[2]) == 0xA8 ||
                static_cast<unsigned char>(p[2]) == 0xA9)) {
      Break();
      p += 3;
    } else if (c == 0xE3 && rest >= 3 && static_cast<unsigned char>(p[1]) == 0x80 &&
               static_cast<unsigned char>(p[2]) == 0x80) {
      Break();
      p += 3;
    } else {
      Flush();
      out_.push_back(static_cast<char>(c));
      ++p;
    }
  }
}

void PlainTextWriter::CodePoint(char32_t cp) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    Text(std::string_view(&c, 1));
    return;
  }
  std::string buf;
  AppendUtf8(cp, buf);
  Text(buf);
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  PlainTextWriter w(out);
  w.Text(text);
  return out;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int count = 0;
  size_t padding = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '/') {
      v = c == '+' ? 62 : 63;
    } else if (c == '=') {
      ++padding;
      continue;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else {
      return std::nullopt;
    }
    if (padding > 0) return std::nullopt;  // data after the padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>(bits >> 16));
      out.push_back(static_cast<char>(bits >> 8));
      out.push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (padding > 2) return std::nullopt;
  // A last group of one character holds no whole byte: text cut at its read
  // budget ends that way.
  if (count >= 2) out.push_back(static_cast<char>(bits >> (count == 2 ? 4 : 10)));
  if (count == 3) out.push_back(static_cast<char>(bits >> 2));
  return out;
}

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  HtmlPass(html, out);
  if (out.find_first_of("<&") != std::string::npos && StillHtml(out)) {
    std::string again;
    again.reserve(out.size());
    HtmlPass(out, again);
    return again;
  }
  return out;
}

}  // namespace brandmon::feedparse

#include "daemon/base/roff.h"

#include <vector>

#include "daemon/base/safe_text.h"

namespace brandmon {
namespace {

// The position of the marker closing the one at `open` (of `marker.size()`
// characters), or npos. Emphasis must hug its text ("*a*", not "a * b *").
size_t ClosingMarker(std::string_view text, size_t open, std::string_view marker) {
  size_t start = open + marker.size();
  if (start >= text.size() || (marker != "`" && text[start] == ' ')) return std::string_view::npos;
  size_t close = text.find(marker, start);
  if (close == std::string_view::npos || close == start) return std::string_view::npos;
  if (marker != "`" && text[close - 1] == ' ') return std::string_view::npos;
  return close;
}

void FlushParagraph(std::string& out, std::string& paragraph, bool item) {
  if (paragraph.empty()) return;
  out += item ? ".IP \\(bu 2\n" : ".PP\n";
  out += RoffInline(paragraph) + "\n";
  paragraph.clear();
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string RoffEscape(std::string_view text) {
  std::string safe = ReplaceUnsafe(text);
  std::string out;
  if (!safe.empty() && (safe.front() == '.' || safe.front() == '\'')) out = "\\&";
  for (char c : safe) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string RoffInline(std::string_view markdown) {
  struct Style {
    std::string_view marker;
    const char* font;
  };
  // Longest marker first, so that "**" is not read as two "*".
  static constexpr Style kStyles[] = {{"`", "\\fB"}, {"**", "\\fB"}, {"*", "\\fI"}};
  std::string out;
  size_t plain = 0;  // start of the text not written yet
  for (size_t i = 0; i < markdown.size();) {
    bool styled = false;
    for (const auto& s : kStyles) {
      if (markdown.substr(i, s.marker.size()) != s.marker) continue;
      size_t close = ClosingMarker(markdown, i, s.marker);
      if (close == std::string_view::npos) break;
      out += RoffEscape(markdown.substr(plain, i - plain));
      size_t start = i + s.marker.size();
      std::string_view inner = markdown.substr(start, close - start);
      out += s.font + (s.marker == "`" ? RoffEscape(inner) : RoffInline(inner)) + "\\fR";
      i = plain = close + s.marker.size();
      styled = true;
      break;
    }
    if (!styled) ++i;
  }
  out += RoffEscape(markdown.substr(plain));
  return out;
}

std::string RoffBlocks(std::string_view markdown) {
  std::string out, paragraph;
  bool item = false, comment = false;
  size_t start = 0;
  while (start < markdown.size()) {
    size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(start, end - start);
    start = end + 1;
    std::string_view trimmed = TrimLeft(line);
    if (comment || trimmed.starts_with("<!--")) {
      comment = trimmed.find("-->") == std::string_view::npos;
      continue;
    }
    if (trimmed.empty() || line.starts_with("# ")) {
      FlushParagraph(out, paragraph, item);
      item = false;
      continue;
    }
    if (line.starts_with("- ")) {
      FlushParagraph(out, paragraph, item);
      item = true;
      trimmed.remove_prefix(2);
    }
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += trimmed;
  }
  FlushParagraph(out, paragraph, item);
  return out;
}

}  // namespace brandmon

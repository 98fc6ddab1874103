#include "daemon/rules/mention_text.h"

#include <algorithm>
#include <span>

#include "daemon/base/safe_text.h"
#include "daemon/rules/text_cues.h"
#include "daemon/text/sentences.h"
#include "daemon/text/tokens.h"
#include "daemon/text/utf8.h"

namespace brandmon::rules {

namespace {

bool IsQuestionMark(const text::Token& t) { return t.kind == text::Token::Kind::kPunct && HasQuestionMark(t.text); }

// The code point just past the last token of `tokens` (not empty).
uint32_t EndOf(const std::vector<text::Token>& tokens) {
  const text::Token& last = tokens.back();
  return last.cp_begin + static_cast<uint32_t>(text::CountCodePoints(last.text));
}

// Appends the words of tokens [begin, end) of `field` and the sentence
// they make.
void AddSentence(const text::Tokens& field, size_t begin, size_t end, uint32_t cp_end, bool title, MentionText& out) {
  Sentence s;
  s.word_begin = static_cast<uint32_t>(out.words.size());
  AppendWords(field, begin, end, out.words);
  s.word_end = static_cast<uint32_t>(out.words.size());
  std::span<const text::Token> tokens = std::span(field.tokens()).subspan(begin, end - begin);
  s.cp_begin = tokens.front().cp_begin;
  s.cp_end = cp_end;
  s.title = title;
  s.question = std::any_of(tokens.begin(), tokens.end(), IsQuestionMark);
  out.sentences.push_back(s);
}

// The code point at field[i] into *c and its length in bytes; 0 for an
// invalid sequence (one byte, which the tokenizer's repair makes U+FFFD).
// ASCII, most of what people write, is read without decoding.
size_t CodePointAt(std::string_view field, size_t i, char32_t* c) {
  auto byte = static_cast<unsigned char>(field[i]);
  if (byte < 0x80) {
    *c = byte;
    return 1;
  }
  return DecodeUtf8At(field, i, c);
}

// The byte offset in `field` of code point `cp`, counting each invalid byte
// as one code point as the tokenizer's repair does; field.size() past the end.
size_t ByteOf(std::string_view field, uint32_t cp) {
  size_t i = 0;
  for (uint32_t n = 0; n < cp && i < field.size(); ++n) {
    if (static_cast<unsigned char>(field[i]) < 0x80) {  // most text: nothing to decode
      ++i;
      continue;
    }
    char32_t c = 0;
    size_t len = CodePointAt(field, i, &c);
    i += len == 0 ? 1 : len;
  }
  return i;
}

// `line` (valid UTF-8 of `length` code points) cut to at most `max` code
// points around code point `anchor`, at spaces where it can, "..." marking
// each cut.
std::string CutAround(const std::string& line, size_t length, size_t anchor, size_t max) {
  constexpr std::string_view kMark = "...";
  size_t room = max > 2 * kMark.size() ? max - 2 * kMark.size() : max;
  // The match sits in the first third of what is kept.
  size_t start_cp = anchor > room / 3 ? anchor - room / 3 : 0;
  start_cp = std::min(start_cp, length > room ? length - room : 0);
  size_t start = ByteOf(line, static_cast<uint32_t>(start_cp));
  size_t end = start + ByteOf(std::string_view(line).substr(start), static_cast<uint32_t>(room));
  size_t anchor_byte = start + ByteOf(std::string_view(line).substr(start), static_cast<uint32_t>(anchor - start_cp));
  if (start > 0) {
    size_t space = line.find(' ', start);
    if (space != std::string::npos && space < anchor_byte) start = space + 1;
  }
  if (end < line.size()) {
    size_t space = line.rfind(' ', end);
    if (space != std::string::npos && space > start) end = space;
  }
  return std::string(start > 0 ? kMark : "") + line.substr(start, end - start) +
         std::string(end < line.size() ? kMark : "");
}

}  // namespace

MentionText SplitMention(const text::Tokens& title, const text::Tokens& text) {
  MentionText out;
  const std::vector<text::Token>& title_tokens = title.tokens();
  const std::vector<text::Token>& text_tokens = text.tokens();
  out.words.reserve(title_tokens.size() + text_tokens.size());
  if (!title_tokens.empty()) AddSentence(title, 0, title_tokens.size(), EndOf(title_tokens), /*title=*/true, out);
  if (text_tokens.empty()) return out;
  thread_local std::vector<uint32_t> starts;  // reused from mention to mention
  text::SentenceStarts(text_tokens, &starts);
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t end = i + 1 < starts.size() ? starts[i + 1] : text_tokens.size();
    uint32_t cp_end = i + 1 < starts.size() ? text_tokens[end].cp_begin : EndOf(text_tokens);
    AddSentence(text, starts[i], end, cp_end, /*title=*/false, out);
  }
  return out;
}

MentionText SplitMention(const Mention& m) {
  text::Tokens title(m.title);
  text::Tokens text(m.text);
  return SplitMention(title, text);
}

double Salience(const Focus& focus, const std::vector<Sentence>& sentences) {
  if (focus.in_title || focus.text_sentences <= kShortTextSentences) return 1;
  uint32_t named_in_text = 0;
  bool lead = false;
  uint32_t first_text = sentences.empty() || !sentences[0].title ? 0 : 1;
  for (uint32_t s : focus.sentences) {
    if (sentences[s].title) continue;
    ++named_in_text;
    lead = lead || s < first_text + 2;
  }
  double share = std::min(1.0, 2.0 * named_in_text / focus.text_sentences);
  return std::max(lead ? 0.75 : 0.0, share);
}

uint32_t SentenceOfWord(const std::vector<Sentence>& sentences, uint32_t word) {
  auto it = std::upper_bound(sentences.begin(), sentences.end(), word,
                             [](uint32_t w, const Sentence& s) { return w < s.word_begin; });
  return it == sentences.begin() ? 0 : static_cast<uint32_t>(it - sentences.begin() - 1);
}

uint32_t SentenceAt(const std::vector<Sentence>& sentences, uint32_t cp, bool title) {
  auto n = static_cast<uint32_t>(sentences.size());
  uint32_t first_text = !sentences.empty() && sentences[0].title ? 1 : 0;
  if (title) return first_text == 1 ? 0 : n;
  if (first_text == n) return n;
  auto it = std::upper_bound(sentences.begin() + first_text, sentences.end(), cp,
                             [](uint32_t c, const Sentence& s) { return c < s.cp_begin; });
  return it == sentences.begin() + first_text ? first_text : static_cast<uint32_t>(it - sentences.begin() - 1);
}

Focus FocusOf(const std::vector<Sentence>& sentences, const std::vector<TermSpan>& spans,
              const std::vector<uint32_t>& named_at) {
  Focus f;
  for (const Sentence& s : sentences) f.text_sentences += s.title ? 0 : 1;
  if (sentences.empty()) return f;
  for (const TermSpan& span : spans) {
    uint32_t s = SentenceAt(sentences, span.start, span.title);
    if (s < sentences.size()) f.sentences.push_back(s);
  }
  for (uint32_t word : named_at) f.sentences.push_back(SentenceOfWord(sentences, word));
  std::sort(f.sentences.begin(), f.sentences.end());
  f.sentences.erase(std::unique(f.sentences.begin(), f.sentences.end()), f.sentences.end());
  f.named = static_cast<uint32_t>(std::max(spans.size(), named_at.size()));
  f.in_title = !f.sentences.empty() && sentences[f.sentences.front()].title;
  f.salience = Salience(f, sentences);
  return f;
}

std::string Quote::Cut(size_t max) const {
  return length <= max ? line : CutAround(line, length, std::min(anchor, length), max);
}

Quote QuoteOf(const Mention& m, const std::vector<Sentence>& sentences, uint32_t first, uint32_t last,
              uint32_t anchor) {
  Quote q;
  if (first > last || last >= sentences.size() || sentences[first].title != sentences[last].title) return q;
  std::string_view field = sentences[first].title || m.text.empty() ? m.title : m.text;
  uint32_t cp_begin = sentences[first].cp_begin, cp_end = sentences[last].cp_end;
  anchor = std::clamp(anchor, cp_begin, cp_end);
  q.anchor = SIZE_MAX;
  bool space = false;
  // One pass from the first sentence: invalid bytes become U+FFFD (one
  // code point each, as the tokenizer counts them), runs of whitespace one
  // space.
  uint32_t cp = cp_begin;
  for (size_t i = ByteOf(field, cp_begin); i < field.size() && cp < cp_end; ++cp) {
    char32_t c = 0;
    size_t len = CodePointAt(field, i, &c);
    std::string_view bytes = len > 0 ? field.substr(i, len) : std::string_view("\xEF\xBF\xBD");
    i += len > 0 ? len : 1;
    if (cp == anchor) q.anchor = q.length + (space ? 1 : 0);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !q.line.empty();
      continue;
    }
    if (space) {
      q.line += ' ';
      ++q.length;
      space = false;
    }
    q.line.append(bytes);
    ++q.length;
  }
  q.anchor = std::min(q.anchor, q.length);
  return q;
}

std::string Excerpt(const Mention& m, const std::vector<Sentence>& sentences, uint32_t first, uint32_t last,
                    uint32_t anchor, size_t max) {
  return QuoteOf(m, sentences, first, last, anchor).Cut(max);
}

}  // namespace brandmon::rules

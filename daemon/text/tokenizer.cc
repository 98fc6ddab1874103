#include "daemon/text/tokenizer.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>

#include "daemon/text/segmenter.h"
#include "daemon/text/utf8.h"

namespace brandmon::text {

namespace {

// Longest first, so that ":-))" is not read as ":-)".
constexpr std::array<std::string_view, 58> kEmoticons = {
    ":'-(", ":'-)", ">:-(", ">:(", ":-))", ":-((", ":-)", ":-(", ":-D", ":-P", ":-p", ":-O", ":-o", ":-/", ":-|",
    ":-*",  ";-)",  "=-)",  ":')", ":'(",  ":))",  ":((", "^_^", "^^",  "-_-", "T_T", ";_;", "o_O", "O_o", "</3",
    "<33",  "<3",   ":)",   ":(",  ":D",   ":P",   ":p",  ":O",  ":o",  ":/",  ":|",  ":*",  ":]",  ":[",  ":>",
    ":<",   ";)",   ";D",   ";P",  ";p",   "=)",   "=(",  "=D",  "8)",  "8-)", "xD",  "XD",  "xd"};

// Bit s of kEmoticonPairs[f]: some emoticon starts with bytes f, s (both ASCII).
constexpr std::array<std::array<uint64_t, 2>, 128> MakeEmoticonPairs() {
  std::array<std::array<uint64_t, 2>, 128> t{};
  for (std::string_view e : kEmoticons) {
    auto f = static_cast<unsigned char>(e[0]);
    auto s = static_cast<unsigned char>(e[1]);
    t[f][s / 64] |= uint64_t{1} << (s % 64);
  }
  return t;
}

constexpr std::array<std::array<uint64_t, 2>, 128> kEmoticonPairs = MakeEmoticonPairs();

// kAsciiClass marks the bytes of kEmoticonFirstBytes as emoticon starts.
constexpr bool FirstBytesListed() {
  for (std::string_view e : kEmoticons) {
    if (kEmoticonFirstBytes.find(e[0]) == std::string_view::npos) return false;
  }
  for (char c : kEmoticonFirstBytes) {
    bool starts = false;
    for (std::string_view e : kEmoticons) starts = starts || e[0] == c;
    if (!starts) return false;
  }
  return true;
}
static_assert(FirstBytesListed(), "kEmoticonFirstBytes must be the first bytes of the emoticons");

bool PrevIsBoundary(std::string_view text, size_t pos) {
  if (pos == 0) return true;
  auto c = static_cast<unsigned char>(text[pos - 1]);
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == '"' || c >= 0x80 || c == '.' || c == '!' ||
         c == ',';
}

bool IsWordCp(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  if (cp == 0x200C || cp == 0x200D) return false;  // joiners count only inside words
  return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}

bool IsDigit(char32_t cp) { return cp < 0x80 ? (cp >= '0' && cp <= '9') : u_isdigit(static_cast<UChar32>(cp)); }

bool IsSpace(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= '\t' && cp <= '\r');
  return u_isUWhiteSpace(static_cast<UChar32>(cp)) || cp == 0x200B || cp == 0xFEFF;
}

bool IsUpper(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  return u_isUUppercase(static_cast<UChar32>(cp));
}

bool IsLower(char32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z';
  return u_isULowercase(static_cast<UChar32>(cp));
}

bool IsEmojiModifier(char32_t cp) {
  return cp == 0xFE0F || cp == 0xFE0E || (cp >= 0x1F3FB && cp <= 0x1F3FF) || cp == 0x20E3 ||
         (cp >= 0xE0020 && cp <= 0xE007F);
}

// Treats Han and Kana as one group: Japanese mixes them inside one word.
Script Group(Script s) { return s == Script::kKana ? Script::kHan : s; }

class Scanner {
 public:
  Scanner(std::string_view text, const TokenizerOptions& options, std::vector<Token>* out)
      : text_(text), options_(options), out_(out) {}

  void Run() {
    while (pos_ < text_.size()) {
      auto b = static_cast<unsigned char>(text_[pos_]);
      if (b < 0x80) {
        // ASCII: one table look-up tells which scanners can start here.
        uint8_t cls = kAsciiClass[b];
        if (cls & kSpaceByte) {
          if (b == '\n' || b == '\r') line_break_ = true;
          Advance(pos_ + 1, 1);
          continue;
        }
        if ((cls & kUrlStart) && MayStartUrl() && TryUrl()) continue;
        if ((cls & kEmoticonStart) && TryEmoticon()) continue;
        if ((cls & kTagStart) && TryHandleOrHashtag(b)) continue;
        if (cls & kWordByte) {
          if (!ScanAsciiWord()) ScanWord();
        } else {
          Emit(Token::Kind::kPunct, pos_, pos_ + 1, cp_, Script::kCommon);
          Advance(pos_ + 1, 1);
        }
        continue;
      }
      size_t next = pos_;
      char32_t cp = DecodeUtf8(text_, &next);
      if (IsSpace(cp)) {
        if (cp == 0x2028 || cp == 0x2029) line_break_ = true;
        Advance(next, 1);
        continue;
      }
      if (TryEmoji(cp)) continue;
      if (IsWordCp(cp)) {
        ScanWord();
      } else {
        Emit(Token::Kind::kPunct, pos_, next, cp_, Script::kCommon);
        Advance(next, 1);
      }
    }
  }

 private:
  void Advance(size_t to, uint32_t cps) {
    pos_ = to;
    cp_ += cps;
  }

  [[gnu::always_inline]] Token& Emit(Token::Kind kind, size_t begin, size_t end, uint32_t cp_begin, Script script) {
    Token& t = out_->emplace_back();
    t.text = std::string_view(text_.data() + begin, end - begin);
    t.begin = static_cast<uint32_t>(begin);
    t.cp_begin = cp_begin;
    t.kind = kind;
    t.script = script;
    t.line_break_before = line_break_;
    line_break_ = false;
    return t;
  }

  // "ht" or "ww": the only starts TryUrl can accept, checked before it runs.
  bool MayStartUrl() const {
    if (pos_ + 4 > text_.size()) return false;
    char second = static_cast<char>(text_[pos_ + 1] | 0x20);
    return ((text_[pos_] | 0x20) == 'h') ? second == 't' : second == 'w';
  }

  bool TryUrl() {
    char first = static_cast<char>(text_[pos_] | 0x20);
    if (first != 'h' && first != 'w') return false;
    std::string_view rest = text_.substr(pos_);
    if (!(StartsWithAsciiNoCase(rest, "http://") || StartsWithAsciiNoCase(rest, "https://") ||
          StartsWithAsciiNoCase(rest, "www."))) {
      return false;
    }
    size_t end = pos_;
    uint32_t cps = 0;
    while (end < text_.size()) {
      size_t next = end;
      if (IsSpace(DecodeUtf8(text_, &next))) break;
      end = next;
      ++cps;
    }
    Emit(Token::Kind::kUrl, pos_, end, cp_, Script::kLatin);
    Advance(end, cps);
    return true;
  }

  bool TryEmoticon() {
    size_t n = EmoticonAt(text_, pos_);
    if (n == 0) return false;
    Emit(Token::Kind::kEmoticon, pos_, pos_ + n, cp_, Script::kCommon);
    Advance(pos_ + n, static_cast<uint32_t>(n));
    return true;
  }

  bool TryEmoji(char32_t cp) {
    if (!IsEmojiStart(cp)) return false;
    size_t begin = pos_;
    uint32_t cp_begin = cp_;
    bool regional = cp >= 0x1F1E6 && cp <= 0x1F1FF;
    size_t next = pos_;
    DecodeUtf8(text_, &next);
    Advance(next, 1);
    int regional_count = regional ? 1 : 0;
    while (pos_ < text_.size()) {
      next = pos_;
      char32_t c = DecodeUtf8(text_, &next);
      if (IsEmojiModifier(c)) {
        Advance(next, 1);
      } else if (c == 0x200D && next < text_.size()) {
        size_t after = next;
        char32_t joined = DecodeUtf8(text_, &after);
        if (!IsEmojiStart(joined)) break;
        Advance(after, 2);
      } else if (regional && regional_count == 1 && c >= 0x1F1E6 && c <= 0x1F1FF) {
        ++regional_count;
        Advance(next, 1);
      } else {
        break;
      }
    }
    Emit(Token::Kind::kEmoji, begin, pos_, cp_begin, Script::kCommon);
    return true;
  }

  bool TryHandleOrHashtag(char32_t cp) {
    if (cp != '@' && cp != '#') return false;
    if (pos_ + 1 >= text_.size()) return false;
    size_t next = pos_ + 1;
    if (!IsWordCp(DecodeUtf8(text_, &next))) return false;
    size_t begin = pos_;
    uint32_t cp_begin = cp_;
    size_t end = pos_ + 1;
    uint32_t cps = 1;
    while (end < text_.size()) {
      size_t n = end;
      char32_t c = DecodeUtf8(text_, &n);
      if (!IsWordCp(c) && c != '_' && c != 0x200C && c != 0x200D) break;
      end = n;
      ++cps;
    }
    if (cp == '@') {
      Emit(Token::Kind::kHandle, begin, end, cp_begin, Script::kCommon);
      Advance(end, cps);
      return true;
    }
    Emit(Token::Kind::kHashtag, begin, end, cp_begin, Script::kCommon);
    std::string_view body = text_.substr(begin + 1, end - begin - 1);
    parts_.clear();
    SplitHashtag(body, &parts_);
    for (std::string_view part : parts_) {
      size_t part_begin = static_cast<size_t>(part.data() - text_.data());
      Token& t =
          Emit(Token::Kind::kWord, part_begin, part_begin + part.size(),
               cp_begin + 1 + static_cast<uint32_t>(CountCodePoints(text_.substr(begin + 1, part_begin - begin - 1))),
               FirstScript(part));
      t.in_hashtag = true;
    }
    Advance(end, cps);
    return true;
  }

  static Script FirstScript(std::string_view word) {
    size_t i = 0;
    while (i < word.size()) {
      Script s = ScriptOf(DecodeUtf8(word, &i));
      if (s != Script::kCommon) return s;
    }
    return Script::kCommon;
  }

  // Emits the word at pos_ when it is only ASCII letters and digits and ends
  // at an ASCII byte that cannot join it to more (most words); otherwise
  // returns false with nothing consumed, for ScanWord. Kept small so that it
  // inlines into Run.
  bool ScanAsciiWord() {
    const char* const start = text_.data() + pos_;
    const char* const text_end = text_.data() + text_.size();
    const char* p = start;
    uint8_t seen = 0;
    while (p < text_end) {
      uint8_t cls = kAsciiClass[static_cast<unsigned char>(*p)];
      if (!(cls & kWordByte)) break;
      seen |= cls;
      ++p;
    }
    bool letters = (seen & (kUpperByte | kLowerByte)) != 0;
    if (p < text_end) {
      auto b = static_cast<unsigned char>(*p);
      if (b >= 0x80 || b == '\'' || b == '-' || (!letters && (b == '.' || b == ','))) return false;
    }
    size_t begin = pos_;
    size_t end = static_cast<size_t>(p - text_.data());
    uint32_t cp_begin = cp_;
    Advance(end, static_cast<uint32_t>(end - begin));
    if (!letters) {
      Emit(Token::Kind::kNumber, begin, end, cp_begin, Script::kCommon);
    } else {
      // Upper-case letters are counted only in the rare word without a lower-case one.
      bool all_caps = false;
      if (!(seen & kLowerByte)) {
        int upper = 0;
        for (const char* q = start; q < p; ++q) {
          upper += (kAsciiClass[static_cast<unsigned char>(*q)] & kUpperByte) != 0;
        }
        all_caps = upper >= 2;
      }
      Emit(Token::Kind::kWord, begin, end, cp_begin, Script::kLatin).all_caps = all_caps;
    }
    // Most words are followed by one space: skip it here rather than in Run.
    if (p < text_end && *p == ' ') Advance(end + 1, 1);
    return true;
  }

  // A word ends at a non-word code point or where the script changes, so that
  // "Acmeનો" gives the brand and the Gujarati suffix apart.
  void ScanWord() {
    size_t begin = pos_;
    uint32_t cp_begin = cp_;
    Script script = Script::kCommon;
    bool any_kana = false;
    bool all_digits = true;
    int upper = 0, lower = 0;
    // Fast path for the ASCII letters and digits most words are made of; the
    // general loop below takes over at anything else.
    uint8_t seen = 0;
    const char* p = text_.data() + pos_;
    const char* const text_end = text_.data() + text_.size();
    while (p < text_end) {
      uint8_t cls = kAsciiClass[static_cast<unsigned char>(*p)];
      if (!(cls & kWordByte)) break;
      seen |= cls;
      upper += (cls & kUpperByte) != 0;
      ++p;
    }
    if (seen & (kUpperByte | kLowerByte)) {
      all_digits = false;
      script = Script::kLatin;
      lower = (seen & kLowerByte) ? 1 : 0;  // only "none" matters below
    }
    size_t fast_end = static_cast<size_t>(p - text_.data());
    cp_ += static_cast<uint32_t>(fast_end - pos_);
    pos_ = fast_end;
    // The word ends at an ASCII byte that cannot join two parts of a word.
    bool ends_here = pos_ == text_.size();
    if (!ends_here) {
      auto b = static_cast<unsigned char>(text_[pos_]);
      ends_here = b < 0x80 && b != '\'' && b != '-' && !(all_digits && (b == '.' || b == ','));
    }
    while (!ends_here && pos_ < text_.size()) {
      size_t next = pos_ + 1;
      char32_t c = static_cast<unsigned char>(text_[pos_]);
      if (c >= 0x80) {
        next = pos_;
        c = DecodeUtf8(text_, &next);
      }
      bool inner_joint = (c == '\'' || c == 0x2019 || c == '-' || c == 0x200C || c == 0x200D ||
                          (all_digits && (c == '.' || c == ','))) &&
                         pos_ > begin && next < text_.size();
      if (inner_joint) {
        size_t after = next;
        char32_t follow = DecodeUtf8(text_, &after);
        if (!IsWordCp(follow) || (all_digits && (c == '.' || c == ',') && !IsDigit(follow))) break;
        Advance(next, 1);
        continue;
      }
      if (!IsWordCp(c)) break;
      Script s = ScriptOf(c);
      if (s != Script::kCommon) {
        if (script == Script::kCommon) {
          script = s;
        } else if (Group(s) != Group(script)) {
          break;
        }
        if (s == Script::kKana) any_kana = true;
      }
      if (!IsDigit(c)) all_digits = false;
      if (IsUpper(c)) ++upper;
      if (IsLower(c)) ++lower;
      Advance(next, 1);
    }
    if (any_kana) script = Script::kKana;
    EmitWord(begin, cp_begin, script, all_digits, upper >= 2 && lower == 0);
  }

  // Emits what ScanWord read, text_[begin, pos_): a number, a word, or the
  // words of a text in a script written without spaces.
  __attribute__((always_inline)) void EmitWord(size_t begin, uint32_t cp_begin, Script script, bool all_digits,
                                               bool all_caps) {
    if (all_digits) {
      Emit(Token::Kind::kNumber, begin, pos_, cp_begin, Script::kCommon);
      return;
    }
    if (options_.segment_unspaced && IsUnspacedScript(script)) {
      parts_.clear();
      SegmentWords(text_.substr(begin, pos_ - begin), &parts_);
      for (std::string_view part : parts_) {
        size_t part_begin = static_cast<size_t>(part.data() - text_.data());
        Emit(Token::Kind::kWord, part_begin, part_begin + part.size(),
             cp_begin + static_cast<uint32_t>(CountCodePoints(text_.substr(begin, part_begin - begin))), script);
      }
      return;
    }
    Token& t = Emit(Token::Kind::kWord, begin, pos_, cp_begin, script);
    t.all_caps = all_caps;
  }

  std::string_view text_;
  const TokenizerOptions& options_;
  std::vector<Token>* out_;
  std::vector<std::string_view> parts_;
  size_t pos_ = 0;
  uint32_t cp_ = 0;
  bool line_break_ = false;
};

}  // namespace

size_t EmoticonAt(std::string_view text, size_t pos) {
  // Every emoticon has two bytes or more: a table of the first two rules
  // most candidates out before the list is read.
  auto c = static_cast<unsigned char>(text[pos]);
  if (c >= 0x80 || !(kAsciiClass[c] & kEmoticonStart) || pos + 1 >= text.size()) return 0;
  auto second = static_cast<unsigned char>(text[pos + 1]);
  if (second >= 0x80 || !((kEmoticonPairs[c][second / 64] >> (second % 64)) & 1)) return 0;
  if (!PrevIsBoundary(text, pos)) return 0;
  std::string_view rest = text.substr(pos);
  // Most words start with a letter; only "xD", "o_O", "T_T" and "8)" make one an emoticon.
  if (IsWordCp(c) && rest[1] != '_' && rest[1] != 'D' && rest[1] != 'd' && rest[1] != ')' && rest[1] != '-') return 0;
  for (std::string_view e : kEmoticons) {
    // The second byte rules most out without a string comparison.
    if (rest.size() < e.size() || rest[1] != e[1] || rest.substr(0, e.size()) != e) continue;
    // A letter or digit right after ":D" or "xD" makes it part of a word.
    if (rest.size() > e.size()) {
      auto after = static_cast<unsigned char>(rest[e.size()]);
      if (after < 0x80 && IsWordCp(after)) continue;
    }
    return e.size();
  }
  return 0;
}

bool IsEmojiStart(char32_t cp) {
  if (cp < 0x2000) return cp == 0xA9 || cp == 0xAE;
  if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return true;
  return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_EXTENDED_PICTOGRAPHIC);
}

void SplitHashtag(std::string_view body, std::vector<std::string_view>* out) {
  size_t start = 0;
  size_t i = 0;
  char32_t prev = 0;
  auto flush = [&](size_t end) {
    if (end > start) out->push_back(body.substr(start, end - start));
  };
  while (i < body.size()) {
    size_t at = i;
    char32_t c = DecodeUtf8(body, &i);
    if (c == '_') {
      flush(at);
      start = i;
      prev = 0;
      continue;
    }
    bool split = prev != 0 && ((IsLower(prev) && IsUpper(c)) || (IsDigit(prev) != IsDigit(c)));
    // "USAToday": an upper-case letter followed by a lower one starts a word.
    if (!split && prev != 0 && IsUpper(prev) && IsUpper(c) && i < body.size()) {
      size_t j = i;
      if (IsLower(DecodeUtf8(body, &j))) split = true;
    }
    if (split) {
      flush(at);
      start = at;
    }
    prev = c;
  }
  flush(body.size());
}

void Tokenize(std::string_view text, const TokenizerOptions& options, std::vector<Token>* out) {
  out->clear();
  // Most tokens are followed by a space, so this rarely grows again; capped so
  // that one long text does not make every later call hold a large buffer.
  constexpr size_t kMaxReserve = 4096;
  out->reserve(std::min(text.size() / 2 + 8, kMaxReserve));
  Scanner(text, options, out).Run();
}

}  // namespace brandmon::text

#include "daemon/text/fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>
#include <cassert>

namespace brandmon::text {

namespace {

// Format characters (ZWJ, ZWNJ, soft hyphen) and variation selectors vanish
// without splitting the word they sit in: ZWNJ is common inside Persian and
// Indic words, and U+FE0F follows most emoji.
constexpr uint8_t kIgnorable = 16;
// The code point may compose with a neighbour under NFC (its NFC quick check
// is not "yes"): a text holding one may not be NFC.
constexpr uint8_t kNfcUnsure = 32;
// The code point's canonical combining class is not 0: marks in a row must
// come in the order of their classes.
constexpr uint8_t kNonStarter = 64;

// kNfcUnsure and kNonStarter for `cp`, and its canonical combining class
// into *ccc.
uint8_t NfcFlags(char32_t cp, uint8_t* ccc) {
  *ccc = u_getCombiningClass(static_cast<UChar32>(cp));
  uint8_t flags = *ccc != 0 ? kNonStarter : 0;
  if (u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NFC_QUICK_CHECK) != UNORM_YES) flags |= kNfcUnsure;
  return flags;
}

bool IsNoSpaceScript(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(static_cast<UChar32>(cp), &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_KATAKANA_OR_HIRAGANA:
    case USCRIPT_BOPOMOFO:
    // Korean is written with spaces, but particles attach to nouns ("삼성이"),
    // so Hangul terms must match inside words too.
    case USCRIPT_HANGUL:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
    case USCRIPT_YI:
    case USCRIPT_TAI_LE:
    case USCRIPT_NEW_TAI_LUE:
    case USCRIPT_LANNA:
    case USCRIPT_TAI_VIET: return true;
    default: return false;
  }
}

bool IsKeptPunct(char32_t cp) {
  switch (cp) {
    case '#':
    case '@':
    case '$':
    case '.':
    case '/':
    case ':':
    case '&':
    case '+':
    case '\'':
    case 0x2019:  // right single quotation mark, the usual typographic apostrophe
    case 0xFF03:
    case 0xFF20:
    case 0xFF04:
    case 0xFF0E:
    case 0xFF0F:
    case 0xFF1A:
    case 0xFF06:
    case 0xFF0B:
    case 0xFF07:  // full-width forms of the above
      return true;
    default: return false;
  }
}

uint8_t ComputeFlags(char32_t cp) {
  if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF)) return kIgnorable;
  int8_t type = u_charType(static_cast<UChar32>(cp));
  uint8_t flags = 0;
  switch (type) {
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK: flags = kWordChar | kMark; break;
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
    case U_CONNECTOR_PUNCTUATION: flags = kWordChar; break;
    case U_FORMAT_CHAR: return kIgnorable;
    default: return IsKeptPunct(cp) ? kKeptPunct : 0;
  }
  if (IsNoSpaceScript(cp)) flags |= kNoSpace;
  return flags;
}

// Marks that distinguish accented letters rather than letters themselves:
// the combining diacritics blocks, Hebrew points and Arabic harakat.
bool IsDiacritic(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x0591 && c <= 0x05C7) ||
         (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED);
}

// Letters with a stroke or ligatures that do not decompose, spelled without
// them by people who type no diacritics.
std::u32string_view PlainLetter(char32_t c) {
  switch (c) {
    case 0x00F8: return U"o";   // ø
    case 0x0142: return U"l";   // ł
    case 0x0111: return U"d";   // đ
    case 0x0127: return U"h";   // ħ
    case 0x0131: return U"i";   // ı
    case 0x0167: return U"t";   // ŧ
    case 0x00E6: return U"ae";  // æ
    case 0x0153: return U"oe";  // œ
    default: return {};
  }
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The decomposed, case-folded form of one code point. Decomposition (NFKD)
// rather than composition lets a precomposed "é" and "e" + U+0301 fold alike
// without looking across characters. Hangul syllables stay whole so that a
// syllable never matches inside another.
std::u32string CaseFoldDecomposed(char32_t cp) {
  if (cp >= 0xAC00 && cp <= 0xD7A3) return std::u32string(1, cp);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status)) return std::u32string(1, cp);
  // Most code points (ideographs, most letters of most scripts) neither
  // decompose nor fold: ICU's data says so without building strings, which
  // makes the table (built on first use, by every program) several times
  // quicker to build.
  if (nfkd->isInert(static_cast<UChar32>(cp)) &&
      !u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_CHANGES_WHEN_CASEFOLDED)) {
    return std::u32string(1, cp);
  }
  icu::UnicodeString s(static_cast<UChar32>(cp));
  icu::UnicodeString d = nfkd->normalize(s, status);
  d.foldCase(U_FOLD_CASE_DEFAULT);
  d = nfkd->normalize(d, status);
  if (U_FAILURE(status)) return std::u32string(1, cp);
  std::u32string out;
  for (int32_t i = 0; i < d.length();) {
    UChar32 c = d.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

std::string FoldCodePoint(const std::u32string& decomposed, FoldMode mode) {
  std::string out;
  for (char32_t c : decomposed) {
    if (c == 0x2019 || c == 0xFF07) c = '\'';
    if (mode == FoldMode::kNoDiacritics) {
      if (IsDiacritic(c)) continue;
      if (auto plain = PlainLetter(c); !plain.empty()) {
        for (char32_t p : plain) AppendUtf8(p, out);
        continue;
      }
    }
    if (ComputeFlags(c) & (kWordChar | kKeptPunct)) AppendUtf8(c, out);
  }
  return out;
}

// Whether FoldCodePoint({c}, mode) is `c` itself in both modes, for a word or
// kept punctuation character `c` that CaseFoldDecomposed leaves alone: no
// apostrophe to rewrite, nothing kNoDiacritics drops or replaces. Mirrors
// the loop above: a change there changes this.
bool FoldsToItself(char32_t c) { return c != 0x2019 && c != 0xFF07 && !IsDiacritic(c) && PlainLetter(c).empty(); }

// The code point's simple case folding is another code point (AppendFolded).
constexpr uint8_t kCaseFolds = 128;

// Flags and folded forms of every BMP code point, computed once: per-character
// ICU calls would cost more than the rest of matching together.
struct FoldTable {
  struct Entry {
    uint32_t offset[2] = {0, 0};
    uint8_t length[2] = {0, 0};
    uint8_t flags = 0;
    uint8_t ccc = 0;  // canonical combining class
  };
  std::vector<Entry> bmp;
  std::string pool;
  std::array<uint8_t, 128> ascii_flags{};
  std::array<char, 128> ascii_lower{};
};

FoldTable BuildTable() {
  FoldTable t;
  t.bmp.resize(0x10000);
  for (char32_t cp = 0; cp < 0x10000; ++cp) {
    FoldTable::Entry& e = t.bmp[cp];
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    e.flags = ComputeFlags(cp) | NfcFlags(cp, &e.ccc);
    if (u_foldCase(static_cast<UChar32>(cp), U_FOLD_CASE_DEFAULT) != static_cast<UChar32>(cp)) e.flags |= kCaseFolds;
    if (!(e.flags & (kWordChar | kKeptPunct))) continue;
    std::u32string decomposed = CaseFoldDecomposed(cp);
    if (decomposed.size() == 1 && decomposed[0] == cp && FoldsToItself(cp)) {
      // Most code points: one copy in the pool serves both modes.
      e.offset[0] = e.offset[1] = static_cast<uint32_t>(t.pool.size());
      size_t before = t.pool.size();
      AppendUtf8(cp, t.pool);
      e.length[0] = e.length[1] = static_cast<uint8_t>(t.pool.size() - before);
      continue;
    }
    for (int mode = 0; mode < 2; ++mode) {
      std::string folded = FoldCodePoint(decomposed, static_cast<FoldMode>(mode));
      assert(folded.size() < 256);
      e.offset[mode] = static_cast<uint32_t>(t.pool.size());
      e.length[mode] = static_cast<uint8_t>(folded.size());
      t.pool += folded;
    }
  }
  for (int c = 0; c < 128; ++c) {
    t.ascii_flags[c] = t.bmp[c].flags;
    t.ascii_lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return t;
}

const FoldTable& Table() {
  static const FoldTable table = BuildTable();
  return table;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
size_t DecodeSequence(std::string_view s, size_t i, char32_t* cp) {
  auto b0 = static_cast<unsigned char>(s[i]);
  size_t len;
  char32_t c;
  char32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

// Decodes the character that ends just before s[end]. REQUIRES: end > 0 and s
// valid UTF-8 up to end.
char32_t DecodeBefore(std::string_view s, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  char32_t cp = 0xFFFD;
  if (DecodeSequence(s, start, &cp) == 0) return 0xFFFD;
  return cp;
}

char32_t DecodeAt(std::string_view s, size_t pos) {
  char32_t cp = 0xFFFD;
  if (DecodeSequence(s, pos, &cp) == 0) return 0xFFFD;
  return cp;
}

// Sizes the output buffers for `cap` bytes; returns `cap`.
__attribute__((always_inline)) inline size_t Reserve(FoldedText* out, size_t cap) {
  out->bytes.resize(cap);
  out->source.resize(cap + 1);
  return cap;
}

// What FoldImpl learns of the text beside its fold (FoldText's result).
// Starters that cannot compose (nearly every character) cost one test of
// flags already loaded; a mark is compared with the mark just before it, if
// any (`mark_end`): starters and ASCII between them have class 0.
struct NfcCheck {
  bool valid = true;  // UTF-8
  bool plain = true;  // passes the NFC quick check
  uint8_t prev_ccc = 0;
  size_t mark_end = 0;  // where the last non-starter ended
  __attribute__((always_inline)) void See(size_t begin, size_t end, uint8_t flags, uint8_t ccc) {
    if (__builtin_expect((flags & (kNfcUnsure | kNonStarter)) != 0, 0)) SeeMark(begin, end, flags, ccc);
  }
  void SeeMark(size_t begin, size_t end, uint8_t flags, uint8_t ccc) {
    // A character that may compose, or marks out of canonical order.
    if ((flags & kNfcUnsure) || (begin == mark_end && ccc < prev_ccc)) plain = false;
    if (flags & kNonStarter) {
      prev_ccc = ccc;
      mark_end = end;
    }
  }
};

// FoldImpl's step for the character at text[i] (not ASCII): folds it through
// `emit`, or makes it a `separator`, and moves i past it. Inlined, so that
// the loop's state stays in FoldImpl's locals.
template <typename Emit, typename Separator>
__attribute__((always_inline)) inline void FoldWide(const FoldTable& t, std::string_view text, FoldMode mode, size_t& i,
                                                    std::string& scratch, NfcCheck& nfc, Emit& emit,
                                                    Separator& separator) {
  char32_t cp;
  size_t len = DecodeSequence(text, i, &cp);
  if (len == 0) {
    nfc.valid = false;
    separator();
    ++i;
    return;
  }
  i += len;
  uint8_t f;
  if (cp < 0x10000) {
    const FoldTable::Entry& e = t.bmp[cp];
    f = e.flags;
    nfc.See(i - len, i, f, e.ccc);
    if (f & (kWordChar | kKeptPunct)) {
      const int m = static_cast<int>(mode);
      emit(t.pool.data() + e.offset[m], e.length[m], f, text.size() - i);
      return;
    }
  } else {
    uint8_t ccc = 0;
    nfc.See(i - len, i, NfcFlags(cp, &ccc), ccc);
    f = ComputeFlags(cp);
    if (f & (kWordChar | kKeptPunct)) {
      scratch = FoldCodePoint(CaseFoldDecomposed(cp), mode);
      emit(scratch.data(), scratch.size(), f, text.size() - i);
      return;
    }
  }
  if (!(f & kIgnorable)) separator();
}

// The folding loop, the matcher's hot path. State lives in locals and the
// output is written through raw pointers into buffers sized up front: with
// the state in an object, every char store could alias it and forced
// reloads. ASCII never folds longer than its input (a space needs a
// separator before it), so only other characters check for room.
template <bool kWantWords>
TextForm FoldImpl(std::string_view text, FoldMode mode, FoldedText* out) {
  const FoldTable& t = Table();
  out->word_starts.clear();
  size_t cap = Reserve(out, text.size() + 16);
  char* ob = out->bytes.data();
  uint32_t* os = out->source.data();
  size_t n = 0;
  bool pending_space = false;
  uint32_t space_source = 0;
  uint8_t prev_flags = 0;
  uint32_t cp_index = 0;

  auto separator = [&]() __attribute__((always_inline)) {
    if (!pending_space) {
      pending_space = true;
      space_source = cp_index;
    }
    prev_flags = 0;
  };
  auto space_if_pending = [&]() __attribute__((always_inline)) {
    if (pending_space) {
      if (n > 0) {
        ob[n] = ' ';
        os[n++] = space_source;
      }
      pending_space = false;
    }
  };
  auto word_start = [&](uint8_t flags) __attribute__((always_inline)) {
    if (kWantWords && (flags & kWordChar) && !(flags & kMark) &&
        (!(prev_flags & kWordChar) || ((flags | prev_flags) & kNoSpace))) {
      out->word_starts.push_back(static_cast<uint32_t>(n));
    }
  };
  auto emit = [&](const char* bytes, size_t len, uint8_t flags, size_t input_left) __attribute__((always_inline)) {
    if (len == 0) return;
    size_t need = n + len + input_left + 2;
    if (need > cap) {
      cap = Reserve(out, std::max(need, cap * 2));
      ob = out->bytes.data();
      os = out->source.data();
    }
    space_if_pending();
    word_start(flags);
    for (size_t k = 0; k < len; ++k) {
      ob[n] = bytes[k];
      os[n++] = cp_index;
    }
    prev_flags = flags;
  };

  std::string scratch;
  NfcCheck nfc;
  const size_t size = text.size();
  for (size_t i = 0; i < size; ++cp_index) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      uint8_t f = t.ascii_flags[b];
      ++i;
      if (f & (kWordChar | kKeptPunct)) {
        space_if_pending();
        word_start(f);
        ob[n] = t.ascii_lower[b];
        os[n++] = cp_index;
        prev_flags = f;
      } else {
        separator();
      }
      continue;
    }
    FoldWide(t, text, mode, i, scratch, nfc, emit, separator);
  }
  // Trailing separators are not part of the last word, so the end maps to
  // the first of them.
  os[n] = pending_space ? space_source : cp_index;
  out->bytes.resize(n);
  out->source.resize(n + 1);
  if (!nfc.valid) return TextForm::kInvalidUtf8;
  return nfc.plain ? TextForm::kNfc : TextForm::kMaybeNotNfc;
}

}  // namespace

uint8_t CharFlagsOf(char32_t cp) {
  const FoldTable& t = Table();
  uint8_t f = cp < 0x10000 ? t.bmp[cp].flags : ComputeFlags(cp);
  return f & static_cast<uint8_t>(~(kIgnorable | kNfcUnsure | kNonStarter | kCaseFolds));
}

uint32_t FoldedText::WordAt(size_t pos) const {
  auto it = std::upper_bound(word_starts.begin(), word_starts.end(), static_cast<uint32_t>(pos));
  return it == word_starts.begin() ? 0 : static_cast<uint32_t>(it - word_starts.begin() - 1);
}

TextForm FoldText(std::string_view text, FoldMode mode, bool want_words, FoldedText* out) {
  return want_words ? FoldImpl<true>(text, mode, out) : FoldImpl<false>(text, mode, out);
}

std::string FoldString(std::string_view text, FoldMode mode) {
  FoldedText folded;
  FoldText(text, mode, false, &folded);
  return std::move(folded.bytes);
}

bool StartsOnBoundary(std::string_view folded, size_t begin) {
  uint8_t first = CharFlagsOf(DecodeAt(folded, begin));
  if (first & kMark) return false;
  if (begin == 0) return true;
  uint8_t prev = CharFlagsOf(DecodeBefore(folded, begin));
  if (!(prev & kWordChar)) return true;
  return (first & kWordChar) && ((first | prev) & kNoSpace);
}

bool EndsOnBoundary(std::string_view folded, size_t end) {
  if (end >= folded.size()) return true;
  uint8_t next = CharFlagsOf(DecodeAt(folded, end));
  if (next & kMark) return false;
  if (!(next & kWordChar)) return true;
  uint8_t last = CharFlagsOf(DecodeBefore(folded, end));
  return (last & kWordChar) && ((last | next) & kNoSpace);
}

bool HasWordChar(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    size_t len = DecodeSequence(text, i, &cp);
    if (len == 0) {
      ++i;
      continue;
    }
    if (CharFlagsOf(cp) & kWordChar) return true;
    i += len;
  }
  return false;
}

namespace {

// Writes the UTF-8 of `c` (a scalar value) at `o`; returns the end.
char* EncodeUtf8(char32_t c, char* o) {
  if (c < 0x80) {
    *o++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *o++ = static_cast<char>(0xC0 | (c >> 6));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *o++ = static_cast<char>(0xE0 | (c >> 12));
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *o++ = static_cast<char>(0xF0 | (c >> 18));
    *o++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return o;
}

// The simple case folding of `word` written at `out`, which has room for
// kMaxWordFoldGrowth bytes per byte of it; returns the bytes written. Most
// code points fold to themselves (the table says which), and their bytes
// are copied; with kApostrophe, U+2019 is written "'". An invalid byte
// reads as U+FFFD, as text::DecodeUtf8 reads it.
template <bool kApostrophe>
size_t FoldWordTo(std::string_view word, char* out) {
  const FoldTable& t = Table();
  char* o = out;
  for (size_t i = 0; i < word.size();) {
    auto b = static_cast<unsigned char>(word[i]);
    if (b < 0x80) {
      *o++ = t.ascii_lower[b];
      ++i;
      continue;
    }
    if ((b & 0xF0) == 0xE0 && i + 2 < word.size()) {
      // Three bytes (most scripts of India, CJK, symbols), decoded here:
      // most of them fold to themselves.
      auto b1 = static_cast<unsigned char>(word[i + 1]);
      auto b2 = static_cast<unsigned char>(word[i + 2]);
      char32_t c = ((b & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && c >= 0x800 && (c < 0xD800 || c > 0xDFFF) &&
          !(t.bmp[c].flags & kCaseFolds) && (!kApostrophe || c != 0x2019)) {
        o[0] = word[i];
        o[1] = word[i + 1];
        o[2] = word[i + 2];
        o += 3;
        i += 3;
        continue;
      }
    }
    char32_t cp = 0xFFFD;
    size_t len = DecodeSequence(word, i, &cp);
    bool folds = cp >= 0x10000 || (t.bmp[cp].flags & kCaseFolds);
    if (len > 0 && !folds && (!kApostrophe || cp != 0x2019)) {
      for (size_t k = 0; k < len; ++k) *o++ = word[i + k];
      i += len;
      continue;
    }
    i += len > 0 ? len : 1;
    if (kApostrophe && cp == 0x2019) {
      *o++ = '\'';
      continue;
    }
    o = EncodeUtf8(static_cast<char32_t>(u_foldCase(static_cast<UChar32>(cp), U_FOLD_CASE_DEFAULT)), o);
  }
  return static_cast<size_t>(o - out);
}

template <bool kApostrophe>
void AppendFoldedImpl(std::string_view word, std::string* out) {
  size_t n = out->size();
  out->resize(n + word.size() * kMaxWordFoldGrowth);
  out->resize(n + FoldWordTo<kApostrophe>(word, out->data() + n));
}

}  // namespace

void AppendFolded(std::string_view utf8, std::string* out) { AppendFoldedImpl<false>(utf8, out); }

void AppendFoldedWord(std::string_view word, std::string* out) { AppendFoldedImpl<true>(word, out); }

size_t FoldWordTo(std::string_view word, char* out) { return FoldWordTo<true>(word, out); }

}  // namespace brandmon::text

#include "daemon/sentiment/analyzer.h"

#include <unicode/normalizer2.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <tuple>

#include "daemon/text/char_refs.h"
#include "daemon/text/lang_id.h"
#include "daemon/text/normalize.h"
#include "daemon/text/sentences.h"
#include "daemon/text/tokenizer.h"
#include "daemon/text/utf8.h"

namespace brandmon::sentiment {

namespace {

// The constants of the VADER model (Hutto & Gilbert, 2014), which brandmon's
// English rules follow so that its scores stay comparable.
constexpr float kBoosterDecay[3] = {1.0f, 0.95f, 0.9f};
constexpr float kCapsIncrement = 0.733f;
constexpr float kNegationScalar = -0.74f;
// A negated negative ("not bad", "not the worst") is milder than the
// opposite positive; brandmon departs from VADER here.
constexpr float kNegatedNegativeScalar = -0.5f;
constexpr float kNeverSoScalar = 1.25f;
constexpr float kBeforeContrast = 0.5f;
constexpr float kAfterContrast = 1.5f;
constexpr double kNormalizeAlpha = 15.0;
constexpr double kExclamationStep = 0.292;
constexpr int kMaxExclamations = 4;
constexpr double kQuestionStep = 0.18;
constexpr double kQuestionMax = 0.96;
// Above this many sentences that carry sentiment, the text's sum is scaled
// to this many sentences' worth, so long texts do not saturate at +-1.
constexpr double kSentencesBeforeAveraging = 3.0;
constexpr size_t kMaxPhraseSegments = 3;
// A question asks more than it asserts: "is it a bad thing?" weighs half of
// "it is a bad thing." (brandmon's rule; VADER only adds emphasis for "??").
constexpr double kQuestionScalar = 0.5;
// A rated word that is likely part of a name ("Fight Club", "Super 8") keeps
// half its valence.
constexpr float kNameScalar = 0.5f;
// A text that shares a link and says nothing of its writer ("Acme opens a
// store in Lyon http://...") reports more than it feels: it weighs half.
constexpr double kReportScalar = 0.5;

// What a unit stands for.
enum class UnitKind : uint8_t { kWord, kTagWord, kNumber, kHandle, kSymbol };  // kTagWord: in a hashtag

struct Unit {
  float valence = 0;  // rating, 0 when the unit carries none
  float booster = 0;
  float value = 0;     // after boosters, caps and negation
  float weighted = 0;  // after the contrast rule
  uint32_t cp_begin = 0;
  uint16_t sentence = 0;
  uint16_t clause = 0;
  uint16_t flags = 0;  // TermInfo::Flag bits; not a char type, so stores to it alias nothing else
  bool caps = false;
  bool clause_break = false;  // a ',' ';' ':' or dash between the previous unit and this one
  bool title = false;         // its (first) token is capitalized: "Club", "McDonald"
  UnitKind kind = UnitKind::kWord;
  bool negation_after = false;
  bool rated() const { return valence != 0; }
};

// A token's lookup key: its case-folded bytes in Scratch::folded and their
// hash, computed once per token.
struct TokenKey {
  uint32_t offset = 0;
  uint32_t length = 0;
  uint64_t hash = 0;
};

constexpr uint64_t kEmptyHash = HashFinish(kHashSeed);  // HashTerm("")

struct SentenceStat {
  uint32_t begin = 0;  // unit indices
  uint32_t end = 0;
  double raw = 0;
  bool question = false;     // ends with '?'
  bool exclamation = false;  // ends with '!'
  // Where its first one-letter word is ("I"): such a word has no unit, yet it
  // may be the sentence's first word. Offsets as Unit::cp_begin's.
  uint32_t letter_at = UINT32_MAX;
};

// The text::Token kinds an ASCII text has.
enum class AsciiKind : uint8_t { kWord, kNumber, kEmoticon, kUrl, kHandle, kHashtag, kPunct };

// The ASCII path splits text exactly as text::Tokenize does, from the same
// byte classes.
using text::kAsciiClass;
using text::kEmoticonStart;
using text::kLowerByte;
using text::kSpaceByte;
using text::kTagStart;
using text::kUpperByte;
using text::kUrlStart;
using text::kWordByte;

struct Scratch {
  std::string repaired;
  std::string normalized;
  std::vector<text::Token> tokens;
  std::vector<std::string_view> parts;  // a hashtag's words, on the ASCII path
  std::string folded;
  std::vector<TokenKey> keys;  // one per token
  std::string phrase;
  std::vector<Unit> units;
  std::vector<SentenceStat> sentences;
  std::vector<std::pair<uint16_t, uint16_t>> targeted;
  std::string decoded;  // the text with its character references decoded
  std::vector<text::CharRefShift> shifts;
  std::vector<CodePointSpan> targets;  // the request's, mapped into `decoded`
};

// A megabyte of emoji should not pin its buffers to the thread for good.
void ReleaseIfHuge(Scratch* s) {
  constexpr size_t kKeepTokens = 1 << 16;
  constexpr size_t kKeepBytes = 1 << 20;
  if (s->tokens.capacity() > kKeepTokens || s->units.capacity() > kKeepTokens || s->shifts.capacity() > kKeepTokens ||
      s->decoded.capacity() > kKeepBytes) {
    *s = Scratch();
  }
}

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

double Normalize(double score) {
  double n = score / std::sqrt(score * score + kNormalizeAlpha);
  return std::clamp(n, -1.0, 1.0);
}

float Sign(float v) { return v < 0 ? -1.0f : 1.0f; }

// s == literal, with the length known so that the comparison inlines.
template <size_t N>
bool Is(std::string_view s, const char (&literal)[N]) {
  return s.size() == N - 1 && std::memcmp(s.data(), literal, N - 1) == 0;
}

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t any = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    any |= w;
  }
  for (; n > 0; ++p, --n) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ull) == 0;
}

// Lower-cases `in` into `out` (in.size() bytes), eight bytes at a time, and
// returns whether `in` is ASCII. When it is not, `out` holds garbage: the
// lanes carry into each other.
bool LowerAscii(std::string_view in, char* out) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const char* p = in.data();
  size_t n = in.size();
  uint64_t any = 0;
  for (; n >= 8; p += 8, out += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    any |= w;
    uint64_t at_least_a = w + kOnes * (0x80 - 'A');   // high bit: byte >= 'A'
    uint64_t above_z = w + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
    uint64_t upper = (at_least_a ^ above_z) & (kOnes * 0x80);
    w |= upper >> 2;  // 0x80 >> 2 == 0x20, the case bit
    std::memcpy(out, &w, 8);
  }
  for (; n > 0; ++p, ++out, --n) {
    any |= static_cast<unsigned char>(*p);
    *out = static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  }
  return (any & 0x8080808080808080ull) == 0;
}

// The packs used for one text: Latin-script words look in `latin` first and
// then in English (code-switching); other scripts in their own language.
struct PackChoice {
  const LanguagePack* latin = nullptr;
  const LanguagePack* english = nullptr;
  const LanguagePack* arabic = nullptr;
  const LanguagePack* devanagari = nullptr;
  const LanguagePack* gujarati = nullptr;
  const LanguagePack* han = nullptr;
  const LanguagePack* han_fallback = nullptr;
  const LanguagePack* kana = nullptr;
};

}  // namespace

std::string_view LabelFor(double compound) {
  if (compound >= 0.05) return "positive";
  if (compound <= -0.05) return "negative";
  return "neutral";
}

std::string_view SentimentScore::label() const { return LabelFor(compound); }

// The scoring steps, with access to the analyzer's lexicons.
struct Analyzer::Impl {
  const Analyzer& a;
  const ScoreRequest& req;
  Scratch& s;
  PackChoice packs;
  std::string_view text;                  // the text being scored, after repair
  std::array<int, 16> stopword_counts{};  // per LexiconSet::latin_packs entry
  std::string_view lang;                  // a pack's code or lang_storage
  std::string lang_storage;               // a code with no pack, e.g. "ko"
  bool cap_diff = false;
  bool clause_break = false;  // BuildUnits: punctuation since the last unit
  int lower_words = 0;        // words starting with a lower-case letter
  uint16_t sentence = 0;      // index of the last sentence in Scratch::sentences
  uint16_t letter_flags = 0;  // the TermInfo flags of the one-letter words, which have no unit
  bool link = false;          // the text holds a URL

  std::string_view Key(size_t token) const {
    const TokenKey& k = s.keys[token];
    return std::string_view(s.folded.data() + k.offset, k.length);
  }

  std::string_view PrepareText(std::string_view text, bool ascii) {
    std::string_view t = text;
    if (ascii) return t;
    if (!text::IsValidUtf8(t)) {
      s.repaired = text::RepairUtf8(t);
      t = s.repaired;
    }
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_SUCCESS(status) &&
        !nfc->isNormalizedUTF8(icu::StringPiece(t.data(), static_cast<int32_t>(t.size())), status) &&
        U_SUCCESS(status)) {
      if (Result<std::string> n = text::Normalize(t, text::NormalForm::kNfc); n.ok()) {
        s.normalized = std::move(n).value();
        t = s.normalized;
      }
    }
    return t;
  }

  void FoldKeys(bool ascii) {
    if (ascii) {
      FoldAsciiKeys();
      return;
    }
    // Other texts may grow when folded (U+0130 folds to two code points), so
    // each key is appended.
    s.folded.clear();
    s.keys.resize(s.tokens.size());
    for (size_t i = 0; i < s.tokens.size(); ++i) {
      const text::Token& t = s.tokens[i];
      TokenKey& k = s.keys[i];
      k.offset = static_cast<uint32_t>(s.folded.size());
      if (HasKey(t)) text::AppendFolded(t.text, &s.folded);
      k.length = static_cast<uint32_t>(s.folded.size() - k.offset);
      k.hash = HashFinish(HashBytes(kHashSeed, Key(i)));
      CountStopword(t, i);
    }
  }

  // An ASCII text is lower-cased once as a whole, so that each token's key
  // lies at the token's own offset and nothing is copied per token.
  void FoldAsciiKeys() {
    s.folded.resize(text.size());
    LowerAscii(text, s.folded.data());
    const size_t count = s.tokens.size();  // hoisted: the stores below may alias s
    s.keys.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const text::Token& t = s.tokens[i];
      TokenKey& k = s.keys[i];
      k.offset = t.begin;
      if (!HasKey(t)) {
        k.length = 0;
        k.hash = kEmptyHash;
        continue;
      }
      k.length = static_cast<uint32_t>(t.text.size());
      k.hash = HashFinish(HashBytes(kHashSeed, Key(i)));
      CountStopword(t, i);
    }
  }

  static bool HasKey(const text::Token& t) {
    return t.kind == text::Token::Kind::kWord || t.kind == text::Token::Kind::kEmoticon ||
           t.kind == text::Token::Kind::kEmoji;
  }

  [[gnu::always_inline]] void CountStopword(const text::Token& t, size_t i) {
    uint32_t length = s.keys[i].length;
    if (t.kind != text::Token::Kind::kWord || t.script != text::Script::kLatin || length == 0 ||
        length > a.set_->longest_stopword) {
      return;
    }
    auto first = static_cast<unsigned char>(s.folded[s.keys[i].offset]);
    if (length < 64 && !((a.set_->stopword_shapes[first] >> length) & 1)) return;
    if (const uint16_t* bits = a.set_->latin_stopwords.FindHashed(Key(i), s.keys[i].hash)) {
      for (unsigned b = *bits; b != 0; b &= b - 1) ++stopword_counts[__builtin_ctz(b)];
    }
  }

  const LanguagePack* LatinPackFor(std::string_view code) const {
    std::string_view c = code == "hi" ? std::string_view("hi-latn") : code;
    for (size_t idx : a.set_->latin_packs) {
      if (a.set_->packs[idx]->code == c) return a.set_->packs[idx].get();
    }
    return packs.english;
  }

  // Picks the language of a text whose letters are Latin by counting the
  // stopwords of each Latin-script language; CLD2 settles ties between
  // languages other than English.
  // Returns a view of a pack's code or of a literal.
  std::string_view VoteLatin(std::string_view text, bool ascii) const {
    const std::array<int, 16>& counts = stopword_counts;  // filled by FoldKeys
    const auto& latin = a.set_->latin_packs;
    int best_count = *std::max_element(counts.begin(), counts.begin() + static_cast<long>(latin.size()));
    if (best_count == 0) {
      // No stopword at all: let CLD2 try when the text has accents that
      // English lacks; otherwise English, the common case, stays cheap.
      if (ascii) return "en";
      return LatinPackFor(text::IdentifyLanguage(text).code)->code;
    }
    size_t first = SIZE_MAX, leaders = 0;
    for (size_t b = 0; b < latin.size(); ++b) {
      if (counts[b] != best_count) continue;
      if (a.set_->packs[latin[b]].get() == packs.english) return "en";  // English wins ties
      if (first == SIZE_MAX) first = b;
      ++leaders;
    }
    if (leaders == 1) return a.set_->packs[latin[first]]->code;
    text::LanguageGuess guess = text::IdentifyLanguage(text);
    std::string_view cld = guess.code == "hi" ? std::string_view("hi-latn") : std::string_view(guess.code);
    for (size_t b = 0; b < latin.size(); ++b) {
      if (counts[b] == best_count && a.set_->packs[latin[b]]->code == cld) return a.set_->packs[latin[b]]->code;
    }
    return a.set_->packs[latin[first]]->code;
  }

  void ChooseLanguage(std::string_view text, bool ascii) {
    std::string_view pinned = req.lang != "auto" && !req.lang.empty() ? req.lang : std::string_view(a.language_);
    if (pinned == "auto") pinned = {};
    const LexiconSet& set = *a.set_;
    packs.english = set.english;
    packs.arabic = set.arabic;
    packs.devanagari = set.hindi;
    packs.gujarati = set.gujarati;
    packs.kana = set.japanese;
    std::string_view code;
    if (!pinned.empty()) {
      code = pinned;
    } else if (!ascii) {
      if (auto guess = text::GuessByScript(text)) {
        lang_storage = std::move(guess->code);
        code = lang_storage;
      }
    }
    if (code.empty()) code = VoteLatin(text, ascii);
    if (code == "hi-latn") code = "hi";
    packs.latin = LatinPackFor(code);
    bool japanese = code == "ja";
    packs.han = japanese ? set.japanese : set.chinese;
    packs.han_fallback = japanese ? set.chinese : set.japanese;
    lang = code;
  }

  const LanguagePack* PackFor(text::Script script) const {
    switch (script) {
      case text::Script::kLatin: return packs.latin;
      case text::Script::kArabic: return packs.arabic;
      case text::Script::kDevanagari: return packs.devanagari;
      case text::Script::kGujarati: return packs.gujarati;
      case text::Script::kHan: return packs.han;
      case text::Script::kKana: return packs.kana;
      default: return nullptr;
    }
  }

  const LanguagePack* FallbackFor(text::Script script) const {
    if (script == text::Script::kLatin) return packs.latin != packs.english ? packs.english : nullptr;
    if (script == text::Script::kHan) return packs.han_fallback;
    return nullptr;
  }

  // Overrides first (brand, then global), then the language pack. Returns
  // the info and the pack it came from; *override_info receives synthesized
  // entries.
  const TermInfo* Lookup(std::string_view key, uint64_t hash, const LanguagePack* pack, TermInfo* override_info) const {
    const float* o = req.overrides ? req.overrides->terms_.FindHashed(key, hash) : nullptr;
    if (o == nullptr) o = a.global_.terms_.FindHashed(key, hash);
    if (o != nullptr) {
      const TermInfo* base = pack ? pack->terms.FindHashed(key, hash) : nullptr;
      *override_info = base ? *base : TermInfo{};
      override_info->valence = *o;
      override_info->flags = static_cast<uint16_t>(
          (override_info->flags & ~(TermInfo::kValence | TermInfo::kNegator | TermInfo::kBooster)) |
          (*o != 0 ? TermInfo::kValence : 0));
      return override_info;
    }
    return pack ? pack->terms.FindHashed(key, hash) : nullptr;
  }

  // Most words start no phrase; this spares them the call below.
  static bool MayStartPhrase(const LanguagePack& pack, const TermInfo* first) {
    return pack.unspaced || (first != nullptr && first->phrase_words >= 2);
  }

  // Tries the longest phrase starting at token i; returns the number of
  // tokens it covers (0 when none) and sets *info.
  size_t MatchPhrase(size_t i, const LanguagePack* pack, const TermInfo* first, const TermInfo** info) const {
    size_t max_words = pack->unspaced ? kMaxPhraseSegments : (first ? first->phrase_words : 0);
    if (max_words < 2) return 0;
    size_t available = 1;
    while (available < max_words && i + available < s.tokens.size() &&
           s.tokens[i + available].kind == text::Token::Kind::kWord &&
           s.tokens[i + available].in_hashtag == s.tokens[i].in_hashtag) {
      ++available;
    }
    if (available < 2) return 0;
    if (!pack->unspaced && !pack->MayStartPhrase(s.keys[i].hash, s.keys[i + 1].hash)) return 0;
    return LongestPhrase(
        *pack, available, [&](size_t k) { return Key(i + k); }, info);
  }

  // The longest phrase of `pack` made of the first n >= 2 of `available`
  // words, key_at(k) being the key of word k: returns n (0 when none) and
  // sets *info.
  template <typename KeyAt>
  static size_t LongestPhrase(const LanguagePack& pack, size_t available, const KeyAt& key_at, const TermInfo** info) {
    // Hash every prefix of the phrase once, without joining its words.
    std::array<uint64_t, 8> hashes{};  // phrase_words is at most 8
    available = std::min(available, hashes.size());
    uint64_t h = kHashSeed;
    for (size_t k = 0; k < available; ++k) {
      if (k > 0 && !pack.unspaced) h = HashByte(h, ' ');
      h = HashBytes(h, key_at(k));
      hashes[k] = HashFinish(h);
    }
    for (size_t n = available; n >= 2; --n) {
      const TermInfo* found = pack.terms.FindIf(
          hashes[n - 1], [&](std::string_view stored) { return PhraseEquals(stored, key_at, n, pack.unspaced); });
      if (found != nullptr && (pack.unspaced || (found->flags & TermInfo::kPhrase))) {
        *info = found;
        return n;
      }
    }
    return 0;
  }

  // True when `stored` is the keys of words [0, n) joined by spaces (or by
  // nothing when `unspaced`).
  template <typename KeyAt>
  static bool PhraseEquals(std::string_view stored, const KeyAt& key_at, size_t n, bool unspaced) {
    for (size_t k = 0; k < n; ++k) {
      if (k > 0 && !unspaced) {
        if (stored.empty() || stored.front() != ' ') return false;
        stored.remove_prefix(1);
      }
      std::string_view key = key_at(k);
      if (stored.substr(0, key.size()) != key) return false;
      stored.remove_prefix(key.size());
    }
    return stored.empty();
  }

  void StartSentence() {
    if (!s.sentences.empty() && s.sentences.back().begin == s.units.size()) return;
    if (!s.sentences.empty()) s.sentences.back().end = static_cast<uint32_t>(s.units.size());
    if (s.sentences.size() >= UINT16_MAX) return;  // the rest joins the last sentence
    SentenceStat st;
    st.begin = static_cast<uint32_t>(s.units.size());
    s.sentences.push_back(st);
    sentence = static_cast<uint16_t>(s.sentences.size() - 1);
  }

  // A one-letter word gets no unit unless it scores ("I", "a").
  void NoteLetterWord(const TermInfo* info, uint32_t at, bool in_hashtag) {
    if (info != nullptr) letter_flags |= info->flags;
    if (in_hashtag) return;
    SentenceStat& st = s.sentences.back();
    st.letter_at = std::min(st.letter_at, at);
  }

  Unit& AddUnit(const text::Token& t) {
    UnitKind kind = t.in_hashtag ? UnitKind::kTagWord : UnitKind::kWord;
    switch (t.kind) {
      case text::Token::Kind::kNumber: kind = UnitKind::kNumber; break;
      case text::Token::Kind::kHandle: kind = UnitKind::kHandle; break;
      case text::Token::Kind::kEmoji:
      case text::Token::Kind::kEmoticon:
      case text::Token::Kind::kPunct: kind = UnitKind::kSymbol; break;  // an emoticon chunk
      default: break;
    }
    return AddUnit(t.cp_begin, IsTitle(t.text), kind);
  }

  Unit& AddUnit(uint32_t cp_begin, bool title, UnitKind kind) {
    Unit& u = s.units.emplace_back();
    u.cp_begin = cp_begin;
    u.title = title;
    u.kind = kind;
    u.clause_break = clause_break;
    clause_break = false;
    u.sentence = sentence;
    return u;
  }

  // Turns tokens into rated units; returns '!' and '?' counts.
  std::pair<int, int> BuildUnits() {
    int exclamations = 0, questions = 0;
    int caps_words = 0, words = 0;
    bool sentence_ended = false;
    StartSentence();
    TermInfo override_info;
    const size_t count = s.tokens.size();  // hoisted: adding units may alias s
    for (size_t i = 0; i < count; ++i) {
      const text::Token& t = s.tokens[i];
      if (t.kind == text::Token::Kind::kPunct || t.kind == text::Token::Kind::kEmoticon) {
        if (size_t n = MatchEmoticonChunk(i); n > 0) {
          if (sentence_ended || t.line_break_before) StartSentence();
          sentence_ended = false;
          i += n - 1;
          continue;
        }
      }
      if (t.kind == text::Token::Kind::kPunct) {
        bool exclamation = t.text == "!" || t.text == "！";
        bool question = t.text == "?" || t.text == "？" || t.text == "؟";
        exclamations += exclamation;
        questions += question;
        // Inlined for the one-byte '.', '!' and '?'.
        bool terminal = t.text.size() == 1 ? t.text[0] == '.' || exclamation || question : text::IsTerminal(t);
        if (terminal) {
          sentence_ended = true;
          s.sentences.back().question |= question;
          s.sentences.back().exclamation |= exclamation;
        } else if (t.text.size() == 1 && std::string_view(",;:-()").find(t.text[0]) != std::string_view::npos) {
          clause_break = true;
        }
        continue;
      }
      if (sentence_ended || t.line_break_before) StartSentence();
      sentence_ended = false;
      switch (t.kind) {
        case text::Token::Kind::kUrl: link = true; continue;
        case text::Token::Kind::kHashtag: continue;
        case text::Token::Kind::kHandle:
        case text::Token::Kind::kNumber: AddUnit(t); continue;
        case text::Token::Kind::kEmoji:
        case text::Token::Kind::kEmoticon: {
          Unit& u = AddUnit(t);
          std::string_view key = Key(i);
          const float* v = a.set_->symbols.Find(key);
          if (v == nullptr && t.kind == text::Token::Kind::kEmoji) {
            size_t end = 0;
            text::DecodeUtf8(key, &end);  // the base emoji without modifiers
            v = a.set_->symbols.Find(key.substr(0, end));
          }
          if (v == nullptr && t.kind == text::Token::Kind::kEmoticon) {
            const TermInfo* info = packs.english ? packs.english->terms.Find(key) : nullptr;
            if (info && (info->flags & TermInfo::kValence)) u.valence = info->valence;
          } else if (v != nullptr) {
            u.valence = *v;
          }
          continue;
        }
        default: break;
      }
      ++words;
      if (t.all_caps) ++caps_words;
      if (!t.text.empty() && t.text[0] >= 'a' && t.text[0] <= 'z') ++lower_words;
      i += AddWord(i, &override_info);
    }
    if (!s.sentences.empty()) s.sentences.back().end = static_cast<uint32_t>(s.units.size());
    cap_diff = caps_words > 0 && caps_words < words;
    return {exclamations, questions};
  }

  // A whitespace-delimited chunk starting at token i that the symbol table
  // knows as a whole (":l", ">:[", ":-/" beyond the tokenizer's list): adds
  // its unit and returns how many tokens it spans, else 0.
  size_t MatchEmoticonChunk(size_t i) {
    const text::Token& t = s.tokens[i];
    if (t.begin > 0 && !IsSpaceByte(text[t.begin - 1])) return 0;
    size_t end = t.begin;
    while (end < text.size() && !IsSpaceByte(text[end]) && end - t.begin <= 8) ++end;
    if (end - t.begin < 2 || end - t.begin > 8) return 0;
    // An ASCII first byte folds to its lower case, which must start some
    // symbol (most punctuation starts none).
    auto first = static_cast<unsigned char>(text[t.begin]);
    if (first < 0x80 && !a.set_->symbol_first_byte[first >= 'A' && first <= 'Z' ? first + 32 : first]) return 0;
    s.phrase.clear();
    text::AppendFolded(text.substr(t.begin, end - t.begin), &s.phrase);
    const float* v = a.set_->symbols.Find(s.phrase);
    if (v == nullptr) return 0;
    size_t n = 0;
    while (i + n < s.tokens.size() && s.tokens[i + n].begin < end) ++n;
    if (n == 0 || s.tokens[i + n - 1].begin + s.tokens[i + n - 1].text.size() != end) return 0;
    AddUnit(t).valence = *v;
    return n;
  }

  // "Club", "McDonald": an ASCII capital then at least one lower-case letter.
  static bool IsTitle(std::string_view w) {
    if (w.size() < 2 || !(w[0] >= 'A' && w[0] <= 'Z')) return false;
    for (size_t k = 1; k < w.size(); ++k) {
      if (w[k] >= 'a' && w[k] <= 'z') return true;
    }
    return false;
  }

  static bool IsSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // Adds the unit for the word at token i; returns how many extra tokens a
  // phrase consumed.
  [[gnu::always_inline]] size_t AddWord(size_t i, TermInfo* override_info) {
    const text::Token& t = s.tokens[i];
    std::string_view key = Key(i);
    const LanguagePack* pack = PackFor(t.script);
    const TermInfo* info = Lookup(key, s.keys[i].hash, pack, override_info);
    size_t consumed = 0;
    if (pack != nullptr && MayStartPhrase(*pack, info)) consumed = MatchPhrase(i, pack, info, &info);
    if ((info == nullptr || !info->Scores()) && consumed == 0 && pack != nullptr &&
        !(pack->suffixes.empty() && pack->prefixes.empty())) {
      if (const TermInfo* inflected = FindInflected(key, *pack)) info = inflected;
    }
    if ((info == nullptr || !info->Scores()) && consumed == 0 && pack != nullptr && pack->unspaced) {
      AddUnspacedPieces(t, key, *pack);
      return 0;
    }
    if ((info == nullptr || !info->Scores()) && consumed == 0) {
      if (const LanguagePack* fallback = FallbackFor(t.script)) {
        const TermInfo* f = fallback->terms.FindHashed(key, s.keys[i].hash);
        size_t n = MayStartPhrase(*fallback, f) ? MatchPhrase(i, fallback, f, &f) : 0;
        // Only rated words carry over: another language's function words
        // ("no" is a Portuguese preposition) must not negate or boost.
        if (f != nullptr && (f->flags & TermInfo::kValence) &&
            !(f->flags & (TermInfo::kNegator | TermInfo::kBooster | TermInfo::kContrast))) {
          info = f;
          consumed = n;
          pack = fallback;
        }
      }
    }
    if (consumed > 0) consumed -= 1;
    bool latin_single = t.script == text::Script::kLatin && key.size() == 1;
    if (latin_single && (info == nullptr || !info->Scores())) {
      NoteLetterWord(info, t.cp_begin, t.in_hashtag);
      return consumed;
    }
    Unit& u = AddUnit(t);
    u.caps = t.all_caps;
    if (pack == nullptr || info == nullptr) return consumed;
    SetFromInfo(*info, *pack, &u);
    return consumed;
  }

  // The entry for an inflected form: a suffix replaced or a clitic prefix
  // dropped, as the language's rules list them. Stems keep three or more
  // code points so that short words do not collide.
  const TermInfo* FindInflected(std::string_view key, const LanguagePack& pack) const {
    constexpr size_t kMinStem = 3;  // code points
    for (const auto& [from, to] : pack.suffixes) {
      if (key.size() < from.size() + kMinStem || key.substr(key.size() - from.size()) != from) continue;
      if (text::CountCodePoints(key.substr(0, key.size() - from.size())) < kMinStem) continue;
      s.phrase.assign(key.substr(0, key.size() - from.size()));
      s.phrase.append(to);
      const TermInfo* info = pack.terms.Find(s.phrase);
      if (info != nullptr && (info->flags & TermInfo::kValence)) return info;
    }
    for (const auto& prefix : pack.prefixes) {
      if (key.size() < prefix.size() + kMinStem || key.substr(0, prefix.size()) != prefix) continue;
      if (text::CountCodePoints(key.substr(prefix.size())) < kMinStem) continue;
      const TermInfo* info = pack.terms.Find(key.substr(prefix.size()));
      if (info != nullptr && info->Scores()) return info;
    }
    return nullptr;
  }

  // Greedy longest matches inside a Chinese or Japanese word the segmenter
  // left whole, e.g. a rating character inside a longer compound.
  void AddUnspacedPieces(const text::Token& t, std::string_view key, const LanguagePack& pack) {
    constexpr size_t kMaxPiece = 4;
    size_t start = 0;
    uint32_t cp = 0;
    bool any = false;
    while (start < key.size()) {
      size_t best_end = 0;
      const TermInfo* best = nullptr;
      size_t end = start;
      for (size_t n = 1; n <= kMaxPiece && end < key.size(); ++n) {
        text::DecodeUtf8(key, &end);
        const TermInfo* info = pack.terms.Find(key.substr(start, end - start));
        if (info != nullptr && info->Scores()) best = info, best_end = end;
      }
      if (best != nullptr) {
        Unit& u = AddUnit(t);
        u.cp_begin = t.cp_begin + cp;
        SetFromInfo(*best, pack, &u);
        any = true;
      } else {
        best_end = start;
        text::DecodeUtf8(key, &best_end);
      }
      cp += static_cast<uint32_t>(text::CountCodePoints(key.substr(start, best_end - start)));
      start = best_end;
    }
    if (!any) AddUnit(t);
  }

  // ---- The ASCII path: most texts are ASCII and English. One pass over
  // the text splits it as text::Tokenize would, looks each word up once for
  // both its stopword votes and its English entry, and builds the units
  // with the English pack as it goes. When the votes do not read the text as
  // English (and English is not pinned), or in a case the pass does not
  // follow, TryAscii returns false and the general path scores the text.

  // Sets *ascii to whether `ascii_text` is ASCII; true when its units are
  // built, with the '!' and '?' counts in *marks.
  bool TryAscii(std::string_view ascii_text, bool* ascii, std::pair<int, int>* marks) {
    const LexiconSet& set = *a.set_;
    const LanguagePack* english = set.english;
    std::string_view pinned = !Is(req.lang, "auto") && !req.lang.empty() ? req.lang : std::string_view(a.language_);
    if (Is(pinned, "auto")) pinned = {};
    if (english == nullptr || english->unspaced || !english->suffixes.empty() || !english->prefixes.empty() ||
        (!pinned.empty() && !Is(pinned, "en")) || ascii_text.size() >= UINT32_MAX) {
      *ascii = IsAscii(ascii_text);
      return false;
    }
    // Only grown: resizing down and up again would zero-fill every time.
    if (s.folded.size() < ascii_text.size()) s.folded.resize(ascii_text.size());
    *ascii = LowerAscii(ascii_text, s.folded.data());
    if (!*ascii) return false;
    text = ascii_text;
    packs.english = english;
    packs.latin = english;
    if (!ScanAscii(marks) || (pinned.empty() && !EnglishLeads())) {
      // Back to the state the general path starts from.
      stopword_counts = {};
      s.units.clear();
      s.sentences.clear();
      lower_words = 0;
      clause_break = false;
      return false;
    }
    lang = "en";
    return true;
  }

  // VoteLatin's answer is "en" exactly when no stopword was seen or English
  // is among the leaders (English wins ties).
  bool EnglishLeads() const {
    const LexiconSet& set = *a.set_;
    auto end = stopword_counts.begin() + static_cast<long>(set.latin_packs.size());
    int best = *std::max_element(stopword_counts.begin(), end);
    return best == 0 || (set.english_latin >= 0 && stopword_counts[static_cast<size_t>(set.english_latin)] == best);
  }

  std::string_view Folded(size_t begin, size_t end) const {
    return std::string_view(s.folded.data() + begin, end - begin);
  }

  // One token of an ASCII text: its kind, its end, and for a word or a
  // number the classes of its bytes and the hash of its key.
  struct Lexeme {
    AsciiKind kind;
    size_t end;
    uint64_t hash = 0;
    uint8_t seen = 0;
  };

  // The token text::Tokenize reads at `pos`, which holds no white space,
  // with the same tests in the same order (AnalyzerTest compares the two
  // paths' scores).
  [[gnu::always_inline]] Lexeme LexAt(size_t pos) const {
    const char* const p = text.data();
    const size_t n = text.size();
    uint8_t cls = kAsciiClass[static_cast<unsigned char>(p[pos])];
    if (cls & (kUrlStart | kEmoticonStart | kTagStart)) {
      if (cls & kUrlStart) {
        if (size_t end = UrlEnd(pos); end != 0) return {AsciiKind::kUrl, end};
      }
      // Every emoticon has two bytes or more and no space, and the letters
      // that start one ("xD", "o_O", "T_T", "8)") are followed by one of
      // "_Dd)-": most candidates are ruled out before the call.
      if ((cls & kEmoticonStart) && pos + 1 < n) {
        char c = p[pos + 1];
        bool may = (cls & kWordByte) ? c == '_' || c == 'D' || c == 'd' || c == ')' || c == '-'
                                     : !(kAsciiClass[static_cast<unsigned char>(c)] & kSpaceByte);
        if (size_t len = may ? text::EmoticonAt(text, pos) : 0; len != 0) {
          return {AsciiKind::kEmoticon, pos + len, HashTerm(Folded(pos, pos + len))};
        }
      }
      if ((cls & kTagStart) && pos + 1 < n && (kAsciiClass[static_cast<unsigned char>(p[pos + 1])] & kWordByte)) {
        size_t end = pos + 1;
        while (end < n && ((kAsciiClass[static_cast<unsigned char>(p[end])] & kWordByte) || p[end] == '_')) ++end;
        return {p[pos] == '@' ? AsciiKind::kHandle : AsciiKind::kHashtag, end};
      }
    }
    if (!(cls & kWordByte)) return {AsciiKind::kPunct, pos + 1};
    // Letters and digits, joined by inner apostrophes and hyphens ("don't",
    // "co-op"), or digits by inner '.' and ',' ("1,000").
    const char* const folded = s.folded.data();
    uint8_t seen = 0;
    uint64_t h = kHashSeed;
    size_t end = pos;
    for (;;) {
      for (; end < n; ++end) {
        uint8_t c = kAsciiClass[static_cast<unsigned char>(p[end])];
        if (!(c & kWordByte)) break;
        seen |= c;
        h = HashByte(h, static_cast<unsigned char>(folded[end]));
      }
      if (end + 1 >= n) break;
      char c = p[end];
      if (c != '\'' && c != '-' && c != '.' && c != ',') break;
      bool letters = seen & (kUpperByte | kLowerByte);
      bool decimal = c == '.' || c == ',';
      if (decimal && letters) break;
      uint8_t follow = kAsciiClass[static_cast<unsigned char>(p[end + 1])];
      if (!(follow & kWordByte) || (decimal && (follow & (kUpperByte | kLowerByte)))) break;
      h = HashByte(h, static_cast<unsigned char>(c));
      ++end;
    }
    bool letters = seen & (kUpperByte | kLowerByte);
    return {letters ? AsciiKind::kWord : AsciiKind::kNumber, end, HashFinish(h), seen};
  }

  // The end of the URL starting at `pos` ("http://", "https://", "www.",
  // any case, up to white space), or 0.
  size_t UrlEnd(size_t pos) const {
    const char* rest = text.data() + pos;
    const size_t left = text.size() - pos;
    // Only "ht" and "ww" can start one (the tokenizer's own prefilter).
    if (left < 4 || (rest[1] | 0x20) != ((rest[0] | 0x20) == 'h' ? 't' : 'w')) return 0;
    // The tokenizer's test: each byte with the case bit set equals the prefix's.
    auto starts = [&](std::string_view prefix) {
      if (left < prefix.size()) return false;
      for (size_t k = 0; k < prefix.size(); ++k) {
        if ((rest[k] | 0x20) != prefix[k]) return false;
      }
      return true;
    };
    if (!(starts("http://") || starts("https://") || starts("www."))) return 0;
    size_t end = pos;
    while (end < text.size() && !(kAsciiClass[static_cast<unsigned char>(text[end])] & kSpaceByte)) ++end;
    return end;
  }

  // A word of the pass: where it is, its key's hash and what it looks like.
  struct AsciiWord {
    size_t begin;
    size_t end;
    uint64_t hash;
    uint8_t seen;   // text::AsciiClass bits of its bytes
    bool all_caps;  // two upper-case letters or more and no lower-case one
    bool in_hashtag;
  };

  // What BuildUnits carries from token to token, for the pass.
  struct AsciiPass {
    int exclamations = 0;
    int questions = 0;
    int words = 0;
    int caps_words = 0;
    int lower_words = 0;
    bool sentence_ended = false;
    bool line_break = false;            // since the last token
    size_t skip_words = 0;              // words a phrase took
    size_t chunk_end = 0;               // tokens starting before it belong to an emoticon chunk
    size_t last_end = 0;                // end of the last token
    size_t part = 0;                    // index in Scratch::parts of a hashtag's word
    TermInfo* override_info = nullptr;  // null when there are no overrides
  };

  // Every token passes here first. Returns 1 for a token to score, 0 for one
  // inside an emoticon chunk, -1 when the chunk just ended away from a
  // token's end (the general path then decides). *line_break receives and
  // clears the pass's line break.
  [[gnu::always_inline]] static int Enter(AsciiPass* ps, size_t begin, size_t end, bool* line_break) {
    *line_break = ps->line_break;
    ps->line_break = false;
    if (ps->chunk_end != 0) {
      if (begin < ps->chunk_end) {
        ps->last_end = end;
        return 0;
      }
      if (ps->last_end != ps->chunk_end) return -1;
      ps->chunk_end = 0;
    }
    ps->last_end = end;
    return 1;
  }

  [[gnu::always_inline]] void NewSentenceIfDue(AsciiPass* ps, bool line_break) {
    if (ps->sentence_ended || line_break) StartSentence();
    ps->sentence_ended = false;
  }

  // Scores the tokens of `text` in one pass; false when the general path
  // must decide.
  bool ScanAscii(std::pair<int, int>* marks) {
    const char* const p = text.data();
    const size_t n = text.size();
    AsciiPass ps;
    TermInfo override_info;
    if ((req.overrides != nullptr && req.overrides->size() > 0) || a.global_.size() > 0) {
      ps.override_info = &override_info;
    }
    StartSentence();
    size_t pos = 0;
    while (pos < n) {
      uint8_t cls = kAsciiClass[static_cast<unsigned char>(p[pos])];
      if (cls & kSpaceByte) {
        if (p[pos] == '\n' || p[pos] == '\r') ps.line_break = true;
        ++pos;
        continue;
      }
      Lexeme lex = LexAt(pos);
      bool line_break = false;
      int live = Enter(&ps, pos, lex.end, &line_break);
      if (live < 0) return false;
      switch (lex.kind) {
        case AsciiKind::kWord: {
          AsciiWord w{pos, lex.end, lex.hash, lex.seen, false, false};
          if (!(lex.seen & kLowerByte)) w.all_caps = CountUpper(pos, lex.end) >= 2;
          const TermInfo* info = CountVotes(w);
          if (live) AsciiWordUnit(&ps, w, info, line_break);
          break;
        }
        case AsciiKind::kPunct:
        case AsciiKind::kEmoticon:
          if (live && !AsciiChunk(&ps, pos, lex.end, lex.kind, line_break)) {
            if (lex.kind == AsciiKind::kPunct) {
              AsciiPunct(&ps, p[pos]);
            } else {
              NewSentenceIfDue(&ps, line_break);
              AddAsciiEmoticon(pos, lex.end, lex.hash);
            }
          }
          break;
        case AsciiKind::kHashtag:
          if (live) NewSentenceIfDue(&ps, line_break);
          if (!AsciiHashtag(&ps, pos, lex.end)) return false;
          break;
        default:  // URLs, handles and numbers
          if (live) {
            NewSentenceIfDue(&ps, line_break);
            if (lex.kind == AsciiKind::kUrl) {
              link = true;
            } else {
              AddUnit(static_cast<uint32_t>(pos), false,
                      lex.kind == AsciiKind::kNumber ? UnitKind::kNumber : UnitKind::kHandle);
            }
          }
          break;
      }
      pos = lex.end;
      // Most tokens are followed by one space: skip it here.
      if (pos < n && p[pos] == ' ') ++pos;
    }
    if (ps.chunk_end != 0 && ps.last_end != ps.chunk_end) return false;
    if (!s.sentences.empty()) s.sentences.back().end = static_cast<uint32_t>(s.units.size());
    cap_diff = ps.caps_words > 0 && ps.caps_words < ps.words;
    lower_words = ps.lower_words;
    *marks = {ps.exclamations, ps.questions};
    return true;
  }

  int CountUpper(size_t begin, size_t end) const {
    int upper = 0;
    for (size_t k = begin; k < end; ++k) upper += (kAsciiClass[static_cast<unsigned char>(text[k])] & kUpperByte) != 0;
    return upper;
  }

  // Counts a Latin word's stopword votes; returns its English entry.
  [[gnu::always_inline]] const TermInfo* CountVotes(const AsciiWord& w) {
    if (!(w.seen & (kUpperByte | kLowerByte)) || !a.set_->AsciiWordMayExist(w.hash)) return nullptr;
    const LexiconSet::AsciiEntry* e = a.set_->ascii_words.FindHashed(Folded(w.begin, w.end), w.hash);
    if (e == nullptr) return nullptr;
    for (unsigned b = e->stopwords; b != 0; b &= b - 1) ++stopword_counts[__builtin_ctz(b)];
    return e->has_english ? &e->english : nullptr;
  }

  [[gnu::always_inline]] void AsciiPunct(AsciiPass* ps, char c) {
    bool exclamation = c == '!';
    bool question = c == '?';
    ps->exclamations += exclamation;
    ps->questions += question;
    if (c == '.' || exclamation || question) {
      ps->sentence_ended = true;
      s.sentences.back().question |= question;
      s.sentences.back().exclamation |= exclamation;
    } else if (c == ',' || c == ';' || c == ':' || c == '-' || c == '(' || c == ')') {
      clause_break = true;
    }
  }

  void AddAsciiEmoticon(size_t begin, size_t end, uint64_t hash) {
    Unit& u = AddUnit(static_cast<uint32_t>(begin), IsTitle(text.substr(begin, end - begin)), UnitKind::kSymbol);
    std::string_view key = Folded(begin, end);
    if (const float* v = a.set_->symbols.FindHashed(key, hash)) {
      u.valence = *v;
    } else if (const TermInfo* info = packs.english->terms.FindHashed(key, hash);
               info && (info->flags & TermInfo::kValence)) {
      u.valence = info->valence;
    }
  }

  // MatchEmoticonChunk at a punctuation or emoticon token: when the
  // white-space-delimited chunk starting there is a symbol, adds its unit,
  // makes the pass skip the chunk's tokens and returns true.
  [[gnu::always_inline]] bool AsciiChunk(AsciiPass* ps, size_t begin, size_t token_end, AsciiKind kind,
                                         bool line_break) {
    if (begin > 0 && !IsSpaceByte(text[begin - 1])) return false;
    size_t end = begin;
    while (end < text.size() && !IsSpaceByte(text[end]) && end - begin <= 8) ++end;
    if (end - begin < 2 || end - begin > 8) return false;
    if (!a.set_->symbol_first_byte[static_cast<unsigned char>(s.folded[begin])]) return false;
    const float* v = a.set_->symbols.Find(Folded(begin, end));
    if (v == nullptr) return false;
    bool title = kind == AsciiKind::kEmoticon && IsTitle(text.substr(begin, token_end - begin));
    // As in BuildUnits, the unit is added before a new sentence starts, so
    // that it closes the sentence before it.
    AddUnit(static_cast<uint32_t>(begin), title, UnitKind::kSymbol).valence = *v;
    NewSentenceIfDue(ps, line_break);
    ps->chunk_end = end;
    return true;
  }

  // The words of a hashtag's body; false when the general path must decide.
  [[gnu::always_inline]] bool AsciiHashtag(AsciiPass* ps, size_t begin, size_t end) {
    s.parts.clear();
    text::SplitHashtag(text.substr(begin + 1, end - begin - 1), &s.parts);
    for (ps->part = 0; ps->part < s.parts.size(); ++ps->part) {
      AsciiWord w = HashtagWord(ps->part);
      bool line_break = false;
      int live = Enter(ps, w.begin, w.end, &line_break);
      if (live < 0) return false;
      const TermInfo* info = CountVotes(w);
      if (live) AsciiWordUnit(ps, w, info, line_break);
    }
    return true;
  }

  AsciiWord HashtagWord(size_t part) const {
    std::string_view word = s.parts[part];
    size_t begin = static_cast<size_t>(word.data() - text.data());
    AsciiWord w{begin, begin + word.size(), 0, 0, false, true};
    uint64_t h = kHashSeed;
    for (size_t k = w.begin; k < w.end; ++k) {
      w.seen |= kAsciiClass[static_cast<unsigned char>(text[k])];
      h = HashByte(h, static_cast<unsigned char>(s.folded[k]));
    }
    w.hash = HashFinish(h);
    return w;
  }

  // BuildUnits and AddWord for a word outside emoticon chunks: English has
  // no inflection rules and no fallback language.
  [[gnu::always_inline]] void AsciiWordUnit(AsciiPass* ps, const AsciiWord& w, const TermInfo* info, bool line_break) {
    if (ps->skip_words > 0) {
      --ps->skip_words;
      return;
    }
    NewSentenceIfDue(ps, line_break);
    uint8_t first = kAsciiClass[static_cast<unsigned char>(text[w.begin])];
    ++ps->words;
    ps->caps_words += w.all_caps;
    ps->lower_words += (first & kLowerByte) != 0;
    const LanguagePack* pack = (w.seen & (kUpperByte | kLowerByte)) ? packs.english : nullptr;
    if (ps->override_info != nullptr) info = Lookup(Folded(w.begin, w.end), w.hash, pack, ps->override_info);
    if (pack != nullptr && info != nullptr && info->phrase_words >= 2) {
      size_t consumed = AsciiPhrase(ps->part, w, *pack, &info);
      if (consumed > 0) ps->skip_words = consumed - 1;
    }
    if (w.end - w.begin == 1 && pack != nullptr && (info == nullptr || !info->Scores())) {
      NoteLetterWord(info, static_cast<uint32_t>(w.begin), w.in_hashtag);
      return;
    }
    bool title = (first & kUpperByte) && (w.seen & kLowerByte);
    Unit& u = AddUnit(static_cast<uint32_t>(w.begin), title, w.in_hashtag ? UnitKind::kTagWord : UnitKind::kWord);
    u.caps = w.all_caps;
    if (pack == nullptr || info == nullptr) return;
    SetFromInfo(*info, *pack, &u);
  }

  // MatchPhrase from word `w`: the words that follow it (up to the longest
  // phrase it starts, and only words: a hashtag's words within the hashtag)
  // are read ahead. REQUIRES: (*info)->phrase_words >= 2.
  size_t AsciiPhrase(size_t part, AsciiWord w, const LanguagePack& pack, const TermInfo** info) const {
    constexpr size_t kMaxWords = 8;  // phrase_words is at most 8
    struct Span {
      size_t begin, end;
    };
    Span spans[kMaxWords];  // [0, available) are set
    size_t max_words = std::min<size_t>((*info)->phrase_words, kMaxWords);
    spans[0] = {w.begin, w.end};
    uint64_t second_hash = 0;
    size_t available = 1;
    if (w.in_hashtag) {
      for (size_t k = part + 1; available < max_words && k < s.parts.size(); ++k) {
        AsciiWord next = HashtagWord(k);
        if (available == 1) second_hash = next.hash;
        spans[available++] = {next.begin, next.end};
      }
    } else {
      size_t pos = w.end;
      while (available < max_words) {
        while (pos < text.size() && (kAsciiClass[static_cast<unsigned char>(text[pos])] & kSpaceByte)) ++pos;
        if (pos >= text.size()) break;
        Lexeme next = LexAt(pos);
        if (next.kind != AsciiKind::kWord) break;
        if (available == 1) second_hash = next.hash;
        spans[available++] = {pos, next.end};
        pos = next.end;
      }
    }
    if (available < 2 || !pack.MayStartPhrase(w.hash, second_hash)) return 0;
    return LongestPhrase(
        pack, available, [&](size_t k) { return Folded(spans[k].begin, spans[k].end); }, info);
  }

  static void SetFromInfo(const TermInfo& info, const LanguagePack& pack, Unit* u) {
    u->negation_after = pack.negation_after;
    u->flags = info.flags;
    // Without branches: frequent words with no rating ("is", "my") would
    // otherwise make them hard to predict. `booster` is read only under
    // kBooster, and `valence` is 0 without kValence.
    u->booster = info.booster;
    bool function_word = info.flags & (TermInfo::kBooster | TermInfo::kContrast);
    u->valence = function_word ? 0.0f : info.valence;
    // A rated negator ("no") scores on its own unless it governs a rated
    // word right after it; see ClearGoverningNegators.
  }

  // "no" before a rated word negates it instead of scoring itself.
  void ClearGoverningNegators() {
    for (size_t j = 0; j + 1 < s.units.size(); ++j) {
      Unit& u = s.units[j];
      if ((u.flags & TermInfo::kNegator) && u.rated() && s.units[j + 1].rated() &&
          s.units[j + 1].sentence == u.sentence) {
        u.valence = 0;
      }
    }
  }

  // A capitalized rated word inside a run of capitalized words or next to a
  // number, mid-sentence in an English text written in lower case, is most
  // likely part of a name ("Fight Club", "Super 8", "Top Gun"). German
  // capitalizes every noun, so the rule is English only.
  bool InName(size_t j, uint32_t begin, uint32_t end) const {
    const Unit& u = s.units[j];
    if (j == begin || lower_words == 0 || !u.title || !Is(lang, "en")) return false;
    auto number = [&](size_t k) { return s.units[k].kind == UnitKind::kNumber; };
    auto name_part = [&](size_t k) { return number(k) || s.units[k].title; };
    // A sentence's first word is capitalized anyway; only a number there counts.
    bool before = name_part(j - 1) && (j - 1 != begin || number(j - 1));
    bool after = j + 1 < end && name_part(j + 1);
    return before || after;
  }

  float RateUnit(size_t j, uint32_t begin, uint32_t end) const {
    const Unit& u = s.units[j];
    float v = u.valence;
    if (InName(j, begin, end)) v *= kNameScalar;
    if (u.caps && cap_diff) v += Sign(v) * kCapsIncrement;
    for (size_t k = 1; k <= 3 && j >= begin + k; ++k) {
      const Unit& p = s.units[j - k];
      if (p.rated()) break;  // a rated word shields the word from modifiers further back
      // Modifiers do not reach across a clause break: "I like, no, love it".
      if (s.units[j - k + 1].clause_break) break;
      if (p.flags & TermInfo::kBooster) {
        float scalar = v < 0 ? -p.booster : p.booster;
        if (p.caps && cap_diff) scalar += v > 0 ? kCapsIncrement : -kCapsIncrement;
        v += scalar * kBoosterDecay[k - 1];
      }
      if ((p.flags & TermInfo::kNegator) && !p.negation_after) {
        bool emphatic = false;
        if (p.flags & TermInfo::kNever) {
          for (size_t q = j - k + 1; q < j; ++q) emphatic |= (s.units[q].flags & TermInfo::kEmphatic) != 0;
        }
        v *= emphatic ? kNeverSoScalar : (v < 0 ? kNegatedNegativeScalar : kNegationScalar);
      }
    }
    if (u.negation_after) {
      for (size_t q = j + 1; q < end && q <= j + 2; ++q) {
        const Unit& n = s.units[q];
        if (n.rated()) break;
        if ((n.flags & TermInfo::kNegator) && n.negation_after) {
          v *= kNegationScalar;
          break;
        }
      }
    }
    return v;
  }

  void RateSentences() {
    for (SentenceStat& st : s.sentences) {
      uint32_t contrast = UINT32_MAX;
      uint16_t clause = 0;
      double raw = 0;  // as if the sentence had no contrast word, the common case
      for (uint32_t j = st.begin; j < st.end; ++j) {
        Unit& u = s.units[j];
        if (u.flags & TermInfo::kContrast) {
          if (contrast == UINT32_MAX) contrast = j;
          ++clause;
        }
        u.clause = clause;
        u.value = u.rated() ? RateUnit(j, st.begin, st.end) : 0.0f;
        u.weighted = u.value;
        raw += u.weighted;
      }
      if (contrast != UINT32_MAX) {
        raw = 0;
        for (uint32_t j = st.begin; j < st.end; ++j) {
          Unit& u = s.units[j];
          float w = u.value * (j < contrast ? kBeforeContrast : (j > contrast ? kAfterContrast : 1.0f));
          u.weighted = w;
          raw += w;
        }
      }
      if (st.question && !st.exclamation) raw = Asks(st) ? AskedRaw(st) : raw * kQuestionScalar;
      st.raw = raw;
    }
    DampenBeforeOpeningContrast();
  }

  // Whether the first word of the sentence (hashtags, handles and emoticons
  // aside) opens a question that asks for information.
  bool Asks(const SentenceStat& st) const {
    for (uint32_t j = st.begin; j < st.end; ++j) {
      const Unit& u = s.units[j];
      if (u.kind != UnitKind::kWord && u.kind != UnitKind::kNumber) continue;
      return u.kind == UnitKind::kWord && u.cp_begin < st.letter_at && (u.flags & TermInfo::kQuestionOpener) != 0;
    }
    return false;
  }

  // "Any good films out?", "Is it going to be free?": a question that asks
  // for information names the quality it asks about without claiming it, so
  // its positive words carry nothing. Its negative words keep half, as in
  // any question: "does anyone else hate the new app?" still complains. So
  // do emoticons, which show the writer's mood whatever the words ask.
  double AskedRaw(const SentenceStat& st) {
    double raw = 0;
    for (uint32_t j = st.begin; j < st.end; ++j) {
      Unit& u = s.units[j];
      bool symbol = u.kind == UnitKind::kSymbol;
      u.weighted = u.weighted > 0 && !symbol ? 0.0f : u.weighted * static_cast<float>(kQuestionScalar);
      raw += u.weighted;
    }
    return raw;
  }

  // "The food was great. But the service was awful.": a sentence opening
  // with a contrast word also halves the sentences before it.
  void DampenBeforeOpeningContrast() {
    for (size_t k = 1; k < s.sentences.size(); ++k) {
      const SentenceStat& st = s.sentences[k];
      if (st.begin == st.end || !(s.units[st.begin].flags & TermInfo::kContrast)) continue;
      for (size_t p = 0; p < k; ++p) {
        s.sentences[p].raw *= kBeforeContrast;
        for (uint32_t j = s.sentences[p].begin; j < s.sentences[p].end; ++j) s.units[j].weighted *= kBeforeContrast;
      }
      return;
    }
  }

  static double Emphasis(int exclamations, int questions) {
    double e = std::min(exclamations, kMaxExclamations) * kExclamationStep;
    if (questions > 1) e += questions <= 3 ? questions * kQuestionStep : kQuestionMax;
    return e;
  }

  // Whether the text's language lists first-person words, which the
  // reporting rule needs to tell a report from a writer's own words.
  bool KnowsFirstPerson() const {
    const LanguagePack* pack = Is(lang, "en") ? a.set_->english : a.set_->Find(lang);
    return pack != nullptr && pack->first_person;
  }

  bool SpeaksOfWriter() const {
    return (letter_flags & TermInfo::kFirstPerson) || std::any_of(s.units.begin(), s.units.end(), [](const Unit& u) {
             return (u.flags & TermInfo::kFirstPerson) != 0;
           });
  }

  bool AnyNegator() const {
    return std::any_of(s.units.begin(), s.units.end(),
                       [](const Unit& u) { return (u.flags & TermInfo::kNegator) != 0; });
  }

  void Aggregate(int exclamations, int questions, SentimentScore* out) const {
    const double emphasis = Emphasis(exclamations, questions);
    double total = 0;
    int rated_sentences = 0;
    for (const SentenceStat& st : s.sentences) {
      total += st.raw;
      if (st.raw != 0) ++rated_sentences;
    }
    if (rated_sentences > kSentencesBeforeAveraging) total *= kSentencesBeforeAveraging / rated_sentences;
    if (link && total != 0 && !SpeaksOfWriter() && KnowsFirstPerson()) total *= kReportScalar;
    bool exclaimed = false;
    if (total > 0) {
      total += emphasis;
    } else if (total < 0) {
      total -= emphasis;
    } else if (exclamations > 0 && !s.units.empty() && !AnyNegator()) {
      // "And then I found $20 in my back pocket!": when the words weigh
      // nothing, an exclamation still shows excitement, unless something is
      // negated ("my order never arrived!").
      total = emphasis;
      exclaimed = true;
    }
    out->compound = Normalize(total);
    double pos = 0, neg = 0, neu = 0;
    for (const Unit& u : s.units) {
      if (u.weighted > 0) {
        pos += u.weighted + 1.0;
      } else if (u.weighted < 0) {
        neg += u.weighted - 1.0;
      } else {  // weights are finite, never NaN
        neu += 1.0;
      }
    }
    if (pos > std::fabs(neg) || exclaimed) pos += emphasis;
    if (pos < std::fabs(neg)) neg -= emphasis;
    double sum = pos + std::fabs(neg) + neu;
    if (sum > 0) {
      out->pos = pos / sum;
      out->neg = std::fabs(neg) / sum;
      out->neu = neu / sum;
    }
  }

  // The unit a brand match falls on: one inside the span, else the last before it.
  const Unit* UnitAt(const CodePointSpan& span) const {
    auto it = std::lower_bound(s.units.begin(), s.units.end(), span.begin,
                               [](const Unit& u, uint32_t cp) { return u.cp_begin < cp; });
    if (it != s.units.end() && it->cp_begin < std::max(span.end, span.begin + 1)) return &*it;
    if (it == s.units.begin()) return s.units.empty() ? nullptr : &s.units.front();
    return &*(it - 1);
  }

  // Sums the clauses that mention the brand (the whole sentence when that
  // clause carries no sentiment) so that "their rival is awful but Acme was
  // great" is positive for Acme.
  double TargetScore() const {
    s.targeted.clear();
    for (const CodePointSpan& span : req.targets) {
      const Unit* u = UnitAt(span);
      if (u == nullptr) continue;
      std::pair<uint16_t, uint16_t> key{u->sentence, u->clause};
      if (std::find(s.targeted.begin(), s.targeted.end(), key) == s.targeted.end()) s.targeted.push_back(key);
    }
    double total = 0;
    for (const auto& [sentence, clause] : s.targeted) {
      const SentenceStat& st = s.sentences[sentence];
      double clause_sum = 0;
      for (uint32_t j = st.begin; j < st.end; ++j) {
        if (s.units[j].clause == clause) clause_sum += s.units[j].value;
      }
      total += clause_sum != 0 ? clause_sum : st.raw;
    }
    return Normalize(total);
  }
};

Analyzer::Analyzer(std::unique_ptr<LexiconSet> set, LexiconOverrides global, std::string data_dir, std::string language)
    : set_(std::move(set)),
      global_(std::move(global)),
      data_dir_(std::move(data_dir)),
      language_(std::move(language)) {}
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;
Analyzer::~Analyzer() = default;

Result<Analyzer> Analyzer::Create(const SentimentOptions& options) {
  std::optional<std::string> dir = ResolveDataDir(options.data_dir);
  if (!dir) {
    return Status::NotFound("no sentiment lexicons in '" + (options.data_dir.empty() ? "" : options.data_dir + "', '") +
                            BRANDMON_DATA_DIR + "' or '" + BRANDMON_SOURCE_DATA_DIR + "'");
  }
  return Load(*dir, options);
}

Result<Analyzer> Analyzer::Load(const std::string& data_dir, const SentimentOptions& options) {
  Result<std::unique_ptr<LexiconSet>> set = LoadLexiconSet(data_dir);
  if (!set.ok()) return set.status();
  std::map<std::string, double> global;
  for (const auto& file : options.lexicon_files) {
    if (Status s = ReadValenceFile(file, &global); !s.ok()) return s.WithContext("sentiment.lexicon_files");
  }
  for (const auto& [term, valence] : options.lexicon) global[TermKey(term)] = valence;
  Analyzer analyzer(std::move(set).value(), LexiconOverrides(), data_dir,
                    options.language.empty() ? "auto" : options.language);
  Result<LexiconOverrides> overrides = analyzer.MakeOverrides(global);
  if (!overrides.ok()) return overrides.status().WithContext("sentiment.lexicon");
  analyzer.global_ = std::move(overrides).value();
  return analyzer;
}

Result<LexiconOverrides> Analyzer::MakeOverrides(const std::map<std::string, double>& terms) const {
  LexiconOverrides out;
  for (const auto& [term, valence] : terms) {
    if (!(valence >= -4.0 && valence <= 4.0)) {
      return Status::InvalidArgument("valence of '" + term + "' must be between -4 and 4, got " +
                                     std::to_string(valence));
    }
    std::string key = TermKey(term);
    if (key.empty()) return Status::InvalidArgument("empty lexicon term");
    out.terms_[key] = static_cast<float>(valence);
  }
  return out;
}

std::vector<std::string> Analyzer::Languages() const {
  std::vector<std::string> out;
  for (const auto& p : set_->packs) out.push_back(p->code);
  return out;
}

size_t Analyzer::MemoryBytes() const { return set_->MemoryBytes() + global_.terms_.MemoryBytes(); }

SentimentScore Analyzer::Score(std::string_view text, const ScoreRequest& given) const {
  Scratch& s = ThreadScratch();
  // Text from JSON APIs keeps HTML's escapes ("&lt;3", "AT&amp;T"): score
  // the characters they stand for, with the brand spans moved to match.
  ScoreRequest request = given;
  if (text.size() < UINT32_MAX && text::DecodeCharRefs(text, &s.decoded, given.targets.empty() ? nullptr : &s.shifts)) {
    text = s.decoded;
    s.targets.clear();
    for (const CodePointSpan& span : given.targets) {
      s.targets.push_back({text::MapDecodedOffset(span.begin, s.shifts), text::MapDecodedOffset(span.end, s.shifts)});
    }
    request.targets = s.targets;
  }
  Impl impl{*this, request, s, {}, {}, {}, {}, {}, false};
  s.units.clear();
  s.sentences.clear();
  int exclamations = 0, questions = 0;
  bool ascii = false;
  if (request.general_path) ascii = IsAscii(text);
  std::pair<int, int> marks;
  if (!request.general_path && impl.TryAscii(text, &ascii, &marks)) {
    std::tie(exclamations, questions) = marks;
  } else {
    std::string_view t = impl.PrepareText(text, ascii);
    impl.text = t;
    text::Tokenize(t, text::TokenizerOptions{}, &s.tokens);
    impl.FoldKeys(ascii);
    impl.ChooseLanguage(t, ascii);
    std::tie(exclamations, questions) = impl.BuildUnits();
  }
  impl.ClearGoverningNegators();
  impl.RateSentences();
  SentimentScore out{.lang = std::string(impl.lang), .target = std::nullopt};
  impl.Aggregate(exclamations, questions, &out);
  if (!request.targets.empty()) out.target = impl.TargetScore();
  ReleaseIfHuge(&s);
  return out;
}

}  // namespace brandmon::sentiment

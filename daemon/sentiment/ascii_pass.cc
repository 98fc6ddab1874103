#include "daemon/sentiment/ascii_pass.h"

#include <cstdint>

#include "daemon/sentiment/ascii_lexer.h"
#include "daemon/sentiment/ascii_text.h"
#include "daemon/sentiment/phrase_match.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::sentiment {

namespace {

using text::kAsciiClass;
using text::kLowerByte;
using text::kSpaceByte;
using text::kUpperByte;

// A word of the pass: where it is, its key's hash and what it looks like.
struct AsciiWord {
  size_t begin;
  size_t end;
  uint64_t hash;
  uint8_t seen;   // text::AsciiClass bits of its bytes
  bool all_caps;  // two upper-case letters or more and no lower-case one
  bool in_hashtag;
};

// The ascii_words entry of the word [begin, end) of the lexer's text, or
// null. `seen`: its text::AsciiClass bits; `hash`: its key's.
[[gnu::always_inline]] inline const LexiconSet::AsciiEntry* FindWord(const LexiconSet& set, const AsciiLexer& lexer,
                                                                     size_t begin, size_t end, uint64_t hash,
                                                                     uint8_t seen) {
  if (!(seen & (kUpperByte | kLowerByte)) || !set.AsciiWordMayExist(hash)) return nullptr;
  return set.ascii_words.FindHashed(lexer.Lower(begin, end), hash);
}

// FindWord, and the word's count in *evidence: the pass and AsciiEvidence
// count the same words the same way.
[[gnu::always_inline]] inline const LexiconSet::AsciiEntry* VoteWord(const LexiconSet& set, const AsciiLexer& lexer,
                                                                     size_t begin, size_t end, uint64_t hash,
                                                                     uint8_t seen, LanguageEvidence* evidence) {
  const LexiconSet::AsciiEntry* e = FindWord(set, lexer, begin, end, hash, seen);
  evidence->words += (seen & (kUpperByte | kLowerByte)) != 0;
  if (e == nullptr) return nullptr;
  evidence->english_words += e->english_knows;
  for (unsigned bits = e->stopwords; bits != 0; bits &= bits - 1) ++evidence->stopwords[__builtin_ctz(bits)];
  evidence->languages |= e->stopwords;
  return e;
}

// What BuildGeneralUnits carries from token to token, for the pass.
struct PassState {
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

// The pass over one ASCII text; see TryAsciiPass. Its steps mirror the
// general path's (general_path.cc) and are inlined into Scan.
class AsciiPass {
 public:
  // REQUIRES: b->s.folded holds `text` lower-cased.
  AsciiPass(UnitBuilder* b, std::string_view text) : b_(*b), s_(b->s), text_(text), lexer_(text, b->s.folded.data()) {}

  // Scores the tokens of the text in one pass; false when the general path
  // must decide.
  bool Scan(std::pair<int, int>* marks) {
    const char* const p = text_.data();
    const size_t n = text_.size();
    PassState ps;
    TermInfo override_info;
    if ((b_.brand != nullptr && b_.brand->size() > 0) || b_.global.size() > 0) ps.override_info = &override_info;
    StartSentence();
    size_t pos = 0;
    while (pos < n) {
      uint8_t cls = kAsciiClass[static_cast<unsigned char>(p[pos])];
      if (cls & kSpaceByte) {
        if (p[pos] == '\n' || p[pos] == '\r') ps.line_break = true;
        ++pos;
        continue;
      }
      Lexeme lex = lexer_.LexAt(pos);
      if (!Token(&ps, pos, lex)) return false;
      pos = lex.end;
      // Most tokens are followed by one space: skip it here.
      if (pos < n && p[pos] == ' ') ++pos;
    }
    if (ps.chunk_end != 0 && ps.last_end != ps.chunk_end) return false;
    b_.EndSentences();
    b_.cap_diff = ps.caps_words > 0 && ps.caps_words < ps.words;
    b_.lower_words = ps.lower_words;
    *marks = {ps.exclamations, ps.questions};
    return true;
  }

 private:
  // Scores the token `lex` starting at `pos`; false when the general path
  // must decide.
  [[gnu::always_inline]] bool Token(PassState* ps, size_t pos, const Lexeme& lex) {
    bool line_break = false;
    int live = Enter(ps, pos, lex.end, &line_break);
    if (live < 0) return false;
    switch (lex.kind) {
      case AsciiKind::kWord: {
        AsciiWord w{pos, lex.end, lex.hash, lex.seen, false, false};
        if (!(lex.seen & kLowerByte)) w.all_caps = CountUpper(pos, lex.end) >= 2;
        const TermInfo* info = EnglishEntry</*kVote=*/true>(w);
        if (live) WordUnit(ps, w, info, line_break);
        break;
      }
      case AsciiKind::kPunct:
      case AsciiKind::kEmoticon:
        if (live && !Chunk(ps, pos, lex.end, lex.kind, line_break)) {
          if (lex.kind == AsciiKind::kPunct) {
            Punct(ps, text_[pos]);
          } else {
            NewSentenceIfDue(ps, line_break);
            AddEmoticon(pos, lex.end, lex.hash);
          }
        }
        break;
      case AsciiKind::kHashtag:
        if (live) NewSentenceIfDue(ps, line_break);
        if (!Hashtag(ps, pos, lex.end)) return false;
        break;
      default:  // URLs, handles and numbers
        if (live) {
          NewSentenceIfDue(ps, line_break);
          if (lex.kind == AsciiKind::kUrl) {
            b_.link = true;
          } else {
            b_.AddUnit(static_cast<uint32_t>(pos), false,
                       lex.kind == AsciiKind::kNumber ? UnitKind::kNumber : UnitKind::kHandle);
          }
        }
        break;
    }
    return true;
  }

  // Every token passes here first. Returns 1 for a token to score, 0 for one
  // inside an emoticon chunk, -1 when the chunk just ended away from a
  // token's end (the general path then decides). *line_break receives and
  // clears the pass's line break.
  [[gnu::always_inline]] static int Enter(PassState* ps, size_t begin, size_t end, bool* line_break) {
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

  // Out of line: it runs once per sentence, and inlined into the pass it
  // costs the word loop more than the call.
  [[gnu::noinline]] void StartSentence() { b_.StartSentence(); }

  [[gnu::always_inline]] void NewSentenceIfDue(PassState* ps, bool line_break) {
    if (ps->sentence_ended || line_break) StartSentence();
    ps->sentence_ended = false;
  }

  int CountUpper(size_t begin, size_t end) const {
    int upper = 0;
    for (size_t k = begin; k < end; ++k) upper += (kAsciiClass[static_cast<unsigned char>(text_[k])] & kUpperByte) != 0;
    return upper;
  }

  // A Latin word's English entry, or null. kVote: the word counts in
  // b->evidence (hashtags' words do not: the model skips them too).
  template <bool kVote>
  [[gnu::always_inline]] const TermInfo* EnglishEntry(const AsciiWord& w) {
    const LexiconSet::AsciiEntry* e = kVote ? VoteWord(b_.set, lexer_, w.begin, w.end, w.hash, w.seen, &b_.evidence)
                                            : FindWord(b_.set, lexer_, w.begin, w.end, w.hash, w.seen);
    return e != nullptr && e->has_english ? &e->english : nullptr;
  }

  [[gnu::always_inline]] void Punct(PassState* ps, char c) {
    bool exclamation = c == '!';
    bool question = c == '?';
    ps->exclamations += exclamation;
    ps->questions += question;
    if (c == '.' || exclamation || question) {
      ps->sentence_ended = true;
      s_.sentences.back().question |= question;
      s_.sentences.back().exclamation |= exclamation;
    } else if (c == ',' || c == ';' || c == ':' || c == '-' || c == '(' || c == ')') {
      b_.clause_break = true;
    }
  }

  void AddEmoticon(size_t begin, size_t end, uint64_t hash) {
    Unit& u = b_.AddUnit(static_cast<uint32_t>(begin), UnitBuilder::IsTitle(text_.substr(begin, end - begin)),
                         UnitKind::kSymbol);
    std::string_view key = lexer_.Lower(begin, end);
    if (const float* v = b_.set.symbols.FindHashed(key, hash)) {
      u.valence = *v;
    } else if (const TermInfo* info = b_.packs.english->terms.FindHashed(key, hash);
               info && (info->flags & TermInfo::kValence)) {
      u.valence = info->valence;
    }
  }

  // The general path's MatchEmoticonChunk at a punctuation or emoticon
  // token: when the white-space-delimited chunk starting there is a symbol,
  // adds its unit, makes the pass skip the chunk's tokens and returns true.
  [[gnu::always_inline]] bool Chunk(PassState* ps, size_t begin, size_t token_end, AsciiKind kind, bool line_break) {
    if (begin > 0 && !UnitBuilder::IsSpaceByte(text_[begin - 1])) return false;
    size_t end = begin;
    while (end < text_.size() && !UnitBuilder::IsSpaceByte(text_[end]) && end - begin <= 8) ++end;
    if (end - begin < 2 || end - begin > 8) return false;
    if (!b_.set.symbol_first_byte[static_cast<unsigned char>(s_.folded[begin])]) return false;
    const float* v = b_.set.symbols.Find(lexer_.Lower(begin, end));
    if (v == nullptr) return false;
    bool title = kind == AsciiKind::kEmoticon && UnitBuilder::IsTitle(text_.substr(begin, token_end - begin));
    // As in the general path, the unit is added before a new sentence
    // starts, so that it closes the sentence before it.
    b_.AddUnit(static_cast<uint32_t>(begin), title, UnitKind::kSymbol).valence = *v;
    NewSentenceIfDue(ps, line_break);
    ps->chunk_end = end;
    return true;
  }

  // The words of a hashtag's body; false when the general path must decide.
  [[gnu::always_inline]] bool Hashtag(PassState* ps, size_t begin, size_t end) {
    s_.parts.clear();
    text::SplitHashtag(text_.substr(begin + 1, end - begin - 1), &s_.parts);
    for (ps->part = 0; ps->part < s_.parts.size(); ++ps->part) {
      AsciiWord w = HashtagWord(ps->part);
      bool line_break = false;
      int live = Enter(ps, w.begin, w.end, &line_break);
      if (live < 0) return false;
      const TermInfo* info = EnglishEntry</*kVote=*/false>(w);
      if (live) WordUnit(ps, w, info, line_break);
    }
    return true;
  }

  AsciiWord HashtagWord(size_t part) const {
    std::string_view word = s_.parts[part];
    size_t begin = static_cast<size_t>(word.data() - text_.data());
    AsciiWord w{begin, begin + word.size(), 0, 0, false, true};
    uint64_t h = kHashSeed;
    for (size_t k = w.begin; k < w.end; ++k) {
      w.seen |= kAsciiClass[static_cast<unsigned char>(text_[k])];
      h = HashByte(h, static_cast<unsigned char>(s_.folded[k]));
    }
    w.hash = HashFinish(h);
    return w;
  }

  // The general path's AddWord for a word outside emoticon chunks: English
  // has no inflection rules and no fallback language.
  [[gnu::always_inline]] void WordUnit(PassState* ps, const AsciiWord& w, const TermInfo* info, bool line_break) {
    if (ps->skip_words > 0) {
      --ps->skip_words;
      return;
    }
    NewSentenceIfDue(ps, line_break);
    uint8_t first = kAsciiClass[static_cast<unsigned char>(text_[w.begin])];
    ++ps->words;
    ps->caps_words += w.all_caps;
    ps->lower_words += (first & kLowerByte) != 0;
    const LanguagePack* pack = (w.seen & (kUpperByte | kLowerByte)) ? b_.packs.english : nullptr;
    if (ps->override_info != nullptr) info = b_.Lookup(lexer_.Lower(w.begin, w.end), w.hash, pack, ps->override_info);
    if (pack != nullptr && info != nullptr && info->phrase_words >= 2) {
      size_t consumed = Phrase(ps->part, w, *pack, &info);
      if (consumed > 0) ps->skip_words = consumed - 1;
    }
    if (w.end - w.begin == 1 && pack != nullptr && (info == nullptr || !info->Scores())) {
      b_.NoteLetterWord(info, static_cast<uint32_t>(w.begin), w.in_hashtag);
      return;
    }
    bool title = (first & kUpperByte) && (w.seen & kLowerByte);
    Unit& u = b_.AddUnit(static_cast<uint32_t>(w.begin), title, w.in_hashtag ? UnitKind::kTagWord : UnitKind::kWord);
    u.caps = w.all_caps;
    if (pack == nullptr || info == nullptr) return;
    UnitBuilder::SetFromInfo(*info, *pack, &u);
  }

  // The general path's MatchPhrase from word `w`: the words that follow it
  // (up to the longest phrase it starts, and only words: a hashtag's words
  // within the hashtag) are read ahead. REQUIRES: (*info)->phrase_words >= 2.
  size_t Phrase(size_t part, AsciiWord w, const LanguagePack& pack, const TermInfo** info) const {
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
      for (size_t k = part + 1; available < max_words && k < s_.parts.size(); ++k) {
        AsciiWord next = HashtagWord(k);
        if (available == 1) second_hash = next.hash;
        spans[available++] = {next.begin, next.end};
      }
    } else {
      size_t pos = w.end;
      while (available < max_words) {
        while (pos < text_.size() && (kAsciiClass[static_cast<unsigned char>(text_[pos])] & kSpaceByte)) ++pos;
        if (pos >= text_.size()) break;
        Lexeme next = lexer_.LexAt(pos);
        if (next.kind != AsciiKind::kWord) break;
        if (available == 1) second_hash = next.hash;
        spans[available++] = {pos, next.end};
        pos = next.end;
      }
    }
    if (available < 2 || !pack.MayStartPhrase(w.hash, second_hash)) return 0;
    return LongestPhrase(
        pack, available, [&](size_t k) { return lexer_.Lower(spans[k].begin, spans[k].end); }, info);
  }

  UnitBuilder& b_;
  Scratch& s_;
  std::string_view text_;
  AsciiLexer lexer_;
};

}  // namespace

LanguageEvidence AsciiEvidence(const LexiconSet& set, std::string_view text, Scratch* s) {
  if (s->folded.size() < text.size()) s->folded.resize(text.size());
  LowerAscii(text, s->folded.data());
  AsciiLexer lexer(text, s->folded.data());
  LanguageEvidence evidence;
  size_t pos = 0;
  while (pos < text.size()) {
    if (kAsciiClass[static_cast<unsigned char>(text[pos])] & kSpaceByte) {
      ++pos;
      continue;
    }
    Lexeme lex = lexer.LexAt(pos);
    if (lex.kind == AsciiKind::kWord) VoteWord(set, lexer, pos, lex.end, lex.hash, lex.seen, &evidence);
    pos = lex.end;
  }
  return evidence;
}

bool TryAsciiPass(UnitBuilder* b, std::string_view text, std::string_view language, bool* ascii,
                  std::pair<int, int>* marks) {
  const LanguagePack* english = b->set.english;
  if (english == nullptr || english->unspaced || !english->suffixes.empty() || !english->prefixes.empty() ||
      !Is(language, "en") || text.size() >= UINT32_MAX) {
    *ascii = IsAscii(text);
    return false;
  }
  Scratch& s = b->s;
  // Only grown: resizing down and up again would zero-fill every time.
  if (s.folded.size() < text.size()) s.folded.resize(text.size());
  *ascii = LowerAscii(text, s.folded.data());
  if (!*ascii) return false;
  b->packs.english = english;
  b->packs.latin = english;
  if (!AsciiPass(b, text).Scan(marks)) {
    // Back to the state the general path starts from.
    s.units.clear();
    s.sentences.clear();
    b->lower_words = 0;
    b->clause_break = false;
    return false;
  }
  b->lang = "en";
  return true;
}

}  // namespace brandmon::sentiment

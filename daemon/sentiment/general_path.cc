#include "daemon/sentiment/general_path.h"

#include <string>

#include "daemon/sentiment/ascii_text.h"
#include "daemon/sentiment/phrase_match.h"
#include "daemon/text/fold.h"
#include "daemon/text/sentences.h"
#include "daemon/text/tokenizer.h"
#include "daemon/text/utf8.h"

namespace brandmon::sentiment {

namespace {

constexpr uint64_t kEmptyHash = HashFinish(kHashSeed);  // HashTerm("")

// The general path's steps over one text; see BuildGeneralUnits.
class GeneralPath {
 public:
  GeneralPath(UnitBuilder* b, const text::Tokens& tokens)
      : b_(*b), s_(b->s), text_(tokens.text()), tokens_(tokens.tokens()) {}

  std::pair<int, int> Run(bool ascii, std::string_view language) {
    FoldKeys(ascii);
    LanguageChoice choice = ChooseLanguage(b_.set, language);
    b_.packs = choice.packs;
    b_.lang = choice.code;
    return BuildUnits();
  }

 private:
  std::string_view Key(size_t token) const {
    const TokenKey& k = s_.keys[token];
    return std::string_view(s_.folded.data() + k.offset, k.length);
  }

  void FoldKeys(bool ascii) {
    if (ascii) {
      FoldAsciiKeys();
      return;
    }
    // Other texts may grow when folded (U+0130 folds to two code points), so
    // each key is appended.
    s_.folded.clear();
    s_.keys.resize(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const text::Token& t = tokens_[i];
      TokenKey& k = s_.keys[i];
      k.offset = static_cast<uint32_t>(s_.folded.size());
      if (HasKey(t)) text::AppendFolded(t.text, &s_.folded);
      k.length = static_cast<uint32_t>(s_.folded.size() - k.offset);
      k.hash = HashFinish(HashBytes(kHashSeed, Key(i)));
    }
  }

  // An ASCII text is lower-cased once as a whole, so that each token's key
  // lies at the token's own offset and nothing is copied per token.
  void FoldAsciiKeys() {
    s_.folded.resize(text_.size());
    LowerAscii(text_, s_.folded.data());
    const size_t count = tokens_.size();  // hoisted: the stores below may alias s_
    s_.keys.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const text::Token& t = tokens_[i];
      TokenKey& k = s_.keys[i];
      k.offset = t.begin;
      if (!HasKey(t)) {
        k.length = 0;
        k.hash = kEmptyHash;
        continue;
      }
      k.length = static_cast<uint32_t>(t.text.size());
      k.hash = HashFinish(HashBytes(kHashSeed, Key(i)));
    }
  }

  static bool IsPlainRating(const TermInfo& info) {
    return (info.flags & TermInfo::kValence) &&
           !(info.flags & (TermInfo::kNegator | TermInfo::kBooster | TermInfo::kContrast));
  }

  static bool HasKey(const text::Token& t) {
    return t.kind == text::Token::Kind::kWord || t.kind == text::Token::Kind::kEmoticon ||
           t.kind == text::Token::Kind::kEmoji;
  }

  // What BuildUnits carries from token to token.
  struct TokenRun {
    int exclamations = 0;
    int questions = 0;
    int caps_words = 0;
    int words = 0;
    bool sentence_ended = false;
  };

  // Turns tokens into rated units; returns '!' and '?' counts.
  std::pair<int, int> BuildUnits() {
    TokenRun run;
    b_.StartSentence();
    TermInfo override_info;
    const size_t count = tokens_.size();  // hoisted: adding units may alias s_
    for (size_t i = 0; i < count; ++i) {
      const text::Token& t = tokens_[i];
      if (t.kind == text::Token::Kind::kPunct || t.kind == text::Token::Kind::kEmoticon) {
        if (size_t n = MatchEmoticonChunk(i); n > 0) {
          if (run.sentence_ended || t.line_break_before) b_.StartSentence();
          run.sentence_ended = false;
          i += n - 1;
          continue;
        }
      }
      if (t.kind == text::Token::Kind::kPunct) {
        AddPunct(t, &run);
        continue;
      }
      if (run.sentence_ended || t.line_break_before) b_.StartSentence();
      run.sentence_ended = false;
      switch (t.kind) {
        case text::Token::Kind::kUrl: b_.link = true; continue;
        case text::Token::Kind::kHashtag: continue;
        case text::Token::Kind::kHandle:
        case text::Token::Kind::kNumber: AddUnit(t); continue;
        case text::Token::Kind::kEmoji:
        case text::Token::Kind::kEmoticon: AddSymbol(t, i); continue;
        default: break;
      }
      ++run.words;
      if (t.all_caps) ++run.caps_words;
      if (!t.text.empty() && t.text[0] >= 'a' && t.text[0] <= 'z') ++b_.lower_words;
      i += AddWord(i, &override_info);
    }
    b_.EndSentences();
    b_.cap_diff = run.caps_words > 0 && run.caps_words < run.words;
    return {run.exclamations, run.questions};
  }

  // Counts a '!' or '?', ends the sentence at a terminal mark and notes a
  // clause break.
  void AddPunct(const text::Token& t, TokenRun* run) {
    bool exclamation = t.text == "!" || t.text == "！";
    bool question = t.text == "?" || t.text == "？" || t.text == "؟";
    run->exclamations += exclamation;
    run->questions += question;
    // Inlined for the one-byte '.', '!' and '?'.
    bool terminal = t.text.size() == 1 ? t.text[0] == '.' || exclamation || question : text::IsTerminal(t);
    if (terminal) {
      run->sentence_ended = true;
      s_.sentences.back().question |= question;
      s_.sentences.back().exclamation |= exclamation;
    } else if (t.text.size() == 1 && std::string_view(",;:-()").find(t.text[0]) != std::string_view::npos) {
      b_.clause_break = true;
    }
  }

  // An emoji (or its base without modifiers) or an emoticon, rated from the
  // symbol table, an emoticon also from the English pack.
  void AddSymbol(const text::Token& t, size_t i) {
    Unit& u = AddUnit(t);
    std::string_view key = Key(i);
    const float* v = b_.set.symbols.Find(key);
    if (v == nullptr && t.kind == text::Token::Kind::kEmoji) {
      size_t end = 0;
      text::DecodeUtf8(key, &end);  // the base emoji without modifiers
      v = b_.set.symbols.Find(key.substr(0, end));
    }
    if (v == nullptr && t.kind == text::Token::Kind::kEmoticon) {
      const TermInfo* info = b_.packs.english ? b_.packs.english->terms.Find(key) : nullptr;
      if (info && (info->flags & TermInfo::kValence)) u.valence = info->valence;
    } else if (v != nullptr) {
      u.valence = *v;
    }
  }

  // A whitespace-delimited chunk starting at token i that the symbol table
  // knows as a whole (":l", ">:[", ":-/" beyond the tokenizer's list): adds
  // its unit and returns how many tokens it spans, else 0.
  size_t MatchEmoticonChunk(size_t i) {
    const text::Token& t = tokens_[i];
    if (t.begin > 0 && !UnitBuilder::IsSpaceByte(text_[t.begin - 1])) return 0;
    size_t end = t.begin;
    while (end < text_.size() && !UnitBuilder::IsSpaceByte(text_[end]) && end - t.begin <= 8) ++end;
    if (end - t.begin < 2 || end - t.begin > 8) return 0;
    // An ASCII first byte folds to its lower case, which must start some
    // symbol (most punctuation starts none).
    auto first = static_cast<unsigned char>(text_[t.begin]);
    if (first < 0x80 && !b_.set.symbol_first_byte[first >= 'A' && first <= 'Z' ? first + 32 : first]) return 0;
    s_.phrase.clear();
    text::AppendFolded(text_.substr(t.begin, end - t.begin), &s_.phrase);
    const float* v = b_.set.symbols.Find(s_.phrase);
    if (v == nullptr) return 0;
    size_t n = 0;
    while (i + n < tokens_.size() && tokens_[i + n].begin < end) ++n;
    if (n == 0 || tokens_[i + n - 1].begin + tokens_[i + n - 1].text.size() != end) return 0;
    AddUnit(t).valence = *v;
    return n;
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
    return b_.AddUnit(t.cp_begin, UnitBuilder::IsTitle(t.text), kind);
  }

  // Adds the unit for the word at token i; returns how many extra tokens a
  // phrase consumed.
  [[gnu::always_inline]] size_t AddWord(size_t i, TermInfo* override_info) {
    const text::Token& t = tokens_[i];
    std::string_view key = Key(i);
    const LanguagePack* pack = b_.packs.For(t.script);
    const TermInfo* info = b_.Lookup(key, s_.keys[i].hash, pack, override_info);
    size_t consumed = 0;
    if (pack != nullptr && MayStartPhrase(*pack, info)) consumed = MatchPhrase(i, pack, info, &info);
    if ((info == nullptr || !info->Scores()) && consumed == 0 && pack != nullptr &&
        !(pack->suffixes.empty() && pack->prefixes.empty())) {
      if (const TermInfo* inflected = FindInflected(key, *pack)) info = inflected;
    }
    if ((info == nullptr || !info->Scores()) && consumed == 0 && pack != nullptr && pack->word_pieces) {
      AddUnspacedPieces(t, key, *pack);
      return 0;
    }
    if ((info == nullptr || !info->Scores()) && consumed == 0) TryFallback(i, t, key, &pack, &info, &consumed);
    if (consumed > 0) consumed -= 1;
    bool latin_single = t.script == text::Script::kLatin && key.size() == 1;
    if (latin_single && (info == nullptr || !info->Scores())) {
      b_.NoteLetterWord(info, t.cp_begin, t.in_hashtag);
      return consumed;
    }
    Unit& u = AddUnit(t);
    u.caps = t.all_caps;
    if (pack == nullptr || info == nullptr) return consumed;
    UnitBuilder::SetFromInfo(*info, *pack, &u);
    return consumed;
  }

  // A word its own pack does not rate, looked up (with its phrases) in the
  // script's fallback pack: on a rated entry, sets *pack, *info and
  // *consumed to it.
  [[gnu::always_inline]] void TryFallback(size_t i, const text::Token& t, std::string_view key,
                                          const LanguagePack** pack, const TermInfo** info, size_t* consumed) {
    const LanguagePack* fallback = b_.packs.FallbackFor(t.script);
    if (fallback == nullptr) return;
    const TermInfo* f = fallback->terms.FindHashed(key, s_.keys[i].hash);
    size_t n = MayStartPhrase(*fallback, f) ? MatchPhrase(i, fallback, f, &f) : 0;
    // Only rated words carry over: another language's function words
    // ("no" is a Portuguese preposition) must not negate or boost.
    if (f != nullptr && (f->flags & TermInfo::kValence) &&
        !(f->flags & (TermInfo::kNegator | TermInfo::kBooster | TermInfo::kContrast))) {
      *info = f;
      *consumed = n;
      *pack = fallback;
    }
  }

  // Tries the longest phrase starting at token i; returns the number of
  // tokens it covers (0 when none) and sets *info.
  size_t MatchPhrase(size_t i, const LanguagePack* pack, const TermInfo* first, const TermInfo** info) const {
    size_t max_words = pack->unspaced ? kMaxPhraseSegments : (first ? first->phrase_words : 0);
    if (max_words < 2) return 0;
    size_t available = 1;
    while (available < max_words && i + available < tokens_.size() &&
           tokens_[i + available].kind == text::Token::Kind::kWord &&
           tokens_[i + available].in_hashtag == tokens_[i].in_hashtag) {
      ++available;
    }
    if (available < 2) return 0;
    if (!pack->unspaced && !pack->MayStartPhrase(s_.keys[i].hash, s_.keys[i + 1].hash)) return 0;
    return LongestPhrase(
        *pack, available, [&](size_t k) { return Key(i + k); }, info);
  }

  // The entry for an inflected form: a suffix replaced or a clitic prefix
  // dropped, as the language's rules list them. Stems keep three or more
  // code points so that short words do not collide.
  const TermInfo* FindInflected(std::string_view key, const LanguagePack& pack) const {
    constexpr size_t kMinStem = 3;  // code points
    for (const auto& [from, to] : pack.suffixes) {
      if (key.size() < from.size() + kMinStem || key.substr(key.size() - from.size()) != from) continue;
      if (text::CountCodePoints(key.substr(0, key.size() - from.size())) < kMinStem) continue;
      s_.phrase.assign(key.substr(0, key.size() - from.size()));
      s_.phrase.append(to);
      const TermInfo* info = pack.terms.Find(s_.phrase);
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
  // left whole, e.g. a rating character inside a longer compound, or inside
  // a word of a spaced word_pieces pack (Korean), where only rated words
  // count: a negator or booster found inside a longer word ("안" in
  // "안녕", hello) is a coincidence of spelling.
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
        if (info != nullptr && (pack.unspaced ? info->Scores() : IsPlainRating(*info))) best = info, best_end = end;
      }
      if (best != nullptr) {
        Unit& u = AddUnit(t);
        u.cp_begin = t.cp_begin + cp;
        UnitBuilder::SetFromInfo(*best, pack, &u);
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

  UnitBuilder& b_;
  Scratch& s_;
  const std::string_view text_;  // after repair and normalization
  const std::vector<text::Token>& tokens_;
};

}  // namespace

std::pair<int, int> BuildGeneralUnits(UnitBuilder* b, const text::Tokens& tokens, bool ascii,
                                      std::string_view language) {
  return GeneralPath(b, tokens).Run(ascii, language);
}

}  // namespace brandmon::sentiment

#include "daemon/sentiment/analyzer.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "daemon/sentiment/aggregate.h"
#include "daemon/sentiment/ascii_pass.h"
#include "daemon/sentiment/ascii_text.h"
#include "daemon/sentiment/general_path.h"
#include "daemon/sentiment/language_choice.h"
#include "daemon/sentiment/rating.h"
#include "daemon/sentiment/scratch.h"
#include "daemon/sentiment/unit_builder.h"
#include "daemon/text/char_refs.h"
#include "daemon/text/lang_id.h"
#include "daemon/text/tokens.h"
#include "daemon/text/utf8.h"

namespace brandmon::sentiment {

std::string_view LabelFor(double compound) {
  if (compound >= 0.05) return "positive";
  if (compound <= -0.05) return "negative";
  return "neutral";
}

std::string_view SentimentScore::label() const { return LabelFor(compound); }

namespace {

// The language of a text no code was pinned for: English when what the
// ASCII pass saw of its words settles it (`evidence`, or for an ASCII text
// the pass did not score, AsciiEvidence), else text::IdentifyLanguage's
// answer, kept in *guess (left empty otherwise: most texts need no string).
std::string_view FindLanguage(const LexiconSet& set, const LanguageEvidence* evidence, bool ascii,
                              std::string_view text, const text::Tokens& tokens, Scratch* s,
                              std::optional<text::LanguageGuess>* guess) {
  if (ascii && EnglishIsClear(set, evidence != nullptr ? *evidence : AsciiEvidence(set, text, s))) return "en";
  guess->emplace(text::IdentifyLanguage(ascii || text::IsValidUtf8(text) ? text : tokens.text()));
  return (*guess)->code;
}

}  // namespace

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

SentimentScore Analyzer::Score(std::string_view text, const ScoreRequest& request) const {
  // Split only when the general path reads the tokens: the ASCII pass does
  // not.
  text::Tokens& tokens = ThreadScratch().given;
  tokens.Reset(text);
  return Score(tokens, request);
}

SentimentScore Analyzer::Score(const text::Tokens& tokens, const ScoreRequest& request) const {
  const text::Tokens* scored = nullptr;
  SentimentScore out = ScoreHere(tokens, request, /*trace=*/false, &scored);
  ReleaseIfHuge(&ThreadScratch());
  return out;
}

std::string Analyzer::Language(const text::Tokens& tokens) const { return Score(tokens, ScoreRequest{}).lang; }

// The steps: decode character references, build the units and sentences
// (the ASCII pass, else the general path), rate the sentences, aggregate.
SentimentScore Analyzer::ScoreHere(const text::Tokens& given_tokens, const ScoreRequest& given, bool trace,
                                   const text::Tokens** scored) const {
  Scratch& s = ThreadScratch();
  std::string_view text = given_tokens.input();
  const text::Tokens* tokens = &given_tokens;
  // Text from JSON APIs keeps HTML's escapes ("&lt;3", "AT&amp;T"): score
  // the characters they stand for, with the brand spans moved to match.
  ScoreRequest request = given;
  if (text.size() < UINT32_MAX &&
      text::DecodeCharRefs(text, &s.decoded, given.targets.empty() && !trace ? nullptr : &s.shifts)) {
    text = s.decoded;
    s.decoded_tokens.Reset(text);
    tokens = &s.decoded_tokens;
    s.targets.clear();
    for (const CodePointSpan& span : given.targets) {
      s.targets.push_back({text::MapDecodedOffset(span.begin, s.shifts), text::MapDecodedOffset(span.end, s.shifts)});
    }
    request.targets = s.targets;
  }
  std::string_view pinned =
      !Is(request.lang, "auto") && !request.lang.empty() ? request.lang : std::string_view{language_};
  bool find_language = Is(pinned, "auto");
  std::optional<UnitBuilder> b;
  b.emplace(*set_, request.overrides ? &request.overrides->terms_ : nullptr, global_.terms_, s);
  s.units.clear();
  s.sentences.clear();
  bool ascii = false;
  if (request.general_path) ascii = IsAscii(text);
  std::pair<int, int> marks;
  // Most posts are English: when the language is to be found, the ASCII
  // pass reads the text as English first, and the words it looks up anyway
  // settle most English posts without the n-gram model.
  std::string_view first = find_language || Is(pinned, "und") ? std::string_view("en") : pinned;
  bool passed = !request.general_path && TryAsciiPass(&*b, text, first, &ascii, &marks);
  std::optional<text::LanguageGuess> guess;  // owns `language` when the model tells it
  std::string_view language =
      find_language ? FindLanguage(*set_, passed ? &b->evidence : nullptr, ascii, text, *tokens, &s, &guess) : pinned;
  if (!Is(language, "und") && !HasLanguage(*set_, language)) {
    ReleaseIfHuge(&s);
    SentimentScore unscored;
    unscored.lang.assign(language);
    unscored.scored = false;
    return unscored;
  }
  // Too little to tell a language by is mostly emoji and a word or two: the
  // emoji read the same in any language, the words as English.
  std::string_view scored_as = Is(language, "und") ? std::string_view("en") : language;
  if (passed && !Is(scored_as, "en")) {
    // The pass read as English a text in another language: start over.
    b.emplace(*set_, request.overrides ? &request.overrides->terms_ : nullptr, global_.terms_, s);
    s.units.clear();
    s.sentences.clear();
    passed = false;
  }
  int exclamations = 0, questions = 0;
  if (passed) {
    std::tie(exclamations, questions) = marks;
  } else {
    std::tie(exclamations, questions) = BuildGeneralUnits(&*b, *tokens, ascii, scored_as);
  }
  RateSentences({.english = Is(b->lang, "en"), .cap_diff = b->cap_diff, .lower_words = b->lower_words}, &s.units,
                &s.sentences);
  SentimentScore out;
  out.lang.assign(Is(language, "und") ? language : b->lang);
  Aggregate({.exclamations = exclamations,
             .questions = questions,
             .link = b->link,
             .letter_flags = b->letter_flags,
             .set = set_.get(),
             .lang = b->lang},
            s.units, s.sentences, &out);
  if (!request.targets.empty()) {
    out.target = TargetScore(request.targets, s.units, s.sentences, &s.targeted, &out.target_at);
    if (out.target_at && text.data() == s.decoded.data())
      out.target_at = text::MapOriginalOffset(*out.target_at, s.shifts);
  }
  *scored = tokens;
  return out;
}

namespace {

// The words of the unit that starts at `begin` and ends before `end` (the
// next unit), read from the tokens of the text scored.
std::string UnitText(const std::vector<text::Token>& tokens, uint32_t begin, uint32_t end) {
  auto it = std::lower_bound(tokens.begin(), tokens.end(), begin,
                             [](const text::Token& t, uint32_t cp) { return t.cp_begin < cp; });
  // A unit that starts inside a token (a hashtag's word) reads from that token.
  if ((it == tokens.end() || it->cp_begin != begin) && it != tokens.begin()) --it;
  std::string out;
  for (; it != tokens.end() && (out.empty() || it->cp_begin < end); ++it) {
    if (it->kind == text::Token::Kind::kPunct) break;
    if (!out.empty()) out += ' ';
    out.append(it->text);
  }
  return out;
}

}  // namespace

ScoreTrace Analyzer::Trace(const text::Tokens& tokens, const ScoreRequest& request) const {
  ScoreTrace out;
  const text::Tokens* scored = nullptr;
  out.score = ScoreHere(tokens, request, /*trace=*/true, &scored);
  Scratch& s = ThreadScratch();
  bool decoded = scored != &tokens;
  for (size_t i = 0; i < s.units.size(); ++i) {
    const Unit& u = s.units[i];
    if (!u.rated()) continue;
    uint32_t end = i + 1 < s.units.size() ? s.units[i + 1].cp_begin : UINT32_MAX;
    WeightedWord w;
    w.text = UnitText(scored->tokens(), u.cp_begin, end);
    w.at = decoded ? text::MapOriginalOffset(u.cp_begin, s.shifts) : u.cp_begin;
    w.valence = u.valence;
    w.weight = u.value;
    w.targeted = !request.targets.empty() &&
                 std::find(s.targeted.begin(), s.targeted.end(), std::pair(u.sentence, u.clause)) != s.targeted.end();
    out.words.push_back(std::move(w));
  }
  ReleaseIfHuge(&s);
  return out;
}

}  // namespace brandmon::sentiment

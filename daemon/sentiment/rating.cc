#include "daemon/sentiment/rating.h"

#include <cstddef>
#include <cstdint>

#include "daemon/sentiment/lexicon.h"

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
// A question asks more than it asserts: "is it a bad thing?" weighs half of
// "it is a bad thing." (brandmon's rule; VADER only adds emphasis for "??").
constexpr double kQuestionScalar = 0.5;
// A rated word that is likely part of a name ("Fight Club", "Super 8") keeps
// half its valence.
constexpr float kNameScalar = 0.5f;

float Sign(float v) { return v < 0 ? -1.0f : 1.0f; }

// The rules over one text's units; see RateSentences.
class SentenceRater {
 public:
  SentenceRater(const RatingContext& context, std::vector<Unit>* units, std::vector<SentenceStat>* sentences)
      : context_(context), units_(*units), sentences_(*sentences) {}

  void Rate() {
    ClearGoverningNegators();
    for (SentenceStat& st : sentences_) RateSentence(&st);
    DampenBeforeOpeningContrast();
  }

 private:
  // "no" before a rated word negates it instead of scoring itself.
  void ClearGoverningNegators() {
    for (size_t j = 0; j + 1 < units_.size(); ++j) {
      Unit& u = units_[j];
      if ((u.flags & TermInfo::kNegator) && u.rated() && units_[j + 1].rated() &&
          units_[j + 1].sentence == u.sentence) {
        u.valence = 0;
      }
    }
  }

  void RateSentence(SentenceStat* st) {
    uint32_t contrast = UINT32_MAX;
    uint16_t clause = 0;
    double raw = 0;  // as if the sentence had no contrast word, the common case
    for (uint32_t j = st->begin; j < st->end; ++j) {
      Unit& u = units_[j];
      if (u.flags & TermInfo::kContrast) {
        if (contrast == UINT32_MAX) contrast = j;
        ++clause;
      }
      u.clause = clause;
      u.value = u.rated() ? RateUnit(j, st->begin, st->end) : 0.0f;
      u.weighted = u.value;
      raw += u.weighted;
    }
    if (contrast != UINT32_MAX) {
      raw = 0;
      for (uint32_t j = st->begin; j < st->end; ++j) {
        Unit& u = units_[j];
        float w = u.value * (j < contrast ? kBeforeContrast : (j > contrast ? kAfterContrast : 1.0f));
        u.weighted = w;
        raw += w;
      }
    }
    if (st->question && !st->exclamation) raw = Asks(*st) ? AskedRaw(*st) : raw * kQuestionScalar;
    st->raw = raw;
  }

  float RateUnit(size_t j, uint32_t begin, uint32_t end) const {
    const Unit& u = units_[j];
    float v = u.valence;
    if (InName(j, begin, end)) v *= kNameScalar;
    if (u.caps && context_.cap_diff) v += Sign(v) * kCapsIncrement;
    for (size_t k = 1; k <= 3 && j >= begin + k; ++k) {
      const Unit& p = units_[j - k];
      if (p.rated()) break;  // a rated word shields the word from modifiers further back
      // Modifiers do not reach across a clause break: "I like, no, love it".
      if (units_[j - k + 1].clause_break) break;
      if (p.flags & TermInfo::kBooster) {
        float scalar = v < 0 ? -p.booster : p.booster;
        if (p.caps && context_.cap_diff) scalar += v > 0 ? kCapsIncrement : -kCapsIncrement;
        v += scalar * kBoosterDecay[k - 1];
      }
      if ((p.flags & TermInfo::kNegator) && !p.negation_after) {
        bool emphatic = false;
        if (p.flags & TermInfo::kNever) {
          for (size_t q = j - k + 1; q < j; ++q) emphatic |= (units_[q].flags & TermInfo::kEmphatic) != 0;
        }
        v *= emphatic ? kNeverSoScalar : (v < 0 ? kNegatedNegativeScalar : kNegationScalar);
      }
    }
    if (u.negation_after) {
      for (size_t q = j + 1; q < end && q <= j + 2; ++q) {
        const Unit& n = units_[q];
        if (n.rated()) break;
        if ((n.flags & TermInfo::kNegator) && n.negation_after) {
          v *= kNegationScalar;
          break;
        }
      }
    }
    return v;
  }

  // A capitalized rated word inside a run of capitalized words or next to a
  // number, mid-sentence in an English text written in lower case, is most
  // likely part of a name ("Fight Club", "Super 8", "Top Gun"). German
  // capitalizes every noun, so the rule is English only.
  bool InName(size_t j, uint32_t begin, uint32_t end) const {
    const Unit& u = units_[j];
    if (j == begin || context_.lower_words == 0 || !u.title || !context_.english) return false;
    auto number = [&](size_t k) { return units_[k].kind == UnitKind::kNumber; };
    auto name_part = [&](size_t k) { return number(k) || units_[k].title; };
    // A sentence's first word is capitalized anyway; only a number there counts.
    bool before = name_part(j - 1) && (j - 1 != begin || number(j - 1));
    bool after = j + 1 < end && name_part(j + 1);
    return before || after;
  }

  // Whether the first word of the sentence (hashtags, handles and emoticons
  // aside) opens a question that asks for information.
  bool Asks(const SentenceStat& st) const {
    for (uint32_t j = st.begin; j < st.end; ++j) {
      const Unit& u = units_[j];
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
      Unit& u = units_[j];
      bool symbol = u.kind == UnitKind::kSymbol;
      u.weighted = u.weighted > 0 && !symbol ? 0.0f : u.weighted * static_cast<float>(kQuestionScalar);
      raw += u.weighted;
    }
    return raw;
  }

  // "The food was great. But the service was awful.": a sentence opening
  // with a contrast word also halves the sentences before it.
  void DampenBeforeOpeningContrast() {
    for (size_t k = 1; k < sentences_.size(); ++k) {
      const SentenceStat& st = sentences_[k];
      if (st.begin == st.end || !(units_[st.begin].flags & TermInfo::kContrast)) continue;
      for (size_t p = 0; p < k; ++p) {
        sentences_[p].raw *= kBeforeContrast;
        for (uint32_t j = sentences_[p].begin; j < sentences_[p].end; ++j) units_[j].weighted *= kBeforeContrast;
      }
      return;
    }
  }

  const RatingContext context_;
  std::vector<Unit>& units_;
  std::vector<SentenceStat>& sentences_;
};

}  // namespace

void RateSentences(const RatingContext& context, std::vector<Unit>* units, std::vector<SentenceStat>* sentences) {
  SentenceRater(context, units, sentences).Rate();
}

}  // namespace brandmon::sentiment

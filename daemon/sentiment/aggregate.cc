#include "daemon/sentiment/aggregate.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "daemon/sentiment/ascii_text.h"

namespace brandmon::sentiment {

namespace {

// The constants of the VADER model (Hutto & Gilbert, 2014).
constexpr double kNormalizeAlpha = 15.0;
constexpr double kExclamationStep = 0.292;
constexpr int kMaxExclamations = 4;
constexpr double kQuestionStep = 0.18;
constexpr double kQuestionMax = 0.96;
// Above this many sentences that carry sentiment, the text's sum is scaled
// to this many sentences' worth, so long texts do not saturate at +-1.
constexpr double kSentencesBeforeAveraging = 3.0;
// A text that shares a link and says nothing of its writer ("Acme opens a
// store in Lyon http://...") reports more than it feels: it weighs half.
constexpr double kReportScalar = 0.5;

double Normalize(double score) {
  double n = score / std::sqrt(score * score + kNormalizeAlpha);
  return std::clamp(n, -1.0, 1.0);
}

double Emphasis(int exclamations, int questions) {
  double e = std::min(exclamations, kMaxExclamations) * kExclamationStep;
  if (questions > 1) e += questions <= 3 ? questions * kQuestionStep : kQuestionMax;
  return e;
}

// Whether the text's language lists first-person words, which the
// reporting rule needs to tell a report from a writer's own words.
bool KnowsFirstPerson(const TextTraits& traits) {
  const LanguagePack* pack = Is(traits.lang, "en") ? traits.set->english : traits.set->Find(traits.lang);
  return pack != nullptr && pack->first_person;
}

bool SpeaksOfWriter(const TextTraits& traits, const std::vector<Unit>& units) {
  return (traits.letter_flags & TermInfo::kFirstPerson) ||
         std::any_of(units.begin(), units.end(), [](const Unit& u) { return (u.flags & TermInfo::kFirstPerson) != 0; });
}

bool AnyNegator(const std::vector<Unit>& units) {
  return std::any_of(units.begin(), units.end(), [](const Unit& u) { return (u.flags & TermInfo::kNegator) != 0; });
}

// Splits the weighted units into out's pos, neg and neu shares.
void Proportions(const std::vector<Unit>& units, double emphasis, bool exclaimed, SentimentScore* out) {
  double pos = 0, neg = 0, neu = 0;
  for (const Unit& u : units) {
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
const Unit* UnitAt(const std::vector<Unit>& units, const CodePointSpan& span) {
  auto it = std::lower_bound(units.begin(), units.end(), span.begin,
                             [](const Unit& u, uint32_t cp) { return u.cp_begin < cp; });
  if (it != units.end() && it->cp_begin < std::max(span.end, span.begin + 1)) return &*it;
  if (it == units.begin()) return units.empty() ? nullptr : &units.front();
  return &*(it - 1);
}

}  // namespace

void Aggregate(const TextTraits& traits, const std::vector<Unit>& units, const std::vector<SentenceStat>& sentences,
               SentimentScore* out) {
  const double emphasis = Emphasis(traits.exclamations, traits.questions);
  double total = 0;
  int rated_sentences = 0;
  for (const SentenceStat& st : sentences) {
    total += st.raw;
    if (st.raw != 0) ++rated_sentences;
  }
  if (rated_sentences > kSentencesBeforeAveraging) total *= kSentencesBeforeAveraging / rated_sentences;
  if (traits.link && total != 0 && !SpeaksOfWriter(traits, units) && KnowsFirstPerson(traits)) total *= kReportScalar;
  bool exclaimed = false;
  if (total > 0) {
    total += emphasis;
  } else if (total < 0) {
    total -= emphasis;
  } else if (traits.exclamations > 0 && !units.empty() && !AnyNegator(units)) {
    // "And then I found $20 in my back pocket!": when the words weigh
    // nothing, an exclamation still shows excitement, unless something is
    // negated ("my order never arrived!").
    total = emphasis;
    exclaimed = true;
  }
  out->compound = Normalize(total);
  Proportions(units, emphasis, exclaimed, out);
}

// Sums the clauses that mention the brand (the whole sentence when that
// clause carries no sentiment) so that "their rival is awful but Acme was
// great" is positive for Acme.
double TargetScore(std::span<const CodePointSpan> targets, const std::vector<Unit>& units,
                   const std::vector<SentenceStat>& sentences, std::vector<std::pair<uint16_t, uint16_t>>* targeted,
                   std::optional<uint32_t>* at) {
  targeted->clear();
  for (const CodePointSpan& span : targets) {
    const Unit* u = UnitAt(units, span);
    if (u == nullptr) continue;
    std::pair<uint16_t, uint16_t> key{u->sentence, u->clause};
    if (std::find(targeted->begin(), targeted->end(), key) == targeted->end()) targeted->push_back(key);
  }
  double total = 0;
  // Each targeted clause's weight and where it starts, to name the one that
  // weighs most once the sum's direction is known.
  double most_pos = 0, most_neg = 0;
  uint32_t pos_at = UINT32_MAX, neg_at = UINT32_MAX, first_at = UINT32_MAX;
  for (const auto& [sentence, clause] : *targeted) {
    const SentenceStat& st = sentences[sentence];
    double clause_sum = 0;
    uint32_t starts = UINT32_MAX;
    for (uint32_t j = st.begin; j < st.end; ++j) {
      if (units[j].clause != clause) continue;
      clause_sum += units[j].value;
      starts = std::min(starts, units[j].cp_begin);
    }
    double weight = clause_sum != 0 ? clause_sum : st.raw;
    total += weight;
    if (first_at == UINT32_MAX) first_at = starts;
    if (weight > most_pos) std::tie(most_pos, pos_at) = std::pair(weight, starts);
    if (weight < most_neg) std::tie(most_neg, neg_at) = std::pair(weight, starts);
  }
  if (at != nullptr && first_at != UINT32_MAX) {
    uint32_t best = total > 0 ? pos_at : total < 0 ? neg_at : first_at;
    *at = best != UINT32_MAX ? best : first_at;
  }
  return Normalize(total);
}

}  // namespace brandmon::sentiment

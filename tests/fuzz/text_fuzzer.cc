// Fuzzes the text pipeline and the sentiment analyzer on any bytes: UTF-8
// repair, character references, normalization, tokenizing, sentence
// splitting, language identification and scoring must hold their contracts
// and never crash,
// and the ASCII scoring path must agree with the general one.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/sentiment/analyzer.h"
#include "daemon/text/char_refs.h"
#include "daemon/text/fold.h"
#include "daemon/text/lang_id.h"
#include "daemon/text/normalize.h"
#include "daemon/text/sentences.h"
#include "daemon/text/tokenizer.h"
#include "daemon/text/utf8.h"

namespace {

namespace text = brandmon::text;
namespace sentiment = brandmon::sentiment;

const sentiment::Analyzer& GetAnalyzer() {
  static const sentiment::Analyzer* analyzer = [] {
    auto a = sentiment::Analyzer::Load(BRANDMON_SOURCE_DATA_DIR, sentiment::SentimentOptions{});
    if (!a.ok()) std::abort();
    return new sentiment::Analyzer(std::move(a).value());
  }();
  return *analyzer;
}

void CheckText(std::string_view bytes) {
  std::string valid = text::RepairUtf8(bytes);
  if (!text::IsValidUtf8(valid)) std::abort();
  if (text::IsValidUtf8(bytes) && valid != bytes) std::abort();

  for (auto form : {text::NormalForm::kNfc, text::NormalForm::kNfkc, text::NormalForm::kNfkcCasefold}) {
    auto normalized = text::Normalize(bytes, form);
    if (normalized.ok() && !text::IsValidUtf8(*normalized)) std::abort();
  }
  std::string folded;
  text::AppendFolded(valid, &folded);
  if (!text::IsValidUtf8(folded)) std::abort();

  std::vector<text::Token> tokens;
  text::Tokenize(valid, text::TokenizerOptions{}, &tokens);
  for (const auto& t : tokens) {
    if (t.begin + t.text.size() > valid.size()) std::abort();
    if (t.text.data() != valid.data() + t.begin) std::abort();
  }
  for (const auto& s : text::SplitSentences(valid)) {
    if (s.begin > s.end || s.end > valid.size()) std::abort();
  }
  std::string decoded;
  std::vector<text::CharRefShift> shifts;
  if (text::DecodeCharRefs(valid, &decoded, &shifts)) {
    if (shifts.empty() || !text::IsValidUtf8(decoded) || decoded.size() >= valid.size()) std::abort();
    uint32_t decoded_cps = static_cast<uint32_t>(text::CountCodePoints(decoded));
    uint32_t last = 0;
    for (uint32_t cp = 0; cp <= text::CountCodePoints(valid); ++cp) {
      uint32_t mapped = text::MapDecodedOffset(cp, shifts);
      if (mapped < last || mapped > decoded_cps) std::abort();
      last = mapped;
    }
    if (last != decoded_cps) std::abort();
  }
  text::LanguageGuess guess = text::IdentifyLanguage(valid);
  if (guess.code.empty() || !(guess.confidence >= 0.0 && guess.confidence <= 1.0)) std::abort();
}

void CheckScore(std::string_view bytes) {
  const sentiment::Analyzer& analyzer = GetAnalyzer();
  static const std::vector<std::string> langs = [&] {
    std::vector<std::string> l = analyzer.Languages();
    l.push_back("auto");
    l.push_back("xx");
    return l;
  }();
  size_t cps = text::CountCodePoints(bytes);
  std::vector<sentiment::CodePointSpan> targets;
  if (cps > 0) {
    uint32_t begin = static_cast<uint32_t>(bytes.size() % cps);
    targets.push_back({begin, static_cast<uint32_t>(std::min<size_t>(cps, begin + 4))});
  }
  sentiment::ScoreRequest request;
  request.lang = langs[bytes.size() % langs.size()];
  request.targets = targets;
  sentiment::ScoreRequest plain;
  for (sentiment::ScoreRequest* r : {&plain, &request}) {
    sentiment::SentimentScore score = analyzer.Score(bytes, *r);
    if (!(score.compound >= -1.0 && score.compound <= 1.0)) std::abort();
    double sum = score.pos + score.neu + score.neg;
    if (!(std::fabs(sum - 1.0) < 1e-3)) std::abort();
    if (score.target && !(*score.target >= -1.0 && *score.target <= 1.0)) std::abort();
    // ASCII text has a faster path of its own; it must score exactly as the
    // general one.
    r->general_path = true;
    sentiment::SentimentScore general = analyzer.Score(bytes, *r);
    if (general.compound != score.compound || general.pos != score.pos || general.neu != score.neu ||
        general.neg != score.neg || general.lang != score.lang || general.target != score.target) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckText(bytes);
  CheckScore(bytes);
  return 0;
}

#include "daemon/text/segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <memory>

#include "daemon/text/utf8.h"

namespace brandmon::text {

namespace {

struct UTextCloser {
  void operator()(UText* t) const { utext_close(t); }
};

icu::BreakIterator* ThreadIterator() {
  // Building a dictionary iterator costs far more than using one.
  thread_local std::unique_ptr<icu::BreakIterator> iter = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) it.reset();
    return it;
  }();
  return iter.get();
}

bool HasLetterMarkOrDigit(std::string_view piece) {
  size_t i = 0;
  while (i < piece.size()) {
    char32_t cp = DecodeUtf8(piece, &i);
    if ((U_GET_GC_MASK(static_cast<UChar32>(cp)) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0) return true;
  }
  return false;
}

void SplitPerCodePoint(std::string_view run, std::vector<std::string_view>* out) {
  size_t i = 0;
  while (i < run.size()) {
    size_t start = i;
    DecodeUtf8(run, &i);
    out->push_back(run.substr(start, i - start));
  }
}

}  // namespace

void SegmentWords(std::string_view run, std::vector<std::string_view>* out) {
  icu::BreakIterator* iter = ThreadIterator();
  if (iter == nullptr) {
    SplitPerCodePoint(run, out);
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, UTextCloser> ut(
      utext_openUTF8(nullptr, run.data(), static_cast<int64_t>(run.size()), &status));
  if (U_FAILURE(status)) {
    SplitPerCodePoint(run, out);
    return;
  }
  iter->setText(ut.get(), status);
  if (U_FAILURE(status)) {
    SplitPerCodePoint(run, out);
    return;
  }
  // With UTF-8 UText, boundaries are byte offsets into `run`.
  int32_t start = iter->first();
  for (int32_t end = iter->next(); end != icu::BreakIterator::DONE; start = end, end = iter->next()) {
    std::string_view piece = run.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
    if (HasLetterMarkOrDigit(piece)) out->push_back(piece);
  }
  // The iterator keeps a pointer to the UText; detach before it is closed.
  icu::UnicodeString empty;
  iter->setText(empty);
}

}  // namespace brandmon::text

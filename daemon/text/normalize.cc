#include "daemon/text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include "daemon/text/utf8.h"

namespace brandmon::text {

namespace {

const icu::Normalizer2* GetNormalizer(NormalForm form, UErrorCode* status) {
  switch (form) {
    case NormalForm::kNfc: return icu::Normalizer2::getNFCInstance(*status);
    case NormalForm::kNfkc: return icu::Normalizer2::getNFKCInstance(*status);
    case NormalForm::kNfkcCasefold: return icu::Normalizer2::getNFKCCasefoldInstance(*status);
  }
  return nullptr;
}

}  // namespace

Result<std::string> Normalize(std::string_view utf8, NormalForm form) {
  std::string repaired = RepairUtf8(utf8);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* norm = GetNormalizer(form, &status);
  if (U_FAILURE(status) || norm == nullptr) {
    return Status::Internal(std::string("icu normalizer unavailable: ") + u_errorName(status));
  }
  std::string out;
  out.reserve(repaired.size());
  icu::StringByteSink<std::string> sink(&out);
  norm->normalizeUTF8(0, icu::StringPiece(repaired.data(), static_cast<int32_t>(repaired.size())), sink, nullptr,
                      status);
  if (U_FAILURE(status)) {
    return Status::Internal(std::string("icu normalization failed: ") + u_errorName(status));
  }
  return out;
}

bool IsNfcQuick(std::string_view utf8) {
  // Below U+0300 nothing composes or decomposes under NFC.
  bool simple = true;
  for (unsigned char c : utf8) {
    if (c >= 0xCC) {
      simple = false;
      break;
    }
  }
  if (simple) return true;
  // Checked on the UTF-8 itself: no UTF-16 copy of every non-Latin text.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* norm = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return false;
  bool nfc = norm->isNormalizedUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), status);
  return nfc && U_SUCCESS(status);
}

}  // namespace brandmon::text

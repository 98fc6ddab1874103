#pragma once

#include <string>
#include <string_view>

#include "daemon/base/status.h"

namespace brandmon::text {

enum class NormalForm {
  kNfc,           // canonical composition
  kNfkc,          // compatibility composition: fullwidth letters, ligatures
  kNfkcCasefold,  // NFKC plus full case folding, for lexicon keys
};

// Normalizes UTF-8 text with ICU. Invalid sequences are repaired to U+FFFD
// first, so this fails only when ICU itself cannot load its data (Internal).
Result<std::string> Normalize(std::string_view utf8, NormalForm form);

// True when `utf8` (valid UTF-8) is already in NFC. Cheap for text below
// U+0300, which is always NFC; may answer false for some NFC text.
bool IsNfcQuick(std::string_view utf8);

}  // namespace brandmon::text

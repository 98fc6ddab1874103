// Fuzzes MentionFromJson, the reader of JSON Lines from file and exec sources:
// any bytes parse or fail cleanly, and what parses survives a round trip.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/base/mention.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto m = brandmon::MentionFromJson(json);
  if (!m.ok()) return 0;
  // Writing a Mention and reading it back must give the same Mention: the
  // exec and file sources rely on it. Metrics may move by an ulp, since
  // RapidJSON's default number parsing is not exact to the last bit.
  std::string once = brandmon::MentionToJson(*m);
  auto back = brandmon::MentionFromJson(once);
  if (!back.ok()) std::abort();
  if (back->metrics.size() != m->metrics.size()) std::abort();
  for (size_t i = 0; i < m->metrics.size(); ++i) {
    const auto& [name, value] = m->metrics[i];
    const auto& [back_name, back_value] = back->metrics[i];
    if (name != back_name || std::fabs(value - back_value) > 1e-12 * std::fabs(value)) std::abort();
  }
  m->metrics.clear();
  back->metrics.clear();
  if (brandmon::MentionToJson(*back) != brandmon::MentionToJson(*m)) std::abort();
  return 0;
}

// Fuzzes MentionFromJson, the reader of JSON Lines from file and exec sources:
// any bytes parse or fail cleanly, and what parses survives a round trip.
// Then NormalizeMention, which every mention passes: no field keeps an unsafe
// character or exceeds its cap, and normalizing again changes nothing.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/base/mention.h"
#include "daemon/base/safe_text.h"

namespace {

// Valid UTF-8 with no unsafe code point: ReplaceUnsafe leaves it as it is.
bool Safe(const std::string& s) {
  bool changed = true;
  (void)brandmon::ReplaceUnsafe(s, &changed);
  return !changed;
}

void CheckNormalized(brandmon::Mention m) {
  brandmon::MentionLimits limits;
  limits.title = 64;
  limits.text = 256;
  limits.author = 64;
  limits.url = 96;
  limits.id = 64;
  brandmon::NormalizeMention(m, limits);
  for (const std::string* f : {&m.source, &m.channel, &m.id, &m.url, &m.title, &m.text, &m.author}) {
    if (!Safe(*f)) std::abort();
  }
  if (m.lang && !Safe(*m.lang)) std::abort();
  for (const auto& [name, value] : m.metrics) {
    if (!Safe(name)) std::abort();
  }
  if (m.title.size() > limits.title || m.text.size() > limits.text || m.author.size() > limits.author ||
      m.url.size() > limits.url || m.id.size() > limits.id) {
    std::abort();
  }
  std::string once = brandmon::MentionToJson(m);
  brandmon::NormalizeMention(m, limits);
  if (brandmon::MentionToJson(m) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto m = brandmon::MentionFromJson(json);
  if (!m.ok()) return 0;
  // Writing a Mention and reading it back must give the same Mention: the
  // exec and file sources rely on it. Metrics may move by an ulp, since
  // RapidJSON's default number parsing is not exact to the last bit.
  CheckNormalized(*m);
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

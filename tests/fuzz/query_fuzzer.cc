// Fuzzes the brand query language and the matcher. The input is a query,
// optionally followed by a NUL byte (never valid in a query) and a text to match it against: parsing
// any bytes must fail cleanly or give a tree that compiles, and matching
// must report spans inside the text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/match/matcher.h"
#include "daemon/match/query.h"
#include "daemon/text/utf8.h"

namespace {

using brandmon::match::BrandMatcher;
using brandmon::match::BrandSpec;
using brandmon::match::Field;
using brandmon::match::MatchInput;

constexpr std::string_view kDefaultText =
    "Acme's new kettle from acme.com is broken, refund please! @acmecorp #AcmeFail "
    "Acme નું નવું કેટલ ખૂબ સરસ છે 我喜欢 Acme 的新水壶 https://www.acme.com/x";

size_t CodePoints(std::string_view s) { return brandmon::text::CountCodePoints(s); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view query = input;
  std::string_view text = kDefaultText;
  if (size_t nl = input.find('\0'); nl != std::string_view::npos) {
    query = input.substr(0, nl);
    text = input.substr(nl + 1);
  }

  auto tree = brandmon::match::ParseQuery(query);
  if (!tree.ok()) {
    // Errors start with LINE:COL.
    const std::string& msg = tree.status().message();
    if (msg.empty() || msg[0] < '1' || msg[0] > '9') std::abort();
    return 0;
  }
  (void)brandmon::match::ToString(*tree);

  // A query that parsed compiles beside another brand, or (when folding
  // diacritics leaves a term empty) fails naming the brand and position.
  auto matcher = BrandMatcher::Build(
      {BrandSpec{"fuzz", std::string(query), {true}}, BrandSpec{"other", "acme OR \"acme corp\" -road", {false}}});
  if (!matcher.ok()) {
    if (matcher.status().message().rfind("brands[0].query:", 0) != 0) std::abort();
    matcher = BrandMatcher::Build({BrandSpec{"fuzz", std::string(query), {false}}});
    if (!matcher.ok()) std::abort();
  }

  MatchInput in{text, query, text.substr(0, text.size() / 2), "https://www.acme.com/x", "es", "reddit"};
  for (const auto& hit : matcher->Match(in)) {
    if (hit.brand >= matcher->brand_count()) std::abort();
    for (const auto& span : hit.spans) {
      std::string_view field = span.field == Field::kText     ? in.text
                               : span.field == Field::kTitle  ? in.title
                               : span.field == Field::kAuthor ? in.author
                                                              : in.url;
      if (span.start > span.end || span.end > CodePoints(field)) std::abort();
    }
  }
  return 0;
}

#include "daemon/sentiment/term_map.h"

namespace brandmon::sentiment {

bool SameLongBytes(const char* p, const char* q, size_t n) {
  // Eight bytes at a time, the last eight overlapping the ones before.
  auto same = [&](size_t at) {
    uint64_t x, y;
    std::memcpy(&x, p + at, 8);
    std::memcpy(&y, q + at, 8);
    return x == y;
  };
  for (size_t k = 0; k + 8 < n; k += 8) {
    if (!same(k)) return false;
  }
  return same(n - 8);
}

}  // namespace brandmon::sentiment

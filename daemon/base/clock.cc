#include "daemon/base/clock.h"

namespace brandmon {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

FakeClock::FakeClock() : wall_base_(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1)), mono_base_() {}

WallTime FakeClock::Now() const { return wall_base_ + std::chrono::milliseconds(offset_ms_.load()); }

MonoTime FakeClock::Mono() const { return mono_base_ + std::chrono::milliseconds(offset_ms_.load()); }

void FakeClock::SetNow(WallTime t) {
  offset_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(t - wall_base_).count();
}

}  // namespace brandmon

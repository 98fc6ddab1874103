#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace brandmon {

using Duration = std::chrono::milliseconds;
using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

// Source of time for everything that schedules, expires or timestamps. The
// engine owns one and passes it down, so tests can swap in FakeClock.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Mono() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Mono() const override { return std::chrono::steady_clock::now(); }
  static SystemClock& Instance();
};

// A clock that moves only when told to. Starts at 2026-01-01T00:00:00Z.
// Thread-safe.
class FakeClock final : public Clock {
 public:
  FakeClock();
  WallTime Now() const override;
  MonoTime Mono() const override;
  void Advance(Duration d) { offset_ms_ += d.count(); }
  void SetNow(WallTime t);

 private:
  std::atomic<int64_t> offset_ms_{0};
  WallTime wall_base_;
  MonoTime mono_base_;
};

// Milliseconds since the Unix epoch.
inline int64_t ToUnixMillis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime FromUnixMillis(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

}  // namespace brandmon

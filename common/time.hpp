#pragma once
// Time in sgprs is always integer nanoseconds (int64): no floating-point clock
// anywhere, so simulations are exact and reproducible.
#include <cstdint>

namespace sgprs {

using Ns = std::int64_t;

inline constexpr Ns kNsPerUs = 1'000;
inline constexpr Ns kNsPerMs = 1'000'000;
inline constexpr Ns kNsPerSecond = 1'000'000'000;
inline constexpr Ns kNever = INT64_MAX;  // "no such time": later than any real instant

/// Rounds seconds (a user-facing quantity) to whole nanoseconds.
constexpr Ns seconds_to_ns(double seconds) {
  return static_cast<Ns>(seconds * static_cast<double>(kNsPerSecond) + (seconds >= 0 ? 0.5 : -0.5));
}
constexpr double ns_to_seconds(Ns ns) { return static_cast<double>(ns) / static_cast<double>(kNsPerSecond); }
constexpr double ns_to_ms(Ns ns) { return static_cast<double>(ns) / static_cast<double>(kNsPerMs); }

}  // namespace sgprs

#pragma once
// The project's one random-number generator. std::mt19937_64's output sequence
// is fixed by the C++ standard, but the std distributions are not, so the
// draws below are written out here: the same seed gives the same numbers with
// any compiler or standard library.
#include <cstdint>
#include <random>

namespace sgprs {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, 1), 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  /// Uniform integer in [lo, hi] (inclusive), without modulo bias.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  /// A child seed for stream `index` (sweep runs, tasks): splitmix64 of (seed, index).
  static std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index);

 private:
  std::mt19937_64 engine_;
};

inline std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(engine_());  // full 64-bit range
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t x;
  do x = engine_();
  while (x >= limit);
  return lo + static_cast<std::int64_t>(x % span);
}

inline std::uint64_t Rng::derive_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace sgprs

#include "simulator/experiments/utilisation_draws.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sgprs::exp {

namespace {

void check_reachable(int n, double total, double lo, double hi) {
  if (n <= 0) throw std::invalid_argument("utilisation draw: n must be positive");
  if (!(lo >= 0) || !(hi >= lo)) throw std::invalid_argument("utilisation draw: need 0 <= lo <= hi");
  const double slack = 1e-12 * std::max(1.0, std::abs(total));
  if (total < n * lo - slack || total > n * hi + slack)
    throw std::invalid_argument("utilisation draw: total " + std::to_string(total) + " is outside [n*lo, n*hi] = [" +
                                std::to_string(n * lo) + ", " + std::to_string(n * hi) + "]");
}

void shuffle(std::vector<double>& values, Rng& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i) - 1));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

std::vector<double> randfixedsum(int n, double total, double lo, double hi, Rng& rng) {
  check_reachable(n, total, lo, hi);
  const auto un = static_cast<std::size_t>(n);
  if (hi == lo) return std::vector<double>(un, lo);
  // Work in the unit cube: x in [0,1]^n with sum s; map back at the end.
  double s = (total - n * lo) / (hi - lo);
  const int k = std::clamp(static_cast<int>(std::floor(s)), 0, n - 1);
  s = std::clamp(s, static_cast<double>(k), static_cast<double>(k + 1));

  // The slice {sum x = s} of the cube is cut into simplices; below_k[i] and
  // above_k[i] are the distances of s from the hyperplanes sum = k - i and
  // sum = k + n - i that bound the i-th layer of that decomposition.
  std::vector<double> below_k(un), above_k(un);
  for (std::size_t i = 0; i < un; ++i) {
    below_k[i] = s - static_cast<double>(k - static_cast<int>(i));
    above_k[i] = static_cast<double>(k + n - static_cast<int>(i)) - s;
  }
  // volume[i][j]: relative volume of the (i+1)-dimensional pieces, scaled to
  // the top of the double range so that it cannot underflow for large n (the
  // recursion is a weighted average of the previous row, so it cannot overflow).
  // step[i-1][j-1]: probability that the walk below moves down a layer.
  std::vector<std::vector<double>> volume(un, std::vector<double>(un + 1, 0.0));
  std::vector<std::vector<double>> step(un > 1 ? un - 1 : 0, std::vector<double>(un, 0.0));
  volume[0][1] = std::numeric_limits<double>::max();
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  for (std::size_t row = 1; row < un; ++row) {
    const double dim = static_cast<double>(row + 1);
    for (std::size_t j = 1; j <= row + 1; ++j) {
      const double from_below = volume[row - 1][j] * below_k[j - 1] / dim;
      const double from_above = volume[row - 1][j - 1] * above_k[un - row - 2 + j] / dim;
      volume[row][j] = from_below + from_above;
      const double norm = volume[row][j] + kTiny;
      step[row - 1][j - 1] =
          above_k[un - row - 2 + j] > below_k[j - 1] ? from_above / norm : 1.0 - from_below / norm;
    }
  }

  // Walk down the table choosing a simplex, then a uniform point inside it.
  std::vector<double> x(un, 0.0);
  std::size_t col = static_cast<std::size_t>(k) + 1;
  double sum = 0;
  double product = 1;
  for (std::size_t i = un - 1; i >= 1; --i) {
    const bool down = rng.uniform01() <= step[i - 1][col - 1];
    const double radial = std::pow(rng.uniform01(), 1.0 / static_cast<double>(i));
    sum += (1.0 - radial) * product * s / static_cast<double>(i + 1);
    product *= radial;
    x[un - i - 1] = sum + product * (down ? 1.0 : 0.0);
    if (down) {
      s -= 1.0;
      --col;
    }
  }
  x[un - 1] = sum + product * s;

  shuffle(x, rng);
  for (double& v : x) v = lo + (hi - lo) * v;
  // Rounding can leave the sum a few ulps off the target: put the residue on
  // the element with the most room, so the sum is as exact as doubles allow.
  double got = 0;
  for (double v : x) got += v;
  const double residue = total - got;
  auto room = [&](double v) { return residue > 0 ? hi - v : v - lo; };
  const auto widest = std::max_element(x.begin(), x.end(), [&](double a, double b) { return room(a) < room(b); });
  *widest = std::clamp(*widest + residue, lo, hi);
  return x;
}

std::vector<double> uunifast_discard(int n, double total, double lo, double hi, Rng& rng, int max_attempts) {
  check_reachable(n, total, lo, hi);
  const auto un = static_cast<std::size_t>(n);
  std::vector<double> u(un);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    double remaining = total;
    for (std::size_t i = 0; i + 1 < un; ++i) {
      const double next = remaining * std::pow(rng.uniform01(), 1.0 / static_cast<double>(un - i - 1));
      u[i] = remaining - next;
      remaining = next;
    }
    u[un - 1] = remaining;
    if (std::all_of(u.begin(), u.end(), [&](double v) { return v >= lo && v <= hi; })) return u;
  }
  throw std::runtime_error("UUniFast-discard found no utilisation vector of " + std::to_string(n) + " tasks summing to " +
                           std::to_string(total) + " within [" + std::to_string(lo) + ", " + std::to_string(hi) +
                           "] in " + std::to_string(max_attempts) + " attempts (use randfixedsum)");
}

}  // namespace sgprs::exp

#pragma once
// Per-task utilisation vectors for random task sets.
//
// randfixedsum: n values, each in [lo, hi], summing to `total`, drawn uniformly
//   over that slice of the cube (Stafford's algorithm, as recommended for
//   task-set synthesis by Emberson, Stafford & Davis, WATERS 2010). Always
//   succeeds when n x lo <= total <= n x hi.
// uunifast_discard: Bini & Buttazzo's UUniFast (uniform over the simplex of n
//   non-negative values summing to `total`), redrawn while any value falls
//   outside [lo, hi] (Davis & Burns' "-discard" variant). Can fail to find a
//   vector in `max_attempts` tries when the bounds cut away most of the simplex:
//   then it throws std::runtime_error.
// Both take all randomness from the given Rng (deterministic by seed).
#include "common/rng.hpp"

#include <vector>

namespace sgprs::exp {

std::vector<double> randfixedsum(int n, double total, double lo, double hi, Rng& rng);

std::vector<double> uunifast_discard(int n, double total, double lo, double hi, Rng& rng, int max_attempts = 100000);

}  // namespace sgprs::exp

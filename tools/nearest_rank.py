"""The nearest-rank percentile the tools report: the value at rank ceil(share * n), counted from 1,
as common/stats.hpp's quantile_nearest_rank defines it."""
import math


def percentile(values, share):
    """The nearest-rank `share` quantile (0 < share <= 1) of a non-empty iterable of numbers."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]

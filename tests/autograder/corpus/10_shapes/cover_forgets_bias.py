# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Counts dichotomies of hyperplanes THROUGH THE ORIGIN (d parameters) instead of affine ones
# (d + 1): C(N, d) = 2 sum_{k<d} binom(N-1, k). Right only while N <= d (the hidden "few
# points" group: (2, 6) and (1, 1)); 5 of 6 groups lost (hidden groups repeat the public ones).
# EXPECT: {"shapes.cover_count": 0.3333333}
import math


def cover_count(n_points, dim):
    return 2 * sum(math.comb(n_points - 1, k) for k in range(dim))

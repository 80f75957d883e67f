"""Weighted random draws shared by every part of the demo generator."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence


def pick(rng: random.Random, cum: Sequence[float]) -> int:
    """Draw an index with probability proportional to its weight.

    Args:
        rng: The random stream to draw from; exactly one value is consumed.
        cum: Cumulative weights, as `itertools.accumulate` gives them.

    Returns:
        An index into `cum`.
    """
    # Clamped because float rounding can put the scaled draw on or past the last bound.
    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)

"""Where two approaches cost the same: at which constant volume, and in which month.

At constant volume V over H months, TCO_a = one_a + H·fixed_a + H·V·per_a, so they are equal at
V* = (one_a − one_b + H·(fixed_a − fixed_b)) / (H·(per_b − per_a)).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from calculator.costs import ApproachCosts


@dataclass(frozen=True)
class BreakEven:
    approach: str
    versus: str
    requests_per_month: float | None  # None: one is cheaper at every volume
    cheaper_above: str | None  # which of the two wins above that volume
    month: int | None  # 1-based month the cumulative curves cross; None if they never do


def break_even_volume(one_a: float, fixed_a: float, per_a: float,
                      one_b: float, fixed_b: float, per_b: float, horizon: int) -> float | None:
    if per_a == per_b:
        return None
    volume = (one_a - one_b + horizon * (fixed_a - fixed_b)) / (horizon * (per_b - per_a))
    return float(volume) if volume > 0 and np.isfinite(volume) else None


def crossing_month(cumulative_a: list[float], cumulative_b: list[float],
                   one_a: float, one_b: float) -> int | None:
    """First month whose cumulative difference has the other sign than at the start."""
    diff = np.asarray(cumulative_a) - np.asarray(cumulative_b)
    start = np.sign(one_a - one_b) or np.sign(diff[0])
    if start == 0:
        return None
    flipped = np.nonzero(np.sign(diff) == -start)[0]
    return int(flipped[0]) + 1 if flipped.size else None


def break_evens(costs: list[ApproachCosts], horizon: int) -> list[BreakEven]:
    found = []
    for a, b in combinations(costs, 2):
        pa, pb = a.profile, b.profile
        volume = break_even_volume(pa.one_off_usd, pa.monthly_fixed_usd, pa.per_request_usd,
                                   pb.one_off_usd, pb.monthly_fixed_usd, pb.per_request_usd, horizon)
        cheaper = None
        if volume is not None:
            cheaper = a.name if pa.per_request_usd < pb.per_request_usd else b.name
        found.append(BreakEven(
            approach=a.name,
            versus=b.name,
            requests_per_month=volume,
            cheaper_above=cheaper,
            month=crossing_month(a.cumulative_usd, b.cumulative_usd, pa.one_off_usd, pb.one_off_usd),
        ))
    return found

"""Where two approaches cost the same, stated in the volume the reader types: the first month's
requests (`workload.requests_per_month`), the later months grown by the scenario's monthly rate.

Each approach's TCO over the horizon is priced by its own cost function at a grid of first-month
volumes (one vectorized call, as for Monte Carlo draws), so a fleet that grows in whole replicas is
priced as it is, not as a straight line. Where the difference of two totals changes sign, the
crossing is refined on a finer grid. A pair may cross more than once (a fleet step); every crossing
within `VOLUME_SPAN` of the typed volume is kept, and the one nearest to it is the pair's headline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

VOLUME_SPAN = 1_000.0  # crossings are looked for from 1,000× below to 1,000× above the typed volume
GRID_POINTS = 2_401  # log-spaced: neighbours 0.58% apart (two flips inside one step go unseen)
REFINE_POINTS = 65  # inside one grid step: crossings located to 0.01%

Totals = Callable[[str, np.ndarray], np.ndarray]  # (approach, first-month volumes) -> TCO at each
Band = tuple[float | None, float | None]  # first-month volumes between which one approach is cheaper; None: open


@dataclass(frozen=True)
class Crossing:
    requests_per_month: float  # first-month volume (growth as in the scenario) where both totals are equal
    cheaper_above: str  # which of the two costs less just above it


@dataclass(frozen=True)
class BreakEven:
    approach: str
    versus: str
    requests_per_month: float | None  # the crossing nearest the typed volume; None: none within the span
    cheaper_above: str | None  # which of the two wins just above that crossing
    month: int | None  # 1-based month the cumulative curves cross at the typed volume; None if they never do
    crossings: tuple[Crossing, ...] = ()  # every crossing within the span, low to high

    def nearest(self, volume: float, *, above: bool) -> Crossing | None:
        """The first crossing above `volume` (or the last one below it)."""
        side = [c for c in self.crossings
                if (c.requests_per_month > volume if above else c.requests_per_month < volume)]
        if not side:
            return None
        return side[0] if above else side[-1]

    def after(self, crossing: Crossing) -> Crossing | None:
        """The next crossing above this one (where the order flips back), if any."""
        return self.nearest(crossing.requests_per_month, above=True)

    def before(self, crossing: Crossing) -> Crossing | None:
        """The crossing below this one (where the order flipped last), if any."""
        return self.nearest(crossing.requests_per_month, above=False)

    def bands(self, winner: str) -> list[Band]:
        """Every span of volume, between crossings, where `winner` is the cheaper of the pair, low to high
        (none without a crossing: then one is cheaper at every volume searched)."""
        if not self.crossings:
            return []
        edges = [None, *(c.requests_per_month for c in self.crossings), None]
        cheaper = [self.crossings[0].cheaper_above != winner] + [c.cheaper_above == winner for c in self.crossings]
        return [(edges[i], edges[i + 1]) for i, wins in enumerate(cheaper) if wins]


def volume_grid(typed: float, span: float = VOLUME_SPAN, points: int = GRID_POINTS) -> np.ndarray:
    center = max(float(typed), 1.0)
    return np.logspace(np.log10(center / span), np.log10(center * span), points)


def crossings(a: str, b: str, totals: Totals, grid: np.ndarray,
              on_grid: dict[str, np.ndarray]) -> tuple[Crossing, ...]:
    """Every volume of the grid's span where TCO(a) − TCO(b) changes sign, low to high (each grid step
    where it does is priced again on a finer grid, all of them in one call per approach, and every sign
    change on that finer grid is kept)."""
    diff = on_grid[a] - on_grid[b]
    cells = np.nonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)[0]
    if not cells.size:
        return ()
    share = np.linspace(0.0, 1.0, REFINE_POINTS)
    fine = grid[cells, None] + (grid[cells + 1] - grid[cells])[:, None] * share  # (cells, REFINE_POINTS)
    fine_diff = (totals(a, fine.ravel()) - totals(b, fine.ravel())).reshape(fine.shape)
    found = []
    for volumes, d in zip(fine, fine_diff, strict=True):
        signs = np.sign(d)
        flips = np.nonzero(signs[:-1] * signs[1:] < 0)[0]  # a fleet step may flip it thrice in one grid step
        for j in flips if flips.size else np.nonzero(signs[:-1] != signs[1:])[0][:1]:  # else through a zero
            low, high = d[j], d[j + 1]
            volume = volumes[j] if low == high else volumes[j] + (volumes[j + 1] - volumes[j]) * low / (low - high)
            after = d[j + 1] or d[-1]  # through a zero: the sign at the step's end
            found.append(Crossing(float(volume), a if after < 0 else b))
    return tuple(found)


def crossing_month(cumulative_a: list[float], cumulative_b: list[float],
                   one_a: float, one_b: float) -> int | None:
    """First month whose cumulative difference has the other sign than at the start."""
    diff = np.asarray(cumulative_a) - np.asarray(cumulative_b)
    start = np.sign(one_a - one_b) or np.sign(diff[0])
    if start == 0:
        return None
    flipped = np.nonzero(np.sign(diff) == -start)[0]
    return int(flipped[0]) + 1 if flipped.size else None


def break_evens(names: list[str], totals: Totals, typed: float,
                cumulative: dict[str, tuple[float, list[float]]]) -> list[BreakEven]:
    """Every pair's crossings in first-month volume; `cumulative` holds each approach's one-off and
    cumulative cost by month at the typed volume (for the month the curves cross)."""
    grid = volume_grid(typed)
    on_grid = {name: totals(name, grid) for name in names}
    found = []
    for a, b in combinations(names, 2):
        crossed = crossings(a, b, totals, grid, on_grid)
        nearest = min(crossed, key=lambda c: abs(np.log(c.requests_per_month / max(typed, 1.0))),
                      default=None)
        (one_a, cum_a), (one_b, cum_b) = cumulative[a], cumulative[b]
        found.append(BreakEven(
            approach=a,
            versus=b,
            requests_per_month=nearest.requests_per_month if nearest else None,
            cheaper_above=nearest.cheaper_above if nearest else None,
            month=crossing_month(cum_a, cum_b, one_a, one_b),
            crossings=crossed,
        ))
    return found

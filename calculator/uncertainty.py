"""What the uncertainty ranges do to the answer: a tornado and a vectorized Monte Carlo.

Each ranged input is drawn from a triangular distribution over [low, high] with its mode at the
scenario's value (uniform when the value lies outside the range). All draws are priced at once:
the approach formulas are plain arithmetic over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.approaches import REGISTRY
from calculator.costs import monthly_volumes, tco
from calculator.fields import field_bounds
from calculator.inputs import Inputs
from calculator.scenario import Range

DEFAULT_DRAWS = 20_000  # Monte Carlo draws unless the caller asks for others
DEFAULT_SWING = 0.25  # ± share used in the tornado for inputs without a range
NOT_SWUNG = {"workload.horizon_months", "task.few_shot_k", "finetuning.retrain_every_months"}


@dataclass(frozen=True)
class MonteCarlo:
    draws: int
    p_cheapest: dict[str, float]
    tco_p10: dict[str, float]
    tco_p50: dict[str, float]
    tco_p90: dict[str, float]


@dataclass(frozen=True)
class TornadoBar:
    input: str
    low_value: float
    high_value: float
    low_delta_usd: float  # TCO(a) − TCO(b) with the input at its low value
    high_delta_usd: float
    ranged: bool  # True: the scenario's own range; False: ±25% of the value

    @property
    def swing_usd(self) -> float:
        return abs(self.high_delta_usd - self.low_delta_usd)


def draw(inputs: Inputs, ranges: dict[str, Range], draws: int, seed: int = 0) -> Inputs:
    """Inputs whose ranged entries are arrays of `draws` samples."""
    rng = np.random.default_rng(seed)
    sampled = {}
    for key, span in ranges.items():
        if key not in inputs:
            continue
        if span.low == span.high:
            sampled[key] = np.full(draws, span.low)
            continue
        mode = float(inputs[key])
        if span.low <= mode <= span.high:
            sampled[key] = rng.triangular(span.low, mode, span.high, draws)
        else:
            sampled[key] = rng.uniform(span.low, span.high, draws)
    return inputs.with_values(sampled)


def monte_carlo(inputs: Inputs, approaches: list[str], ranges: dict[str, Range],
                draws: int = DEFAULT_DRAWS, seed: int = 0) -> MonteCarlo:
    drawn = draw(inputs, ranges, draws, seed)
    totals = np.stack([
        np.broadcast_to(tco(REGISTRY[name].profile(drawn), drawn), (draws,)) for name in approaches
    ])
    winners = np.argmin(totals, axis=0)
    p10, p50, p90 = np.percentile(totals, [10, 50, 90], axis=1)
    return MonteCarlo(
        draws=draws,
        p_cheapest={name: float(np.mean(winners == i)) for i, name in enumerate(approaches)},
        tco_p10=dict(zip(approaches, map(float, p10), strict=True)),
        tco_p50=dict(zip(approaches, map(float, p50), strict=True)),
        tco_p90=dict(zip(approaches, map(float, p90), strict=True)),
    )


def _swing(inputs: Inputs, key: str, ranges: dict[str, Range]) -> tuple[float, float, bool]:
    if key in ranges:
        return ranges[key].low, ranges[key].high, True
    value = float(inputs[key])
    low, high = value * (1 - DEFAULT_SWING), value * (1 + DEFAULT_SWING)
    try:
        bounds = field_bounds(key)
    except KeyError:
        return low, high, False
    low = max(low, bounds.low) if bounds.low is not None else low
    high = min(high, bounds.high) if bounds.high is not None else high
    return low, high, False


def tornado(inputs: Inputs, a: str, b: str, ranges: dict[str, Range], top: int = 12) -> list[TornadoBar]:
    """One input at a time at its low and high value: how TCO(a) − TCO(b) moves."""

    def delta(values: Inputs) -> float:
        return float(tco(REGISTRY[a].profile(values), values) - tco(REGISTRY[b].profile(values), values))

    bars = []
    for key in inputs:
        if key in NOT_SWUNG or float(inputs[key]) == 0 and key not in ranges:
            continue
        low, high, ranged = _swing(inputs, key, ranges)
        bar = TornadoBar(key, low, high, delta(inputs.with_values({key: low})),
                         delta(inputs.with_values({key: high})), ranged)
        if bar.swing_usd > 1e-9:
            bars.append(bar)
    return sorted(bars, key=lambda bar: bar.swing_usd, reverse=True)[:top]


@dataclass(frozen=True)
class Band:
    """Cumulative cost by month under the uncertainty ranges: P10, median and P90 per month."""

    p10: list[float]
    p50: list[float]
    p90: list[float]


def cumulative_bands(inputs: Inputs, approaches: list[str], ranges: dict[str, Range],
                     draws: int = 4_000, seed: int = 0) -> dict[str, Band]:
    """Per approach, percentiles of the cumulative cost at the end of each month."""
    drawn = draw(inputs, ranges, draws, seed)
    horizon = int(inputs["workload.horizon_months"])
    volumes = monthly_volumes(drawn).reshape(horizon, -1)  # (months, draws or 1)
    bands = {}
    for name in approaches:
        profile = REGISTRY[name].profile(drawn)
        monthly = profile.monthly_fixed_usd + volumes * profile.per_request_usd  # (months, draws)
        cumulative = profile.one_off_usd + np.cumsum(np.broadcast_to(monthly, (horizon, draws)), axis=0)
        p10, p50, p90 = np.percentile(cumulative, [10, 50, 90], axis=1)
        bands[name] = Band(p10.tolist(), p50.tolist(), p90.tolist())
    return bands

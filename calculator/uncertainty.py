"""What the uncertainty ranges do to the answer: a tornado and a vectorized Monte Carlo.

Each ranged input is drawn from a triangular distribution over its span around the scenario's
value (relative ranges move with the value; absolute ones must contain it), its mode at the value,
clamped to the field's bounds. Inputs that move together share one draw: the engineering hours of
the tuned approaches, the API prices of the one provider. A member without a range of its own
moves by the same factor as its group's first ranged member. A measured score is drawn from a
normal whose 95% interval is the run's (clipped to [0, 1]), so error costs carry that doubt. All
draws are priced at once: the approach formulas are plain arithmetic over numpy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from calculator.approaches import REGISTRY
from calculator.costs import monthly_volumes, tco
from calculator.fields import Bounds, field_bounds
from calculator.inputs import Inputs
from calculator.scenario import Range
from core.approaches import TUNED

DEFAULT_DRAWS = 20_000  # Monte Carlo draws unless the caller asks for others
DEFAULT_SWING = 0.25  # ± share used in the tornado for inputs without a range
NOT_SWUNG = {"workload.horizon_months", "task.few_shot_k", "finetuning.retrain_every_months"}
Z95 = 1.959964  # a 95% interval is ±Z95 standard deviations
FRACTION = Bounds(low=0, high=1)  # derived accuracies have no field of their own
# Inputs that move together (one shared quantile per draw).
GROUPS: tuple[tuple[str, ...], ...] = (
    tuple(f"team.hours.{name}" for name in TUNED),
    tuple(f"api.{kind}_usd_per_mtok" for kind in ("input", "output", "cached_input", "batch_input",
                                                    "batch_output")),
)


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
    ranged: bool  # True: the scenario's own range or a measured interval; False: ±25% of the value

    @property
    def swing_usd(self) -> float:
        return abs(self.high_delta_usd - self.low_delta_usd)


def _bounds(key: str) -> Bounds | None:
    if key.startswith(("score.", "pass_rate.")):
        return FRACTION
    try:
        return field_bounds(key)
    except KeyError:
        return None


def clamped(key: str, low: float, high: float) -> tuple[float, float]:
    """(low, high) inside the field's bounds (an open bound is approached, not reached)."""
    bounds = _bounds(key)
    if bounds is None:
        return low, high
    if bounds.low is not None:
        floor = bounds.low + (1e-9 if bounds.low_open else 0.0)
        low, high = max(low, floor), max(high, floor)
    if bounds.high is not None:
        ceiling = bounds.high - (1e-9 if bounds.high_open else 0.0)
        low, high = min(low, ceiling), min(high, ceiling)
    return low, high


def spans(inputs: Inputs, ranges: Mapping[str, Range]) -> dict[str, tuple[float, float]]:
    """Each ranged input's (low, high) around its current value, inside its bounds."""
    return {key: clamped(key, *span.span(float(inputs[key]))) for key, span in ranges.items() if key in inputs}


def triangular_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The triangular distribution's quantile at u: one u can drive several inputs together."""
    if high <= low:
        return np.full_like(u, low)
    split = (mode - low) / (high - low)
    rising = low + np.sqrt(u * (high - low) * (mode - low))
    falling = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < split, rising, falling)


def draw(inputs: Inputs, ranges: Mapping[str, Range], draws: int, seed: int = 0) -> Inputs:
    """Inputs whose ranged entries (and measured accuracies) are arrays of `draws` samples."""
    rng = np.random.default_rng(seed)
    sampled: dict[str, np.ndarray] = {}
    grouped = {key: group for group in GROUPS for key in group}
    shared: dict[tuple[str, ...], np.ndarray] = {}
    for key, (low, high) in spans(inputs, ranges).items():
        group = grouped.get(key)
        if group and group not in shared:
            shared[group] = rng.random(draws)
        u = shared[group] if group else rng.random(draws)
        mode = min(max(float(inputs[key]), low), high)
        sampled[key] = triangular_ppf(u, low, mode, high)
    for group in GROUPS:
        leader = next((key for key in group if key in sampled), None)
        value = float(inputs[leader]) if leader else 0.0
        if not value:
            continue
        factor = sampled[leader] / value
        sampled.update({key: float(inputs[key]) * factor for key in group
                        if key in inputs and key not in sampled})
    for key, (low, high) in inputs.intervals.items():
        if key in inputs and key not in sampled and high > low:
            sd = (high - low) / (2 * Z95)
            sampled[key] = np.clip(rng.normal(float(inputs[key]), sd, draws), 0.0, 1.0)
    return inputs.with_values(sampled)


def monte_carlo(inputs: Inputs, approaches: list[str], ranges: Mapping[str, Range],
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


def _swing(inputs: Inputs, key: str, ranges: Mapping[str, Range]) -> tuple[float, float, bool]:
    value = float(inputs[key])
    if key in ranges:
        return (*clamped(key, *ranges[key].span(value)), True)
    if key in inputs.intervals:
        return (*inputs.intervals[key], True)
    return (*clamped(key, value * (1 - DEFAULT_SWING), value * (1 + DEFAULT_SWING)), False)


def tornado(inputs: Inputs, a: str, b: str, ranges: Mapping[str, Range], top: int = 12) -> list[TornadoBar]:
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


def cumulative_bands(inputs: Inputs, approaches: list[str], ranges: Mapping[str, Range],
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

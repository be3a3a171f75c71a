"""Break-even volumes, in the first month's volume the reader types, against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest

from calculator.breakeven import break_evens, crossing_month
from calculator.costs import evaluate
from calculator.scenario_io import apply_overrides, load_preset

HORIZON = 12
LINES = {  # one-off, fixed per month, per request
    "zero_shot": (800.0, 0.0, 616e-6),
    "lora": (8750.02976, 2628.0, 3.968e-6),
}


def straight(growth: float = 0.0):
    """TCO of each line at first-month volumes v: one-off + H·fixed + per · v · Σ_m (1 + g)^m."""
    factor = sum((1 + growth) ** m for m in range(HORIZON))

    def totals(name: str, volumes: np.ndarray) -> np.ndarray:
        one, fixed, per = LINES[name]
        return one + HORIZON * fixed + per * np.asarray(volumes) * factor

    return totals


def only(totals, typed: float):
    cumulative = dict.fromkeys(LINES, (0.0, [0.0]))
    return break_evens(list(LINES), totals, typed, cumulative)[0]


def test_a_constant_volume_break_even_by_hand():
    # V* = (800 − 8750.02976 + 12 × (0 − 2628)) / (12 × (3.968e-6 − 616e-6)) = 5,376,356.92
    be = only(straight(), typed=3_000_000)
    assert be.requests_per_month == pytest.approx(5_376_356.92, rel=1e-6)
    assert be.cheaper_above == "lora" and len(be.crossings) == 1


def test_with_growth_the_break_even_is_the_first_months_volume():
    # growing 3%/month, the 12 months carry Σ 1.03^m = 14.192 first months, not 12:
    # V1* = 5,376,356.92 × 12 / 14.192030 = 4,545,903.6
    be = only(straight(0.03), typed=3_000_000)
    assert be.requests_per_month == pytest.approx(5_376_356.92 * 12 / 14.19203, rel=1e-5)


def test_a_fleet_step_can_flip_the_order_back():
    # a: $1,000 per started million requests (a replica each); b: $0.0015 per request over 12 months
    def totals(name: str, volumes: np.ndarray) -> np.ndarray:
        volumes = np.asarray(volumes)
        return 1000.0 * np.ceil(volumes / 1e6) if name == "zero_shot" else 0.0015 * volumes * HORIZON

    be = only(totals, typed=1_000_000)
    first = be.nearest(50_000, above=True)
    assert first.requests_per_month == pytest.approx(1000 / 0.018, rel=1e-4)  # 55,556: a cheaper above
    assert first.cheaper_above == "zero_shot"
    assert be.after(first) is None or be.after(first).requests_per_month > first.requests_per_month
    assert be.nearest(first.requests_per_month, above=False) is None
    assert be.before(first) is None


def test_no_break_even_when_one_is_cheaper_everywhere():
    def totals(name: str, volumes: np.ndarray) -> np.ndarray:
        return (100.0 if name == "zero_shot" else 200.0) + np.asarray(volumes) * 1e-3

    be = only(totals, typed=1_000)
    assert be.requests_per_month is None and be.crossings == () and be.cheaper_above is None


def test_crossing_month():
    # a: nothing up front, $4/month; b: $10 up front, nothing after. a − b: −6, −2, +2 → month 3
    assert crossing_month([4, 8, 12, 16], [10, 10, 10, 10], 0, 10) == 3
    assert crossing_month([4, 8], [10, 10], 0, 10) is None


@pytest.mark.parametrize("preset", ["support_intents", "support_reply_drafting"])
def test_at_each_crossing_of_a_preset_the_order_of_its_totals_flips(preset):
    """Recomputed with the scenario's own growth (support_intents 3%/month, a fleet sized by its busiest
    month): 1% either side of each crossing, the order it names (a fleet step may make it a jump, not a
    meeting point)."""
    report = evaluate(load_preset(preset))
    typed = report.scenario.workload.requests_per_month

    def totals(volume: float, names: tuple[str, str]) -> list[float]:
        approaches = evaluate(apply_overrides(report.scenario, [f"workload.requests_per_month={volume}"])).approaches
        return [approaches[name].tco_usd for name in names]

    checked = 0
    for be in report.break_even:
        for crossing in be.crossings:
            v = crossing.requests_per_month
            if not typed / 10 <= v <= typed * 10 or any(
                    c is not crossing and abs(c.requests_per_month / v - 1) < 0.02 for c in be.crossings):
                continue  # far from the typed volume; or two flips within 2%
            pair = (crossing.cheaper_above, be.versus if crossing.cheaper_above == be.approach else be.approach)
            winner, loser = totals(v * 1.01, pair)
            assert winner < loser
            winner, loser = totals(v * 0.99, pair)
            assert winner > loser
            checked += 1
    assert checked >= 5

"""Break-even volume and crossing month against hand calculations."""

from __future__ import annotations

import pytest

from calculator.breakeven import break_even_volume, crossing_month
from calculator.costs import evaluate
from calculator.scenario_io import apply_overrides, load_preset


def test_break_even_volume_by_hand():
    # zero-shot: one-off 800, fixed 0, $616e-6/request; LoRA: 8750.02976, $2628/month, $3.968e-6
    # V* = (800 − 8750.02976 + 12 × (0 − 2628)) / (12 × (3.968e-6 − 616e-6)) = 5,376,356.92
    volume = break_even_volume(800, 0, 616e-6, 8750.02976, 2628, 3.968e-6, 12)
    assert volume == pytest.approx(5_376_356.92, rel=1e-9)


def test_no_break_even_when_one_is_cheaper_everywhere():
    assert break_even_volume(100, 0, 1e-3, 200, 0, 2e-3, 12) is None  # dearer one-off and per request
    assert break_even_volume(100, 0, 1e-3, 200, 0, 1e-3, 12) is None  # parallel lines


def test_crossing_month():
    # a: nothing up front, $4/month; b: $10 up front, nothing after. a − b: −6, −2, +2 → month 3
    assert crossing_month([4, 8, 12, 16], [10, 10, 10, 10], 0, 10) == 3
    assert crossing_month([4, 8], [10, 10], 0, 10) is None


def test_scenario_break_even_matches_the_curves():
    report = evaluate(load_preset("support_intents"))
    pair = next(b for b in report.break_even if {b.approach, b.versus} == {"zero_shot", "lora"})
    assert pair.requests_per_month is not None
    # at the break-even volume, held constant, the two TCOs agree
    flat = apply_overrides(report.scenario, [
        f"workload.requests_per_month={pair.requests_per_month}", "workload.monthly_growth_pct=0",
    ])
    at_volume = evaluate(flat).approaches
    assert at_volume["zero_shot"].tco_usd == pytest.approx(at_volume["lora"].tco_usd, rel=1e-9)
    # and the month reported is the first where the cumulative order flips
    a, b = report.approaches[pair.approach], report.approaches[pair.versus]
    if pair.month is not None:
        m = pair.month - 1
        before = a.profile.one_off_usd - b.profile.one_off_usd
        after = a.cumulative_usd[m] - b.cumulative_usd[m]
        assert before * after < 0

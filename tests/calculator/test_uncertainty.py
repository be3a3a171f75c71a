"""Monte Carlo against closed-form probabilities; tornado against a hand-computed swing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calculator.costs import evaluate
from calculator.scenario import Range, Scenario
from calculator.uncertainty import monte_carlo, tornado

DRAWS = 200_000


def two_approach_scenario(volume: float, low: float, high: float) -> Scenario:
    """Zero-shot against LoRA with a range on volume: LoRA is cheapest above the break-even."""
    return Scenario(
        approaches=["zero_shot", "lora"],
        workload={"requests_per_month": volume},
        api={"input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0},
        uncertainty={"workload.requests_per_month": Range(low=low, high=high)},
    )


def break_even(scenario: Scenario) -> float:
    report = evaluate(scenario)
    return report.break_even[0].requests_per_month


def within_sampling_error(estimate: float, p: float) -> bool:
    return abs(estimate - p) < 4 * math.sqrt(p * (1 - p) / DRAWS) + 1e-12


def test_uniform_probability_of_cheapest():
    scenario = two_approach_scenario(volume=1.0, low=1e6, high=1e8)  # value outside range: uniform
    v_star = break_even(scenario)
    mc = monte_carlo(evaluate(scenario).inputs, scenario.approaches, scenario.uncertainty, DRAWS)
    p_zero_shot = (v_star - 1e6) / (1e8 - 1e6)  # P(V < V*) for V ~ U(low, high)
    assert 0.01 < p_zero_shot < 0.99
    assert within_sampling_error(mc.p_cheapest["zero_shot"], p_zero_shot)
    assert mc.p_cheapest["zero_shot"] + mc.p_cheapest["lora"] == pytest.approx(1.0)


def test_triangular_probability_of_cheapest():
    low, high = 1e6, 1e8
    mode = 5e6
    scenario = two_approach_scenario(volume=mode, low=low, high=high)
    v_star = break_even(scenario)
    assert v_star > mode
    # triangular CDF above the mode: 1 − (high − x)² / ((high − low)(high − mode))
    p_zero_shot = 1 - (high - v_star) ** 2 / ((high - low) * (high - mode))
    mc = monte_carlo(evaluate(scenario).inputs, scenario.approaches, scenario.uncertainty, DRAWS)
    assert within_sampling_error(mc.p_cheapest["zero_shot"], p_zero_shot)


def test_percentiles_of_a_linear_cost():
    scenario = two_approach_scenario(volume=1.0, low=1e6, high=1e8)
    report = evaluate(scenario)
    mc = monte_carlo(report.inputs, scenario.approaches, scenario.uncertainty, DRAWS)
    zero = report.approaches["zero_shot"].profile
    # TCO is linear in V ~ U(1e6, 1e8): its p50 sits at V = 5.05e7
    expected = zero.one_off_usd + 12 * 5.05e7 * zero.per_request_usd
    assert mc.tco_p50["zero_shot"] == pytest.approx(expected, rel=0.01)
    assert mc.tco_p10["zero_shot"] < mc.tco_p50["zero_shot"] < mc.tco_p90["zero_shot"]


def test_no_ranges_gives_a_certain_answer():
    scenario = Scenario(approaches=["zero_shot", "lora"], workload={"requests_per_month": 1000})
    mc = monte_carlo(evaluate(scenario).inputs, scenario.approaches, {}, 1000)
    assert mc.p_cheapest == {"zero_shot": 1.0, "lora": 0.0}


def test_tornado_swing_of_volume():
    scenario = two_approach_scenario(volume=1e6, low=5e5, high=2e6)
    report = evaluate(scenario)
    bars = tornado(report.inputs, "zero_shot", "lora", scenario.uncertainty)
    volume = next(bar for bar in bars if bar.input == "workload.requests_per_month")
    z, lora = report.approaches["zero_shot"].profile, report.approaches["lora"].profile
    slope = 12 * (z.per_request_usd - lora.per_request_usd)  # d(TCO_a − TCO_b)/dV
    assert volume.ranged
    assert volume.high_delta_usd - volume.low_delta_usd == pytest.approx(slope * 1.5e6)
    assert bars == sorted(bars, key=lambda bar: bar.swing_usd, reverse=True)


def test_draws_are_vectorized_arrays():
    scenario = two_approach_scenario(volume=1e6, low=5e5, high=2e6)
    from calculator.uncertainty import draw

    drawn = draw(evaluate(scenario).inputs, scenario.uncertainty, 1000, seed=1)
    values = drawn["workload.requests_per_month"]
    assert isinstance(values, np.ndarray) and values.shape == (1000,)
    assert values.min() >= 5e5 and values.max() <= 2e6


def test_cumulative_bands_end_at_the_tco_percentiles_and_bracket_the_median():
    from calculator.uncertainty import cumulative_bands

    scenario = two_approach_scenario(volume=1.0, low=1e6, high=1e8)
    report = evaluate(scenario)
    bands = cumulative_bands(report.inputs, scenario.approaches, scenario.uncertainty, draws=50_000)
    mc = monte_carlo(report.inputs, scenario.approaches, scenario.uncertainty, 50_000)
    for name, band in bands.items():
        assert len(band.p50) == 12
        assert band.p10[-1] == pytest.approx(mc.tco_p10[name], rel=0.02)
        assert band.p90[-1] == pytest.approx(mc.tco_p90[name], rel=0.02)
        assert all(lo <= mid <= hi for lo, mid, hi in zip(band.p10, band.p50, band.p90, strict=True))
    # zero-shot grows linearly in V ~ U(1e6, 1e8): its month-1 median is one-off + 5.05e7 × per request
    zero = report.approaches["zero_shot"].profile
    assert bands["zero_shot"].p50[0] == pytest.approx(zero.one_off_usd + 5.05e7 * zero.per_request_usd, rel=0.02)


def test_value_outside_its_range_is_noted():
    scenario = two_approach_scenario(volume=1.0, low=1e6, high=1e8)
    notes = evaluate(scenario).inputs.notes
    assert any("workload.requests_per_month is 1 but its uncertainty range is [1,000,000" in n for n in notes)
    inside = two_approach_scenario(volume=5e6, low=1e6, high=1e8)
    assert not any("uncertainty range" in n for n in evaluate(inside).inputs.notes)

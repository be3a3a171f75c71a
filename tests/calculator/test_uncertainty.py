"""Monte Carlo against closed-form probabilities; tornado against a hand-computed swing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calculator.costs import evaluate
from calculator.scenario import Range, Scenario
from calculator.scenario_io import ScenarioError
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


# The value at the low end of its range: a triangular with its mode at low, whose CDF is
# 1 − (high − x)² / (high − low)² and whose median is high − (high − low) / √2.
LOW, HIGH = 1e6, 1e8
MEDIAN = HIGH - (HIGH - LOW) / math.sqrt(2)


def test_probability_of_cheapest_with_the_mode_at_the_low_end():
    scenario = two_approach_scenario(volume=LOW, low=LOW, high=HIGH)
    v_star = break_even(scenario)
    mc = monte_carlo(evaluate(scenario).inputs, scenario.approaches, scenario.uncertainty, DRAWS)
    p_zero_shot = 1 - (HIGH - v_star) ** 2 / (HIGH - LOW) ** 2  # P(V < V*)
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
    scenario = two_approach_scenario(volume=LOW, low=LOW, high=HIGH)
    report = evaluate(scenario)
    mc = monte_carlo(report.inputs, scenario.approaches, scenario.uncertainty, DRAWS)
    zero = report.approaches["zero_shot"].profile
    # TCO is linear in V: its p50 sits at V's median, 1e8 − 99e6/√2 ≈ 3.00e7
    expected = zero.one_off_usd + 12 * MEDIAN * zero.per_request_usd
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

    scenario = two_approach_scenario(volume=LOW, low=LOW, high=HIGH)
    report = evaluate(scenario)
    bands = cumulative_bands(report.inputs, scenario.approaches, scenario.uncertainty, draws=50_000)
    mc = monte_carlo(report.inputs, scenario.approaches, scenario.uncertainty, 50_000)
    for name, band in bands.items():
        assert len(band.p50) == 12
        assert band.p10[-1] == pytest.approx(mc.tco_p10[name], rel=0.02)
        assert band.p90[-1] == pytest.approx(mc.tco_p90[name], rel=0.02)
        assert all(lo <= mid <= hi for lo, mid, hi in zip(band.p10, band.p50, band.p90, strict=True))
    # zero-shot grows linearly in V: its month-1 median is one-off + V's median × per request
    zero = report.approaches["zero_shot"].profile
    assert bands["zero_shot"].p50[0] == pytest.approx(zero.one_off_usd + MEDIAN * zero.per_request_usd, rel=0.02)


def test_an_absolute_range_that_does_not_contain_its_value_is_refused():
    scenario = two_approach_scenario(volume=1.0, low=1e6, high=1e8)
    with pytest.raises(ScenarioError, match=r"uncertainty.workload.requests_per_month: the range "
                                            r"\[1,000,000, 100,000,000\] does not contain the value 1;"):
        evaluate(scenario)
    inside = two_approach_scenario(volume=5e6, low=1e6, high=1e8)
    assert set(evaluate(inside).approaches) == {"zero_shot", "lora"}


def test_a_relative_range_follows_its_value():
    """±50% of 2M is 1M–3M; after the value moves to 30M it is 15M–45M, with no edit to the range."""
    from calculator.uncertainty import draw, spans

    for volume, (low, high) in ((2e6, (1e6, 3e6)), (3e7, (1.5e7, 4.5e7))):
        scenario = Scenario(approaches=["zero_shot"], workload={"requests_per_month": volume},
                            uncertainty={"workload.requests_per_month": {"pct": 50}})
        inputs = evaluate(scenario).inputs
        assert spans(inputs, scenario.uncertainty)["workload.requests_per_month"] == pytest.approx((low, high))
        drawn = draw(inputs, scenario.uncertainty, 20_000, seed=3)["workload.requests_per_month"]
        assert low <= drawn.min() and drawn.max() <= high
        assert np.median(drawn) == pytest.approx(volume, rel=0.02)  # symmetric triangle: median at the mode


def test_a_relative_range_is_clamped_to_the_fields_bounds():
    from calculator.uncertainty import spans

    scenario = Scenario(approaches=["zero_shot"], api={"cache_hit_share": 0.8},
                        uncertainty={"api.cache_hit_share": {"pct": 50}})
    assert spans(evaluate(scenario).inputs, scenario.uncertainty)["api.cache_hit_share"] == \
        pytest.approx((0.4, 1.0))  # 0.8 × 1.5 = 1.2 is beyond a share's 1


def test_engineering_hours_of_the_tuned_approaches_are_drawn_together():
    """LoRA's hours ranged −25%/+150% around 80: full fine-tune's 120 h move by the same factor in
    every draw, and prompt-tuning's 60 h too, instead of staying fixed."""
    from calculator.uncertainty import draw

    scenario = Scenario(approaches=["prompt_tuning", "lora", "full_finetune"],
                        uncertainty={"team.hours.lora": {"minus_pct": 25, "plus_pct": 150}})
    drawn = draw(evaluate(scenario).inputs, scenario.uncertainty, 5_000, seed=2)
    lora = drawn["team.hours.lora"]
    assert lora.min() >= 60 and lora.max() <= 200 and lora.std() > 10
    assert drawn["team.hours.full_finetune"] == pytest.approx(lora * 120 / 80)
    assert drawn["team.hours.prompt_tuning"] == pytest.approx(lora * 60 / 80)


def test_two_ranged_prices_of_one_provider_share_their_quantile():
    """Input ±40% and output −10%/+20% around 2 and 8: one quantile u drives both, so their
    draws are perfectly rank-correlated, and the batch prices follow the input's factor."""
    from calculator.uncertainty import draw

    scenario = Scenario(approaches=["zero_shot"],
                        api={"input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0},
                        uncertainty={"api.input_usd_per_mtok": {"pct": 40},
                                     "api.output_usd_per_mtok": {"minus_pct": 10, "plus_pct": 20}})
    drawn = draw(evaluate(scenario).inputs, scenario.uncertainty, 4_000, seed=5)
    inp, out = drawn["api.input_usd_per_mtok"], drawn["api.output_usd_per_mtok"]
    assert inp.min() >= 1.2 and inp.max() <= 2.8 and out.min() >= 7.2 and out.max() <= 9.6
    assert np.array_equal(np.argsort(inp), np.argsort(out))
    assert drawn["api.batch_input_usd_per_mtok"] == pytest.approx(inp)  # overridden: batch = input price
    independent = Scenario(approaches=["zero_shot"], uncertainty={"workload.requests_per_month": {"pct": 40},
                                                                "api.output_usd_per_mtok": {"pct": 40}},
                           api={"input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0})
    other = draw(evaluate(independent).inputs, independent.uncertainty, 4_000, seed=5)
    assert abs(np.corrcoef(other["workload.requests_per_month"], other["api.output_usd_per_mtok"])[0, 1]) < 0.1

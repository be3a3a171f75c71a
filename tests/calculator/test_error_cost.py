"""Errors priced: V_m × (1 − accuracy) × cost per error is part of every approach's monthly cost."""

from __future__ import annotations

import numpy as np
import pytest

from calculator.analysis import analyze
from calculator.costs import evaluate
from calculator.scenario import Measured, MeasuredApproach, Scenario
from calculator.scenario_io import apply_overrides, load_preset
from calculator.uncertainty import draw, monte_carlo


def two_prompts(cost_per_error: float) -> Scenario:
    """Zero-shot (80%) against few-shot (90%) at 10,000 requests a month for 12 months."""
    return Scenario(
        approaches=["zero_shot", "few_shot"],
        workload={"requests_per_month": 10_000},
        api={"input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0},
        quality={"scores": {"zero_shot": 0.8, "few_shot": 0.9}, "target": 0.5,
                 "cost_per_error_usd": cost_per_error},
    )


def test_error_cost_is_volume_times_error_rate_times_cost_per_error():
    free, priced = evaluate(two_prompts(0.0)), evaluate(two_prompts(0.25))
    for name, accuracy in (("zero_shot", 0.8), ("few_shot", 0.9)):
        before, after = free.approaches[name], priced.approaches[name]
        assert "errors" not in before.profile.per_request and before.error_usd == 0
        assert after.profile.per_request["errors"] == pytest.approx((1 - accuracy) * 0.25)
        # 120,000 requests × 20% (10%) wrong × $0.25 = $6,000 ($3,000)
        assert after.error_usd == pytest.approx(120_000 * (1 - accuracy) * 0.25)
        assert after.tco_usd == pytest.approx(before.tco_usd + after.error_usd)
        assert after.running_usd == pytest.approx(before.tco_usd)
        assert after.monthly_usd[0] == pytest.approx(before.monthly_usd[0] + 10_000 * (1 - accuracy) * 0.25)
        # cost per correct answer: all-in cost / correct answers
        assert after.cost_per_correct_usd == pytest.approx(after.tco_usd / (120_000 * accuracy))


def test_the_break_even_moves_by_the_error_cost():
    free, priced = evaluate(two_prompts(0.0)), evaluate(two_prompts(0.25))
    z, f = free.approaches["zero_shot"].profile, free.approaches["few_shot"].profile
    # few-shot's 10 points fewer errors are worth $0.025 a request, on top of its token price gap
    gap = z.per_request_usd - f.per_request_usd + 0.1 * 0.25
    expected = (f.one_off_usd - z.one_off_usd) / (12 * gap)  # V* = Δone-off / (H · Δper request)
    assert priced.break_even[0].requests_per_month == pytest.approx(expected)


def test_an_approach_without_accuracy_is_said_unpriced_not_priced_at_zero_errors():
    scenario = two_prompts(0.25).model_copy(update={"approaches": ["zero_shot", "few_shot", "persona"]})
    report = evaluate(scenario)
    assert "errors" not in report.approaches["persona"].profile.per_request
    assert report.approaches["persona"].cost_per_correct_usd is None
    assert any(n.startswith("persona has no known accuracy: its error cost") for n in report.inputs.notes)
    assert not any("no known accuracy" in n for n in evaluate(two_prompts(0.0)).inputs.notes)


def test_a_measured_accuracy_is_drawn_within_its_interval():
    """Few-shot measured 90% [86%, 94%]: drawn as a normal with sd 0.04 / 1.96, so its error cost
    spreads, and 95% of the draws fall inside the interval."""
    measured = Measured(run_id="r1", model="m", device="cpu",
                        approaches={"few_shot": MeasuredApproach(accuracy=0.9, accuracy_ci=(0.86, 0.94))})
    scenario = two_prompts(0.25).model_copy(update={"measured": measured})
    inputs = evaluate(scenario).inputs
    drawn = draw(inputs, {}, 40_000, seed=4)["score.few_shot"]
    assert drawn.std() == pytest.approx(0.04 / 1.959964, rel=0.03)
    assert np.mean((drawn >= 0.86) & (drawn <= 0.94)) == pytest.approx(0.95, abs=0.01)
    mc = monte_carlo(inputs, scenario.approaches, {}, 40_000)
    assert mc.tco_p10["few_shot"] < mc.tco_p90["few_shot"]
    assert mc.tco_p10["zero_shot"] == pytest.approx(mc.tco_p90["zero_shot"])  # typed in: no interval


def test_support_intents_chooses_the_full_fine_tune_once_errors_cost_five_cents():
    """LoRA (93%) is $4,400 cheaper to run than the full fine-tune (94%), but over 103M requests one
    point more errors at $0.05 each costs about $51,600: the full fine-tune wins and the reasons say why."""
    preset = load_preset("support_intents")
    assert analyze(preset, draws=2_000).recommendation.choice == "lora"
    found = analyze(apply_overrides(preset, ["quality.cost_per_error_usd=0.05"]), draws=2_000)
    rec = found.recommendation
    assert rec.choice == "full_finetune"
    full, lora = found.costs.approaches["full_finetune"], found.costs.approaches["lora"]
    assert full.error_usd == pytest.approx(full.requests * 0.06 * 0.05)
    assert lora.error_usd - full.error_usd == pytest.approx(full.requests * 0.01 * 0.05)
    text = " ".join(rec.reasons)
    assert "Its expected errors cost $309,838 over 24 months (6% of 103M requests at $0.05 per error)" in text
    assert "but at 93% accuracy its errors cost $361,478, $51,640 more: the error cost decides." in text


@pytest.mark.parametrize("preset", ["support_intents", "internal_helpdesk", "contract_review"])
def test_monte_carlo_brackets_the_point_tco_after_the_volume_is_edited(preset):
    """Relative ranges follow the 30M volume: every approach's P10–P90 contains its point TCO."""
    scenario = apply_overrides(load_preset(preset), ["workload.requests_per_month=30000000"])
    report = evaluate(scenario)
    mc = monte_carlo(report.inputs, scenario.approaches, scenario.uncertainty, 4_000)
    for name, costs in report.approaches.items():
        assert mc.tco_p10[name] <= costs.tco_usd <= mc.tco_p90[name], name

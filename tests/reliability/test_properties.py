"""Properties of the schema and the cost functions over generated inputs (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.approaches import REGISTRY
from calculator.breakeven import break_evens
from calculator.costs import evaluate, tco, tco_at_volumes
from calculator.inputs import resolve_inputs
from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError, apply_overrides

BASE = Scenario(api={"input_usd_per_mtok": 1.0, "output_usd_per_mtok": 4.0})
BASE_INPUTS = resolve_inputs(BASE)  # token counting once; the properties vary the numbers

numbers = st.fixed_dictionaries({
    "workload.requests_per_month": st.floats(0, 1e9),
    "workload.monthly_growth_pct": st.floats(-50, 100),
    "workload.horizon_months": st.integers(1, 120).map(float),
    "api.input_usd_per_mtok": st.floats(1e-3, 100),
    "api.output_usd_per_mtok": st.floats(1e-3, 100),
    "api.cache_hit_share": st.floats(0, 1),
    "api.batch_share": st.floats(0, 1),
    "labeling.cost_per_label_usd": st.floats(0, 100),
    "labeling.labels_on_hand": st.floats(0, 1e6),
    "finetuning.base_model_params": st.floats(1e6, 1e12),
    "finetuning.training_mfu": st.floats(0.01, 1),
    "finetuning.retrain_every_months": st.integers(0, 24).map(float),
    "hosting.serving_mfu": st.floats(0.01, 1),
    "hosting.min_replicas": st.integers(0, 100).map(float),
    "task.reasoning_tokens": st.floats(0, 10_000),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers)
def test_costs_finite_and_never_negative(values):
    p = BASE_INPUTS.with_values(values)
    for approach in REGISTRY.values():
        profile = approach.profile(p)
        for part in (*profile.one_off.values(), *profile.fixed.values(), *profile.per_request.values()):
            assert math.isfinite(part) and part >= 0, (approach.name, part)
        assert tco(profile, p) >= 0


@settings(max_examples=100, deadline=None)
@given(numbers, st.floats(0, 1e9), st.floats(0, 1e9))
def test_tco_never_decreases_with_volume(values, v1, v2):
    low, high = sorted((v1, v2))
    p_low = BASE_INPUTS.with_values({**values, "workload.requests_per_month": low})
    p_high = BASE_INPUTS.with_values({**values, "workload.requests_per_month": high})
    for approach in REGISTRY.values():
        assert tco(approach.profile(p_high), p_high) >= tco(approach.profile(p_low), p_low) * (1 - 1e-12)


@settings(max_examples=40, deadline=None)
@given(numbers)
def test_every_break_even_is_where_the_order_of_the_totals_flips(values):
    """At each crossing (first-month volume, growth as drawn), the pair's order flips: the approach said
    to be cheaper above is cheaper 0.02% above and not cheaper 0.02% below (the crossings are located to
    0.01%; a fleet of huge replicas can flip the order back within a fraction of a percent)."""
    p = BASE_INPUTS.with_values(values)
    typed = max(values["workload.requests_per_month"], 1.0)
    names = list(REGISTRY)
    cumulative = {name: (0.0, [0.0]) for name in names}  # the crossing month is not under test here
    for be in break_evens(names, lambda name, at: tco_at_volumes(p, name, at), typed, cumulative):
        others = [c.requests_per_month for c in be.crossings]
        for crossing in be.crossings:
            v = crossing.requests_per_month
            if any(other != v and abs(other / v - 1) < 1e-3 for other in others):
                continue  # two crossings within 0.1%: the order flips twice in between
            winner = crossing.cheaper_above
            loser = be.versus if winner == be.approach else be.approach
            above, below = np.array([v * 1.0002]), np.array([v * 0.9998])
            assert tco_at_volumes(p, winner, above)[0] < tco_at_volumes(p, loser, above)[0]
            assert tco_at_volumes(p, winner, below)[0] >= tco_at_volumes(p, loser, below)[0] * (1 - 1e-9)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["workload.requests_per_month", "workload.horizon_months", "api.cache_hit_share",
                     "finetuning.epochs", "hosting.min_replicas", "quality.target",
                     "labeling.labels_on_hand", "team.engineer_usd_per_hour"]),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
              st.text(max_size=8), st.none(), st.booleans()),
    max_size=4,
))
def test_any_override_is_accepted_or_named(overrides):
    assignments = [f"{k}={v}" for k, v in overrides.items()]
    try:
        scenario = apply_overrides(BASE, assignments)
    except ScenarioError as exc:
        assert exc.field or str(exc)
        assert "\n" not in str(exc)
        return
    report = evaluate(scenario)
    for costs in report.approaches.values():
        assert costs.tco_usd >= 0
    for crossing in report.break_even:
        if crossing.month is not None:
            a, b = report.approaches[crossing.approach], report.approaches[crossing.versus]
            m = crossing.month - 1
            start = a.profile.one_off_usd - b.profile.one_off_usd
            if start:
                assert start * (a.cumulative_usd[m] - b.cumulative_usd[m]) < 0

"""Properties of the schema and the cost functions over generated inputs (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.approaches import REGISTRY
from calculator.breakeven import break_even_volume
from calculator.costs import evaluate, tco
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


@settings(max_examples=100, deadline=None)
@given(numbers, st.sampled_from(list(REGISTRY)), st.sampled_from(list(REGISTRY)))
def test_break_even_is_where_the_constant_volume_curves_meet(values, a, b):
    values = {**values, "workload.monthly_growth_pct": 0.0}
    p = BASE_INPUTS.with_values(values)
    pa, pb = REGISTRY[a].profile(p), REGISTRY[b].profile(p)
    horizon = int(values["workload.horizon_months"])
    volume = break_even_volume(pa.one_off_usd, pa.monthly_fixed_usd, pa.per_request_usd,
                               pb.one_off_usd, pb.monthly_fixed_usd, pb.per_request_usd, horizon)
    if volume is None:
        return
    at = BASE_INPUTS.with_values({**values, "workload.requests_per_month": volume})
    ta, tb = tco(pa, at), tco(pb, at)
    assert math.isclose(ta, tb, rel_tol=1e-6, abs_tol=1e-6 * max(1.0, abs(ta)))


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

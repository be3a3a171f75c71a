"""One analysis: every figure a face shows, from a scenario and its benchmark runs."""

from __future__ import annotations

from calculator.analysis import BAND_DRAWS, analyze
from calculator.costs import evaluate
from calculator.measured import apply_benchmark
from calculator.scenario_io import apply_overrides, load_preset
from calculator.uncertainty import tornado
from tests.fake_result import fake_result

DRAWS = 2_000


def test_analysis_applies_the_run_and_holds_what_every_face_shows():
    scenario = apply_overrides(load_preset("support_intents"), [  # the tuned scores typed again for smollm2
        "finetuning.base_model=smollm2-135m-instruct", "quality.scores.prompt_tuning=0.88",
        "quality.scores.full_finetune=0.94"])
    found = analyze(scenario, [fake_result()], draws=DRAWS)
    assert found.scenario.measured.run_id == "run-test-1"
    assert found.costs.approaches["lora"].score == 0.82  # the run's accuracy, not the typed-in 93%
    assert found.costs.approaches["zero_shot"].score == 0.79  # measured on smollm2, priced on gpt-4o: typed
    direct = evaluate(apply_benchmark(scenario, fake_result()))
    assert {n: c.tco_usd for n, c in found.costs.approaches.items()} == \
        {n: c.tco_usd for n, c in direct.approaches.items()}
    rec = found.recommendation
    assert found.tornado_pair == (rec.choice, rec.rival) and rec.rival is not None
    assert found.tornado_bars == tornado(found.costs.inputs, *found.tornado_pair, found.scenario.uncertainty)
    assert found.mc.draws == DRAWS and set(found.mc.p_cheapest) == set(found.costs.approaches)
    assert set(found.bands) == set(found.costs.approaches)
    for band in found.bands.values():
        assert len(band.p50) == found.costs.horizon_months
        assert all(lo <= mid <= hi for lo, mid, hi in zip(band.p10, band.p50, band.p90, strict=True))
    assert found.summary["approaches"]["lora"]["tco_usd"] == found.costs.approaches["lora"].tco_usd
    assert found.to_dict()["recommendation"]["choice"] == rec.choice
    assert BAND_DRAWS == 4_000


def test_the_dashboard_reuses_the_analysis_bars_for_its_own_pair():
    from dashboard import compute

    scenario = load_preset("internal_helpdesk")
    found = compute.analysis(scenario)
    assert compute.recommendation(scenario).headline == found.recommendation.headline
    assert compute.sensitivity(scenario, *found.tornado_pair) == found.tornado_bars
    other = ("lora", "zero_shot")
    assert compute.sensitivity(scenario, *other) == tornado(found.costs.inputs, *other,
                                                            found.scenario.uncertainty)

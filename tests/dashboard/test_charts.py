"""The shared plotly figures: one color per approach everywhere, break-evens marked."""

from __future__ import annotations

import numpy as np
import pytest

from calculator.costs import evaluate
from calculator.scenario_io import load_preset
from calculator.summary import run_monte_carlo
from calculator.uncertainty import tornado
from reporting import charts
from tests.dashboard.fake_result import fake_result


@pytest.fixture(scope="module")
def report():
    return evaluate(load_preset("support_intents"))


def test_every_approach_has_its_own_color():
    from calculator.approaches.spec import NAMES as APPROACHES

    assert set(charts.APPROACH_COLORS) == set(APPROACHES)
    assert len(set(charts.APPROACH_COLORS.values())) == len(APPROACHES)


def test_cumulative_cost_lines_use_the_approach_colors_and_mark_break_evens(report):
    fig = charts.cumulative_cost(report)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.line.color for t in lines] == [charts.color_of(n) for n in report.approaches]
    assert list(lines[0].y) == report.approaches[next(iter(report.approaches))].cumulative_usd
    crossings = [be for be in report.break_even if be.month is not None]
    markers = [t for t in fig.data if t.name == "break-even"]
    assert len(markers) == (1 if crossings else 0)
    if crossings:
        assert len(markers[0].x) == len(crossings)


def test_tco_vs_volume_matches_the_calculator_at_the_scenario_volume(report):
    volume = report.scenario.workload.requests_per_month
    fig = charts.tco_vs_volume(report, volumes=np.array([volume]))
    for trace, name in zip(fig.data, report.approaches, strict=True):
        p = report.approaches[name].profile
        expected = p.one_off_usd + report.horizon_months * (p.monthly_fixed_usd + volume * p.per_request_usd)
        assert trace.y[0] == pytest.approx(expected)


def test_the_other_figures_build_and_export(report):
    mc = run_monte_carlo(report, draws=500)
    figures = [
        charts.monthly_split(report),
        charts.unit_costs(report),
        charts.tornado_chart(report, tornado(report.inputs, "lora", "few_shot",
                                             report.scenario.uncertainty), "lora", "few_shot"),
        charts.monte_carlo_bands(mc),
        charts.p_cheapest(mc),
        charts.loss_curves({"lora": [2.0, 1.5, 1.1]}),
    ]
    for fig in figures:
        assert fig.data, fig.layout.title.text
        assert fig.to_json()


def test_benchmark_figures_show_each_run():
    runs = [fake_result("run-a"), fake_result("run-b", lora_accuracy=0.9)]
    accuracy = charts.accuracy_comparison(runs)
    assert [t.name for t in accuracy.data] == ["run-a", "run-b"]
    assert list(accuracy.data[1].y)[-1] == 0.9
    curves = charts.learning_curves(runs)
    assert [list(t.x) for t in curves.data] == [[16, 64, 256], [16, 64, 256]]


def test_prompt_tuning_curve_is_drawn_beside_loras_and_alone():
    from benchmarks.result import CurvePoint

    run = fake_result("run-a")
    tuned = run.approach("lora").model_copy(update={"approach": "prompt_tuning", "learning_curve": [
        CurvePoint(labeled_examples=n, accuracy=a, accuracy_ci=(a - 0.05, a + 0.05), macro_f1=a)
        for n, a in ((16, 0.55), (256, 0.7))]})
    run.approaches.append(tuned)
    fig = charts.learning_curves([run])
    assert [(t.name, list(t.y)) for t in fig.data] == [("LoRA fine-tune, run-a", [0.6, 0.72, 0.8]),
                                                      ("Prompt-tuning, run-a", [0.55, 0.7])]
    run.approaches = [a for a in run.approaches if a.approach != "lora"]  # prompt-tuning's curve alone
    assert [t.name for t in charts.learning_curves([run]).data] == ["Prompt-tuning, run-a"]


def test_runs_with_the_same_best_prompt_share_one_line_and_label():
    same = [fake_result("run-a"), fake_result("run-b")]  # both: few-shot 75% is the best prompt
    labels = [a.text for a in charts.learning_curves(same).layout.annotations]
    assert labels == ["best prompt: Few-shot prompt, 75.0%"]
    other = fake_result("run-c")
    other.approaches[0].accuracy = 0.8  # zero-shot now beats few-shot's 75%
    fig = charts.learning_curves([*same, other])
    assert [a.text for a in fig.layout.annotations] == [
        "best prompt: Few-shot prompt, 75.0% (run-a, run-b)", "best prompt: Zero-shot prompt, 80.0% (run-c)"]
    assert len({a.yanchor for a in fig.layout.annotations}) == 2  # one label above its line, one below


def test_tornado_bars_run_from_the_base_difference_and_drop_negligible_inputs(report):
    bars = tornado(report.inputs, "lora", "full_finetune", report.scenario.uncertainty, top=40)
    fig = charts.tornado_chart(report, bars, "lora", "full_finetune")
    base = report.approaches["lora"].tco_usd - report.approaches["full_finetune"].tco_usd
    low, high = fig.data
    kept = charts.shown_bars(bars)[::-1]
    assert 0 < len(kept) < len(bars)  # some inputs barely matter here and are left out
    widest = max(bar.swing_usd for bar in bars)
    assert all(bar.swing_usd >= 0.005 * widest for bar in kept)
    assert low.base == pytest.approx(base) and high.base == pytest.approx(base)
    for i, bar in enumerate(kept):
        assert base + low.x[i] == pytest.approx(bar.low_delta_usd)
        assert base + high.x[i] == pytest.approx(bar.high_delta_usd)
        assert low.customdata[i][0] == bar.input  # the dotted name stays in the hover
    assert "Engineering hours for LoRA fine-tune" in low.y
    assert not any("." in label for label in low.y)
    assert "LoRA fine-tune vs Full fine-tune" in fig.layout.title.text


def test_cumulative_bands_shade_p10_to_p90_around_the_median_in_each_approach_color(report):
    from calculator.uncertainty import cumulative_bands

    bands = cumulative_bands(report.inputs, list(report.approaches), report.scenario.uncertainty, 500)
    fig = charts.cumulative_bands_chart(bands, 500)
    for name, band in bands.items():
        area, median = [t for t in fig.data if t.legendgroup == name]
        months = len(band.p50)
        assert list(area.y) == band.p90 + band.p10[::-1] and area.fill == "toself"
        assert list(median.y) == band.p50 and list(median.x) == list(range(1, months + 1))
        assert median.line.color == charts.color_of(name)
        assert all(lo <= mid <= hi for lo, mid, hi in zip(band.p10, band.p50, band.p90, strict=True))


@pytest.mark.parametrize("chart", [charts.monthly_split, charts.unit_costs])
def test_approach_bars_are_rows_so_full_names_fit_in_a_half_width_chart(report, chart):
    fig = chart(report)
    titles = [charts.title_of(n) for n in report.approaches]
    assert all(t.orientation == "h" and list(t.y) == titles for t in fig.data)
    assert fig.layout.yaxis.automargin and fig.layout.yaxis.autorange == "reversed"

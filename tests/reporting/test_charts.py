"""The shared plotly figures: one color per approach everywhere, the break-evens that matter labelled,
readable log ticks, the pretraining line off the scale, the toolbar on hover."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calculator.costs import evaluate
from calculator.recommend import recommend
from calculator.recommend.wording import count, money
from calculator.scenario_io import load_preset
from calculator.summary import run_monte_carlo
from calculator.uncertainty import cumulative_bands, tornado
from reporting import charts
from tests.fake_result import fake_result


@pytest.fixture(scope="module")
def report():
    return evaluate(load_preset("support_intents"))


@pytest.fixture(scope="module")
def decision(report):
    return recommend(report, run_monte_carlo(report, draws=2_000))


def crossing_month(a: list[float], b: list[float]) -> int | None:
    """The first month (1-based) in which the cumulative curves have changed order."""
    first = a[0] < b[0]
    return next((m + 1 for m, (x, y) in enumerate(zip(a, b, strict=True)) if (x < y) != first), None)


def test_every_approach_has_its_own_color():
    from core.approaches import NAMES as APPROACHES

    assert set(charts.APPROACH_COLORS) == set(APPROACHES)
    assert len(set(charts.APPROACH_COLORS.values())) == len(APPROACHES)


def test_cumulative_cost_lines_use_the_approach_colors_and_label_only_the_choices_break_evens(report, decision):
    fig = charts.cumulative_cost(report, decision.break_even_pairs)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.line.color for t in lines] == [charts.color_of(n) for n in report.approaches]
    assert list(lines[0].y) == report.approaches[next(iter(report.approaches))].cumulative_usd
    assert decision.break_even_pairs == [("lora", "full_finetune"), ("lora", "zero_shot")]
    lora, zero = report.approaches["lora"].cumulative_usd, report.approaches["zero_shot"].cumulative_usd
    month = crossing_month(zero, lora)
    assert month is not None and crossing_month(report.approaches["full_finetune"].cumulative_usd, lora) is None
    (markers,) = [t for t in fig.data if t.name == "break-even"]
    assert list(markers.hovertext) == [f"Zero-shot prompt = LoRA fine-tune, month {month}"]  # one of 36 pairs
    assert list(markers.x) == [month]
    (label,) = [a for a in fig.layout.annotations if "month" in a.text]
    assert label.text == markers.hovertext[0] and label.x == month
    assert label.y == pytest.approx(math.log10(zero[month - 1]))  # on the marker: log axes place in log10
    assert not [t for t in charts.cumulative_cost(report).data if t.name == "break-even"]


def test_tco_vs_volume_labels_the_break_even_volume_of_the_choice_and_its_rivals(report, decision):
    fig = charts.tco_vs_volume(report, pairs=decision.break_even_pairs)
    lora, zero = report.approaches["lora"].profile, report.approaches["zero_shot"].profile
    h, months = report.horizon_months, sum(report.volumes) / report.volumes[0]  # first months in the horizon
    v_star = (lora.one_off_usd - zero.one_off_usd + h * (lora.monthly_fixed_usd - zero.monthly_fixed_usd)) / (
        months * (zero.per_request_usd - lora.per_request_usd))
    labels = [a.text for a in fig.layout.annotations]
    assert labels == [f"Zero-shot prompt = LoRA fine-tune at {count(v_star)}/month", "your volume"]
    assert len(fig.layout.shapes) == 2  # that break-even and the scenario's volume, not a dozen lines
    assert fig.layout.shapes[0].x0 == pytest.approx(v_star)
    volume = report.scenario.workload.requests_per_month  # labels sit on their lines, in log10 units
    assert [a.x for a in fig.layout.annotations] == pytest.approx([math.log10(v_star), math.log10(volume)])


def test_log_ticks_are_1_2_5_and_never_fewer_than_three():
    assert charts.log_ticks(16, 256) == [20, 50, 100, 200]
    assert charts.log_ticks(1e4, 1e6) == [1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6]
    assert charts.log_ticks(1.1e5, 1.9e5) == [1.1e5, 1.45e5, 1.9e5]  # inside one step: √(1.1e5·1.9e5) = 144,568
    assert charts.log_ticks(3e4, 9e4) == [3e4, 5e4, 7e4]  # within a decade: 1, 1.5, 2, 3, 5, 7
    assert charts.log_ticks(100, 1e15) == [1e2, 1e4, 1e6, 1e8, 1e10, 1e12, 1e14]  # every other decade
    assert [charts.tick_money(v) for v in (0.0005, 2, 1_500, 20_000, 1.5e6)] == [
        "$0.0005", "$2", "$1,500", "$20k", "$1.5M"]


def test_every_log_axis_has_more_than_two_labelled_ticks(report, decision):
    runs = [fake_result("run-a")]
    bands = cumulative_bands(report.inputs, list(report.approaches), report.scenario.uncertainty, 500)
    axes = [
        charts.cumulative_cost(report).layout.yaxis,
        charts.tco_vs_volume(report).layout.xaxis, charts.tco_vs_volume(report).layout.yaxis,
        charts.unit_costs(report).layout.xaxis,
        charts.monte_carlo_bands(run_monte_carlo(report, draws=500)).layout.yaxis,
        charts.cumulative_bands_chart(bands, 500).layout.yaxis,
        charts.learning_curves(runs).layout.xaxis,
    ]
    for axis in axes:
        assert axis.type == "log"
        assert 3 <= len(axis.tickvals) == len(axis.ticktext) <= 9, axis.ticktext
    assert list(charts.learning_curves(runs).layout.xaxis.ticktext) == ["20", "50", "100", "200"]


def test_the_pretraining_line_is_drawn_off_the_scale_of_the_others(report):
    fig = charts.cumulative_cost(report)
    scratch = report.approaches["pretrain"].cumulative_usd
    others = [v for name, c in report.approaches.items() if name != "pretrain" for v in c.cumulative_usd]
    assert min(scratch) > max(others)  # the preset's 4,000 pretraining hours alone outweigh all others
    low, high = (10**v for v in fig.layout.yaxis.range)
    assert low == pytest.approx(min(others) / 1.15) and high == pytest.approx(max(others) * 1.15)
    assert high < min(scratch)
    assert "Train from scratch (off the scale)" in [t.name for t in fig.data]
    assert [a.text for a in fig.layout.annotations] == [
        f"Train from scratch: {money(min(scratch))}–{money(max(scratch))}, above this scale"]
    assert all(float(t.strip("$").replace(",", "").replace("k", "e3").replace("M", "e6")) <= high
               for t in fig.layout.yaxis.ticktext)


def test_chance_cheapest_chart_shows_the_qualifying_approaches_only(decision):
    fig = charts.cheapest_share(decision)
    qualifying = [r for r in decision.ranked if r.eligible]
    (bars,) = fig.data
    assert list(bars.x) == [r.title for r in qualifying] == ["LoRA fine-tune", "Full fine-tune"]
    assert list(bars.y) == [r.cheapest_share for r in qualifying]
    assert math.fsum(bars.y) == pytest.approx(1.0)
    assert fig.layout.title.text == "Chance cheapest, over 2,000 draws"
    (note,) = fig.layout.annotations
    assert note.text.startswith("Not qualifying: ") and "Prompt-tuning" in note.text
    assert max(len(line) for line in note.text.split("<br>")) <= 70  # wrapped to fit a half-width chart


def test_chance_cheapest_chart_says_when_no_approach_qualifies():
    from calculator.scenario_io import apply_overrides

    report = evaluate(apply_overrides(load_preset("contract_review"), ["quality.target=0.99"]))
    rec = recommend(report, run_monte_carlo(report, draws=500))
    assert rec.choice is None
    fig = charts.cheapest_share(rec)
    assert list(fig.data[0].x) == []
    assert fig.layout.annotations[0].text.replace("<br>", " ") == (
        "No approach qualifies: " + ", ".join(r.title for r in rec.ranked))


def test_the_dashboard_shows_the_plotly_toolbar_only_on_hover():
    from dashboard import plots

    assert plots.CONFIG["displayModeBar"] == "hover"


def test_tco_vs_volume_matches_the_calculator_at_the_scenario_volume(report):
    volume = report.scenario.workload.requests_per_month
    fig = charts.tco_vs_volume(report, volumes=np.array([volume]))
    for trace, name in zip(fig.data, report.approaches, strict=True):
        assert trace.y[0] == pytest.approx(report.approaches[name].tco_usd)  # the typed volume, its growth


def test_the_other_figures_build_and_export(report, decision):
    mc = run_monte_carlo(report, draws=500)
    figures = [
        charts.monthly_split(report),
        charts.unit_costs(report),
        charts.tornado_chart(report, tornado(report.inputs, "lora", "few_shot",
                                             report.scenario.uncertainty), "lora", "few_shot"),
        charts.monte_carlo_bands(mc),
        charts.cheapest_share(decision),
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
    from core.result import CurvePoint

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


def test_the_costs_page_and_the_report_draw_the_same_charts_from_one_place():
    """dashboard/figures.py draws reporting/document.py's DRAWINGS: the report's chart is the page's
    figure with its title lifted out, for every chart both show."""
    import plotly.graph_objects as go

    from dashboard import figures
    from reporting import build
    from reporting.document import DRAWINGS
    from reporting.document import figures as report_figures

    scenario = load_preset("internal_helpdesk")
    in_report = {chart.key: chart for chart in report_figures(build(scenario))}
    assert set(DRAWINGS) <= set(in_report) and "cheapest_share" in DRAWINGS and "cumulative" in DRAWINGS
    for key in DRAWINGS:
        page = figures.drawn(scenario, key)
        assert in_report[key].title == page.layout.title.text and in_report[key].title
        untitled = go.Figure(page).update_layout(title_text=None, margin_t=40)
        assert in_report[key].figure.to_json() == untitled.to_json(), key

"""The approach contract, run over every entry of the spec (as PEFT's test matrix covers every
method): the scenario accepts it, the cost model prices it from the inputs it says it reads, the
charts colour it, the report lists it, and a benchmark config runs it when it is benchmarkable."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from calculator.approaches import REGISTRY
from calculator.costs import evaluate
from calculator.fields import field_bounds, get_dotted, is_field, numeric_fields
from calculator.prompts import TEXT, build_prompt, render, scenario_frame
from calculator.scenario import FewShotExample, Scenario
from calculator.scenario_io import apply_overrides
from core.approaches import BENCHMARKABLE, NAMES, SPECS, ApproachSpec, spec

BY_SPEC = pytest.mark.parametrize("entry", SPECS, ids=[s.name for s in SPECS])


def _changed(scenario: Scenario, dotted: str) -> Scenario:
    """The scenario with one input moved noticeably (a number up by half, a text longer)."""
    value = get_dotted(scenario, dotted)
    if dotted in numeric_fields():
        bounds = field_bounds(dotted)
        moved = value * 1.5 if value else 1.0
        if isinstance(value, int):
            moved = max(int(moved), value + 1)
        if bounds.high is not None:
            moved = min(moved, bounds.high)
        return apply_overrides(scenario, [f"{dotted}={moved}"])
    section, name = dotted.split(".")
    if name == "labels":
        new = [*value, "a much longer extra label"]
    elif name == "few_shot_examples":
        new = [FewShotExample(text="An example input that is quite a bit longer than the samples, "
                                   "written out at length.", label=scenario.task.labels[0])]
    else:
        new = value + " Read every word twice and think about the context before you answer."
    part = getattr(scenario, section).model_copy(update={name: new})
    return scenario.model_copy(update={section: part})


@pytest.fixture(scope="module")
def everything() -> Scenario:
    # every approach of the spec, the package's default prices; retraining on, so its labels count
    return Scenario(finetuning={"retrain_every_months": 6})


def test_the_spec_is_the_list_of_approaches(everything):
    assert tuple(everything.approaches) == NAMES
    assert len(NAMES) == 11 and len(set(NAMES)) == 11
    assert {"persona", "output_format"} <= set(NAMES)
    assert len({s.colour for s in SPECS}) == len(SPECS)


@BY_SPEC
def test_scenario_accepts_it_with_its_own_hours_field(entry: ApproachSpec):
    scenario = Scenario(approaches=[entry.name], quality={"scores": {entry.name: 0.9}})
    assert scenario.approaches == [entry.name]
    assert get_dotted(scenario, entry.hours_field) == entry.engineering_hours
    assert entry.hours_field in numeric_fields()
    with pytest.raises(ValidationError):
        Scenario(approaches=[f"{entry.name}_typo"])


@BY_SPEC
def test_costs_price_it_from_the_inputs_it_reads(entry: ApproachSpec, everything):
    costs = evaluate(everything).approaches[entry.name]
    assert math.isfinite(costs.tco_usd) and costs.tco_usd > 0
    hours_usd = entry.engineering_hours * everything.team.engineer_usd_per_hour
    assert float(costs.profile.one_off["engineering"]) == pytest.approx(hours_usd)
    labels = get_dotted(everything, entry.labels_field) if entry.labels_field else 0
    if entry.name == "prompt_search":  # its validation set, and k shown examples a trial (an upper bound)
        labels += everything.task.few_shot_k * everything.task.prompt_search_trials
    assert costs.labels_needed == labels
    assert entry.inputs, "an approach names the scenario inputs it reads"
    for dotted in entry.inputs:
        assert is_field(dotted), dotted
        moved = evaluate(_changed(everything, dotted)).approaches[entry.name].tco_usd
        assert moved != pytest.approx(costs.tco_usd, rel=1e-9), f"{entry.name} ignores {dotted}"


@BY_SPEC
def test_its_prompt_is_rendered_for_its_kind(entry: ApproachSpec, everything):
    template = render(entry.prompt_kind, scenario_frame(everything.task))
    assert template.body.count(TEXT) == 1
    prompt = build_prompt(entry.name, everything.task, "hello there")
    assert prompt.text == template.text("hello there") or entry.prompt_kind == "few_shot"
    if entry.family == "prompting":
        assert everything.task.instructions in prompt.text
    else:  # tuned and pretrained models are served the input and the answer cue only
        assert prompt.text == "Input: hello there\nLabel:"


def test_persona_and_output_format_prompts_say_what_they_are(everything):
    persona = build_prompt("persona", everything.task, "x").text
    zero = build_prompt("zero_shot", everything.task, "x").text
    assert persona == f"{everything.task.persona}\n\n{zero}"
    fmt = build_prompt("output_format", everything.task, "x").text
    assert fmt.endswith("\nJSON:") and '{"label": "<label>"}' in fmt
    report = evaluate(everything)
    json_tokens, label_tokens = report.inputs["tokens.json_answer"], report.inputs["tokens.answer"]
    assert json_tokens > label_tokens + 3  # {"label": "…"} around the label is billed output
    output_price = report.inputs["api.output_usd_per_mtok"] / 1e6
    input_price = report.inputs["api.input_usd_per_mtok"] / 1e6
    fmt_cost = report.approaches["output_format"].profile.per_request_usd
    expected = (report.inputs["tokens.output_format.input"] * input_price + json_tokens * output_price)
    assert fmt_cost == pytest.approx(expected)


@BY_SPEC
def test_charts_colour_it(entry: ApproachSpec, everything):
    from reporting import charts

    fig = charts.cumulative_cost(evaluate(everything))
    # a line left off the scale keeps its title, with "(off the scale)" after it (reporting.charts)
    line = next(t for t in fig.data if t.name.startswith(entry.title))
    assert line.line.color == entry.colour


def test_report_lists_every_approach(everything):
    from reporting import render

    markdown = render(everything, fmt="md").decode()
    for entry in SPECS:
        assert entry.title in markdown


@BY_SPEC
def test_benchmark_config_runs_it_when_benchmarkable(entry: ApproachSpec):
    from benchmarks.approaches import runner
    from benchmarks.config import BenchConfig
    from benchmarks.runner import LOADING_WEIGHT, progress_edges

    if entry.name not in BENCHMARKABLE:
        with pytest.raises(ValidationError):
            BenchConfig(approaches=[entry.name])
        return
    config = BenchConfig(approaches=[entry.name], learning_curve=[])
    assert callable(runner(entry.name))
    start, loaded, end = progress_edges(config)
    loading, approach = loaded - start, end - loaded
    assert approach / loading == pytest.approx(entry.progress_weight / LOADING_WEIGHT)


def test_registry_prices_exactly_the_spec():
    assert list(REGISTRY) == list(NAMES)
    assert all(REGISTRY[name].spec is spec(name) for name in NAMES)

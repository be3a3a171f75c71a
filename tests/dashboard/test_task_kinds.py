"""AppTest of issue 27, tasks whose answer is text: the Scenario page asks for the task kind first and shows
only the inputs that kind uses; a kind switch keeps nothing of the old kind; the Tokens page shows what each
approach writes per request, as the calculator prices it; the Decision and Costs pages name the task's metric
(chrF, field F1), never accuracy."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from calculator.approaches import REGISTRY
from calculator.costs import evaluate
from calculator.recommend.wording import Scale
from calculator.scenario_io import load_preset
from calculator.tradeoffs import NOTE
from core.approaches import SPECS, title
from tests.dashboard.apptest import PAGES, open_app, widget

GENERATION, EXTRACTION = "support_reply_drafting", "invoice_fields"
LABELS, OUTPUTS, FIELDS = "Labels (one per line)", "Sample outputs (one per line)", "Fields (one per line)"


def kind_box(at: AppTest):
    """The Scenario page's first input: what the answer is."""
    box = at.main.selectbox[0]
    assert box.label == "Task kind"
    return box


def text_areas(at: AppTest) -> set[str]:
    return {t.label for t in at.main.text_area}


def numbers(at: AppTest) -> set[str]:
    return {n.key.rsplit(":", 1)[-1] for n in at.main.number_input if n.key}


def words(at: AppTest) -> str:
    """What the page says of this task: titles, metrics, alerts, text and the tables' headings (not the
    trade-offs table's note, which lists every kind's metric)."""
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.proto.delta}" for m in at.metric]
    parts += [" ".join(map(str, t.value.columns)) for t in [*at.table, *at.dataframe]]
    return "\n".join(parts).replace("\\", "").replace(NOTE, "")


def test_a_generation_preset_asks_for_sample_outputs_and_no_labels():
    at = open_app("scenario", {"preset": GENERATION})
    assert kind_box(at).value == "generation"
    assert kind_box(at).options == ["classification: a label", "generation: free text", "extraction: a JSON object"]
    areas = text_areas(at)
    assert OUTPUTS in areas and LABELS not in areas and FIELDS not in areas
    assert "task.output_tokens" in numbers(at)  # blank: the sample outputs' mean token count, said under it
    assert any(c.value.startswith("Blank: ") and c.value.endswith("mean over the 5 sample outputs.") for c in at.caption)
    assert "task.reasoning_tokens" not in numbers(at)  # no chain-of-thought among the approaches
    approaches = next(m for m in at.multiselect if m.label == "Approaches compared")
    assert approaches.options == [title(s.name) for s in SPECS if "generation" in s.task_kinds]
    assert title("chain_of_thought") not in approaches.options and title("output_format") not in approaches.options
    assert widget(at, "slider", "main:quality.target").label == "chrF target (0-1)"
    assert widget(at, "slider", "main:quality.target").proto.format == "%.2f"  # chrF 0.45, as every page writes it
    assert "**chrF per approach** (0-1; a benchmark run overrides it; empty = unknown)" in \
        [m.value for m in at.markdown]
    assert widget(at, "number_input", "main:quality.scores.lora").value == 0.52
    assert not at.error


def test_an_extraction_preset_asks_for_its_fields():
    at = open_app("scenario", {"preset": EXTRACTION})
    assert kind_box(at).value == "extraction"
    areas = text_areas(at)
    assert {OUTPUTS, FIELDS} <= areas and LABELS not in areas
    assert next(t for t in at.main.text_area if t.label == FIELDS).value.splitlines() == \
        ["invoice_number", "supplier", "issue_date", "total", "currency"]
    assert widget(at, "slider", "main:quality.target").label == "Field F1 target (0-1)"


@pytest.mark.parametrize("preset", [GENERATION, EXTRACTION])
def test_the_tokens_page_shows_what_each_approach_writes_as_the_calculator_prices_it(preset):
    at = open_app("tokens", {"preset": preset})
    table = next(f.value for f in at.dataframe if "output tokens" in f.value.columns).set_index("approach")
    inputs = evaluate(load_preset(preset)).inputs
    expected = {title(name): float(REGISTRY[name].output_tokens(inputs)) for name in load_preset(preset).approaches}
    assert table["output tokens"].to_dict() == pytest.approx(expected)
    assert list(table.columns[:2]) == ["prompt tokens", "output tokens"]  # beside the prompt tokens
    assert table.loc["LoRA fine-tune", "output tokens from"] == f"answer: {inputs.quantities['tokens.answer'].source}"
    assert "sample outputs" in table.loc["Zero-shot prompt", "output tokens from"]


@pytest.mark.parametrize(("preset", "metric", "label"), [(GENERATION, "chrF", "chrF"),
                                                         (EXTRACTION, "field F1", "Field F1")])
def test_the_decision_and_costs_pages_name_the_metric_never_accuracy(preset, metric, label):
    at = open_app("decision", {"preset": preset})
    assert not at.exception and not at.error
    assert any(m.label == label for m in at.metric), [m.label for m in at.metric]
    target = Scale(load_preset(preset).metric).target(load_preset(preset).quality.target)  # "chrF 0.45 target"
    said = words(at)
    assert target.startswith(metric) and f"the {target}" in said and "accuracy" not in said.lower()
    at.switch_page(PAGES["costs"]).run()
    assert not at.exception and not at.error
    said = words(at)
    assert f"Cheapest meeting the {target}" in said and "accuracy" not in said.lower()


def test_switching_the_kind_keeps_nothing_of_the_old_one():
    at = open_app("scenario")  # support_intents: classification
    assert kind_box(at).value == "classification" and LABELS in text_areas(at)
    assert "task.output_tokens" not in numbers(at) and "task.reasoning_tokens" in numbers(at)

    kind_box(at).set_value("generation").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    task = at.session_state["scenario"].task
    assert task.kind == "generation" and task.labels == [] and not task.few_shot_examples
    areas = text_areas(at)
    assert OUTPUTS in areas and LABELS not in areas
    assert "task.output_tokens" in numbers(at) and "task.reasoning_tokens" not in numbers(at)
    assert widget(at, "slider", "main:quality.target").label == "chrF target (0-1)"
    assert all(n.value is None for n in at.main.number_input if ":quality.scores." in (n.key or ""))
    linked = open_app("scenario", dict(at.query_params.items()))  # the page's link reproduces it
    assert linked.session_state["scenario"].model_dump() == at.session_state["scenario"].model_dump()
    at.switch_page(PAGES["decision"]).run()
    assert not at.exception and any(m.label == "chrF" for m in at.metric)
    assert "accuracy" not in words(at).lower()

    at.switch_page(PAGES["scenario"]).run()
    kind_box(at).set_value("classification").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    task = at.session_state["scenario"].task
    assert task.kind == "classification" and task.sample_outputs == [] and task.output_tokens is None
    areas = text_areas(at)
    assert LABELS in areas and OUTPUTS not in areas
    assert next(t for t in at.main.text_area if t.label == LABELS).value.splitlines() == task.labels
    assert widget(at, "slider", "main:quality.target").label == "Accuracy target (%)"


def test_another_target_metric_clears_the_scores_typed_on_the_old_one():
    at = open_app("scenario", {"preset": GENERATION})
    box = next(s for s in at.main.selectbox if s.label == "Target metric")
    assert box.value == "" and "chrF (the generation task's own)" in box.format_func("")
    assert [box.format_func(m) for m in box.options[1:]] == ["ROUGE-L", "token F1", "exact match", "judge pass rate"]
    box.set_value("judge_pass_rate").run()
    scenario = at.session_state["scenario"]
    assert scenario.metric == "judge_pass_rate" and scenario.quality.scores == {}
    assert "**Judge pass rate per approach**" in "\n".join(m.value for m in at.markdown)
    assert not at.exception

"""Text tasks on the Benchmark page (issue 26): a CSV of (input, reference text) or (input, JSON object)
pairs is checked and previewed as it arrives, a JSON-object column suggests extraction, the packaged
bbc_headlines task is offered; a text run's tables, chart and grid name its metric (never accuracy),
show each input with its reference and every approach's answer and score, and it cannot be applied."""

from __future__ import annotations

import json

import pytest

from core.files import runs_dir
from core.result import save_result
from dashboard.benchmark_view import KIND, TARGET
from tests.dashboard.apptest import open_app
from tests.dashboard.text_run import INVOICES, REPLIES, pairs, text_runs
from tests.fake_result import fake_result


def _set(at, label: str, value: str) -> None:
    next(w for w in [*at.text_input, *at.selectbox] if w.label == label).set_value(value)


def upload(path, kind: str, text: str, target: str, name: str | None = None):
    at = open_app("benchmark")
    _set(at, "What the answer is", kind)
    at.run()
    _set(at, "Text column", text)
    _set(at, "Target column" if kind != "classification" else "Label column", target)
    at.file_uploader[0].upload(name or path.name, path.read_bytes()).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at) -> list[str]:
    return [c.value.replace("\\", "").replace("**", "") for c in at.caption]


def problems(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def suggestions(at) -> list[str]:
    """The page's suggestions of another kind (the page's other notes left out: no finished runs, ...)."""
    return [i.value.replace("\\", "") for i in at.info if i.value.startswith("Column")]


def test_a_generation_csv_is_previewed_as_input_and_reference_pairs(runs_root):
    at = upload(REPLIES, "generation", "ticket", "reply")
    lines = shown(at)
    assert "support_replies.csv: 40 rows; columns reply, ticket" in lines
    assert "40 inputs with their reference texts (ticket → reply); the first 3:" in lines
    preview = next(f.value for f in at.dataframe if "input (ticket)" in f.value)
    assert list(preview.itertuples(index=False, name=None)) == pairs(REPLIES)[:3]
    assert not problems(at) and not suggestions(at)
    assert [s.value.replace("\\", "") for s in at.success] == [
        "support_replies.csv is ready as a generation task: start a run with the task 'Upload'."]
    assert next(s for s in at.selectbox if s.label == "Task").value == "Upload CSV/JSONL…"
    assert next(t for t in at.text_input if t.label == "Label column").disabled


def test_an_extraction_csv_is_previewed_with_its_fields(runs_root):
    at = upload(INVOICES, "extraction", "invoice", "fields")
    lines = shown(at)
    assert "40 inputs with their JSON objects (invoice → fields); the first 3:" in lines
    assert "3 fields: currency (40), invoice_number (40), total (40)" in lines
    preview = next(f.value for f in at.dataframe if "reference (fields)" in f.value)
    assert preview["reference (fields)"][0] == pairs(INVOICES)[0][1]
    assert [s.value.replace("\\", "") for s in at.success] == [
        "invoice_fields.csv is ready as an extraction task: start a run with the task 'Upload'."]


def test_a_json_object_column_suggests_extraction_and_one_click_takes_it(runs_root):
    at = upload(INVOICES, "generation", "invoice", "fields")
    assert suggestions(at) == [
        "Column 'fields' holds JSON objects: run it as an extraction task, each object scored field by field."]
    next(b for b in at.button if b.label == "Score 'fields' as extraction").click().run()
    assert at.session_state[KIND] == "extraction" and at.session_state[TARGET] == "fields"
    assert "3 fields: currency (40), invoice_number (40), total (40)" in shown(at)
    assert not suggestions(at)


def test_free_text_as_labels_says_so_in_the_pages_words_and_offers_generation(runs_root):
    at = upload(REPLIES, "classification", "ticket", "reply")
    message = problems(at)[0]
    assert message.startswith("This file cannot be benchmarked: label column 'reply' looks like free text, not "
                              "labels: 40 distinct values in 40 rows, most seen once")
    assert message.endswith("Run it as a generation task: choose 'generation' as what the answer is and reply as "
                            "the target column.")
    assert "--task-kind" not in message
    next(b for b in at.button if b.label == "Score 'reply' as generation").click().run()
    assert at.session_state[KIND] == "generation" and not problems(at)
    assert "40 inputs with their reference texts (ticket → reply); the first 3:" in shown(at)


def test_a_jsonl_files_objects_and_lists_of_references_are_read_as_they_are(runs_root, tmp_path):
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(json.dumps({"email": f"Order {i} of {2 * i} mugs", "order": {"id": i, "qty": 2 * i},
                                           "replies": [f"Order {i} confirmed", f"Thanks for order {i}"]})
                               for i in range(12)), encoding="utf-8")
    at = upload(path, "extraction", "email", "order")
    assert "12 inputs with their JSON objects (email → order); the first 3:" in shown(at)
    assert "2 fields: id (12), qty (12)" in shown(at)
    preview = next(f.value for f in at.dataframe if "reference (order)" in f.value)
    assert preview["reference (order)"][1] == '{"id": 1, "qty": 2}'
    _set(at, "What the answer is", "generation")
    _set(at, "Target column", "replies")
    at.run()
    preview = next(f.value for f in at.dataframe if "reference (replies)" in f.value)
    assert preview["reference (replies)"][0] == "Order 0 confirmed | Thanks for order 0"  # both references
    assert not problems(at) and not at.exception


@pytest.mark.parametrize(("kind", "target", "expected"), [
    ("generation", "answer", "This file cannot be benchmarked: target_col: column 'answer' not in "
                             "support_replies.csv; columns are reply, ticket."),
    ("generation", "", "This file cannot be benchmarked: target column: name the column holding each input's "
                       "reference text."),
    ("extraction", "reply", "This file cannot be benchmarked: ticket/reply: no row of support_replies.csv has "
                            "both an input and a JSON-object target."),
])
def test_bad_text_input_is_one_line_naming_the_field_and_no_run_starts(runs_root, kind, target, expected):
    at = upload(REPLIES, kind, "ticket", target)
    assert problems(at) == [expected]
    next(b for b in at.button if b.label == "Start run").click().run()
    assert problems(at)[-1].startswith("The run was not started: support_replies.csv cannot be benchmarked: ")
    assert not at.exception and "my_runs" not in at.session_state


def test_an_approach_the_kind_cannot_measure_is_refused_in_one_line(runs_root):
    at = upload(REPLIES, "generation", "ticket", "reply")
    next(m for m in at.multiselect if m.label == "Approaches").set_value(["zero_shot", "chain_of_thought"])
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.exception
    assert problems(at)[-1].startswith("The run was not started: ")
    assert "chain_of_thought cannot be measured on a generation task" in problems(at)[-1]


def test_the_packaged_headline_task_is_offered_with_its_kind():
    at = open_app("benchmark")
    task = next(s for s in at.selectbox if s.label == "Task")
    assert task.options[:4] == ["rotten_tomatoes", "imdb", "bbc_news", "bbc_headlines (generation)"]
    task.set_value("bbc_headlines").run()
    assert not at.exception and not at.error


@pytest.fixture
def finished_text_runs(runs_root):
    yield from text_runs()


def _page_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info") for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def test_a_text_run_names_its_metric_shows_the_grid_and_is_not_applicable(finished_text_runs):
    generation, extraction = finished_text_runs
    at = open_app("benchmark")
    next(m for m in at.multiselect if m.label == "Runs to compare").set_value([generation.run_id]).run()
    table = at.dataframe[0].value.set_index("approach")
    assert "accuracy" not in table.columns and "macro-F1" not in table.columns
    assert set(table["metric"]) == {"chrF"}
    assert table.loc["LoRA fine-tune", "score"] == 0.75
    assert table.loc["LoRA fine-tune", "score 95% CI"] == "0.650–0.850"
    assert table.loc["LoRA fine-tune", "other metrics"] == "ROUGE-L 0.310 · token F1 0.280 · exact match 0.000"
    assert table.loc["LoRA fine-tune", "output tokens/s"] == 120.0
    text = _page_text(at)
    assert (f"Run {generation.run_id} measured a generation task, the scenario decides a classification task: its "
            "scores say nothing about this one.") in text
    assert not any(b.key == f"apply:{generation.run_id}" for b in at.button)
    assert "generation task: each answer scored on chrF against its reference" in text
    grid = next(f.value for f in at.dataframe if "reference" in f.value)
    test = pairs(REPLIES)[:4]
    assert list(grid["input"]) == [t for t, _ in test] and list(grid["reference"]) == [r for _, r in test]
    assert list(grid["Zero-shot prompt"]) == [f"zero_shot reply {i}" for i in range(4)]
    assert list(grid["LoRA fine-tune · chrF"]) == [0.9, 0.7, 0.8, 0.6]
    assert list(grid.columns) == ["example", "input", "reference", "Zero-shot prompt", "Zero-shot prompt · chrF",
                                  "Few-shot prompt", "Few-shot prompt · chrF", "LoRA fine-tune", "LoRA fine-tune · chrF"]
    assert "4 test examples · each answer's chrF, from 0 to 1 (mean: Zero-shot prompt 0.250 · Few-shot prompt " \
           "0.450 · LoRA fine-tune 0.750) · from run-text-gen/predictions.csv" in text
    next(t for t in at.toggle if t.label == "Raw output").set_value(True).run()
    grid = next(f.value for f in at.dataframe if "reference" in f.value)
    assert list(grid["Zero-shot prompt"]) == [f"Reply: zero_shot reply {i}" for i in range(4)]
    next(s for s in at.selectbox if s.label == "Sort").set_value("Zero-shot prompt").run()
    grid = next(f.value for f in at.dataframe if "reference" in f.value)
    assert list(grid["example"]) == [2, 0, 1, 3]  # zero-shot's lowest chrF first
    next(t for t in at.toggle if t.label == "Approaches disagree").set_value(True).run()
    grid = next(f.value for f in at.dataframe if "reference" in f.value)
    assert list(grid["example"]) == [2, 0, 1]  # example 3's answers score 0.4 to 0.6: within 0.25
    assert "3 of 4 test examples" in _page_text(at)
    assert not any(f.value.index.name == "true label" for f in at.dataframe)  # no confusion matrix
    assert not at.exception


def test_runs_of_several_kinds_side_by_side_each_name_their_metric(finished_text_runs):
    generation, extraction = finished_text_runs
    save_result(fake_result("run-labels"), runs_dir() / "run-labels")
    at = open_app("benchmark")
    next(m for m in at.multiselect if m.label == "Runs to compare").set_value(
        [extraction.run_id, generation.run_id, "run-labels"]).run()
    table = at.dataframe[0].value
    assert dict(zip(table["run"], table["metric"], strict=False)) == {"run-text-ext": "field F1",
                                                                      "run-text-gen": "chrF", "run-labels": "accuracy"}
    assert table.set_index("run").loc["run-labels", "score"].tolist() == [0.7, 0.75, 0.82]
    assert any(b.key == "apply:run-labels" for b in at.button)  # a classification run still applies
    next(s for s in at.selectbox if s.label == "Run").set_value(extraction.run_id).run()
    grid = next(f.value for f in at.dataframe if "reference" in f.value)
    assert grid["reference"][0] == pairs(INVOICES)[0][1]
    assert list(grid["Zero-shot prompt · field F1"].round(3)) == [0.0, 0.333, 0.667, 1.0]
    assert f"Run {extraction.run_id} measured a" in _page_text(at)  # an extraction task: not this scenario's kind
    assert not at.exception


def test_the_newest_run_this_session_started_is_shown_once_it_finishes(finished_text_runs):
    """A reader who started a run and waited sees its examples, even if another run was shown before."""
    generation, extraction = finished_text_runs
    at = open_app("benchmark")
    run = next(s for s in at.selectbox if s.label == "Run")
    other = next(r for r in (generation.run_id, extraction.run_id) if r != run.value)
    at.session_state["my_runs"] = [str(runs_dir() / other)]  # as if this session had started it
    at.run()
    assert next(s for s in at.selectbox if s.label == "Run").value == other
    assert any(f"from {other}/predictions.csv" in c.value.replace("\\", "") for c in at.caption)
    next(s for s in at.selectbox if s.label == "Run").set_value(run.value).run()  # the reader's choice holds
    assert next(s for s in at.selectbox if s.label == "Run").value == run.value
    at.run()
    assert next(s for s in at.selectbox if s.label == "Run").value == run.value and not at.exception

"""A finished run example by example: the results grid, its filters and the confusion matrices,
from a predictions.csv written by the runner's own writer (counts checked by hand below)."""

from __future__ import annotations

import pytest

from dashboard.run_view import (
    ANY,
    NO_ANSWER,
    NOT_RUN,
    confusion,
    filter_grid,
    read_predictions,
    results_grid,
)
from tests.dashboard.apptest import open_app
from tests.dashboard.grid_run import ARMS, LABELS, TEXTS, TRUTH, grid_runs, write_predictions


@pytest.fixture
def predictions(tmp_path):
    return read_predictions(write_predictions(tmp_path / "predictions.csv"))


def test_every_example_with_every_approach_answer_and_whether_it_was_right(predictions):
    grid = results_grid(predictions)
    assert grid.arms == ARMS
    assert list(grid.table.columns) == ["example", "text", "true label", *ARMS]
    assert list(grid.table["text"]) == TEXTS and list(grid.table["true label"]) == TRUTH
    assert list(grid.table["LoRA fine-tune"]) == ["positive", "negative", "neutral", "positive", "negative", NO_ANSWER]
    assert list(grid.table["Zero-shot prompt (endpoint)"])[4:] == [NOT_RUN, NOT_RUN]
    assert list(grid.correct["Zero-shot prompt"]) == [True, False, False, True, False, False]
    assert grid.correct["Zero-shot prompt (endpoint)"].isna().sum() == 2


def test_filters_wrong_only_and_disagreements(predictions):
    grid = results_grid(predictions)
    examples = lambda g: list(g.table["example"])  # noqa: E731
    assert examples(filter_grid(grid)) == [0, 1, 2, 3, 4, 5]
    assert examples(filter_grid(grid, ANY)) == [1, 2, 4, 5]  # 4: both local arms say negative, it is neutral
    assert examples(filter_grid(grid, "LoRA fine-tune")) == [4, 5]
    assert examples(filter_grid(grid, "Zero-shot prompt (endpoint)")) == [2]  # not run is not wrong
    # 4: the answers agree (the endpoint's "not run" is no answer); 5: negative vs no answer
    assert examples(filter_grid(grid, disagree=True)) == [1, 2, 5]
    both = filter_grid(grid, "Zero-shot prompt", disagree=True)
    assert examples(both) == [1, 2, 5] and list(both.correct["Zero-shot prompt"]) == [False] * 3


def test_confusion_matrix_per_approach_in_the_task_label_names(predictions):
    zero_shot = confusion(predictions, "Zero-shot prompt", LABELS)
    assert list(zero_shot.index) == LABELS and list(zero_shot.columns) == LABELS
    assert zero_shot.loc["negative"].tolist() == [0, 0, 1]
    assert zero_shot.loc["neutral"].tolist() == [2, 0, 1]
    assert zero_shot.loc["positive"].tolist() == [0, 0, 2]
    lora = confusion(predictions, "LoRA fine-tune", LABELS)
    assert list(lora.columns) == [*LABELS, NO_ANSWER]
    assert lora.loc["neutral"].tolist() == [1, 1, 0, 1]
    endpoint = confusion(predictions, "Zero-shot prompt (endpoint)", LABELS)
    assert endpoint.to_numpy().sum() == 4  # only the examples it answered
    assert endpoint.loc["neutral"].tolist() == [1, 0, 0]  # "neutral" never answered, still a column


def test_files_from_before_the_backend_column_and_runs_without_one(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("approach,index,text,label,prediction,correct,output\n"
                   "zero_shot,0,Fine.,positive,positive,True,positive\n"
                   "zero_shot,1,Bad.,negative,positive,False,positive\n", encoding="utf-8")
    grid = results_grid(read_predictions(old))
    assert grid.arms == ["Zero-shot prompt"] and list(filter_grid(grid, ANY).table["text"]) == ["Bad."]
    assert read_predictions(tmp_path / "missing.csv") is None


@pytest.fixture
def finished_run():
    yield from grid_runs()


def _grid_rows(at) -> list[str]:
    frame = next(f.value for f in at.dataframe if "true label" in f.value)
    return list(frame["text"])


def test_the_page_shows_the_grid_with_its_filters_and_confusion_matrices(finished_run):
    at = open_app("benchmark")
    next(m for m in at.multiselect if m.label == "Runs to compare").set_value(["run-grid-1", "run-grid-old"]).run()
    assert next(s for s in at.selectbox if s.label == "Run").value == "run-grid-1"
    assert any("uploaded file my\\_reviews\\.csv" in c.value for c in at.caption)
    assert any("3 duplicated texts were removed" in c.value for c in at.caption)
    frame = next(f.value for f in at.dataframe if "true label" in f.value)
    assert list(frame["LoRA fine-tune"]) == ["✓ positive", "✓ negative", "✓ neutral", "✓ positive", "✗ negative",
                                             f"✗ {NO_ANSWER}"]
    assert frame["Zero-shot prompt (endpoint)"].tolist()[4:] == [NOT_RUN, NOT_RUN]
    matrices = [f.value for f in at.dataframe if f.value.index.name == "true label"]
    assert len(matrices) == 3 and matrices[0].loc["neutral"].tolist() == [2, 0, 1]
    assert any(c.value == "Zero\\-shot prompt: 2 of 6 right" for c in at.caption)
    next(t for t in at.toggle if t.label == "Wrong only").set_value(True).run()
    assert _grid_rows(at) == [TEXTS[i] for i in (1, 2, 4, 5)]
    next(s for s in at.selectbox if s.label == "Wrong by").set_value("LoRA fine-tune").run()
    assert _grid_rows(at) == [TEXTS[4], TEXTS[5]]
    next(s for s in at.selectbox if s.label == "Wrong by").set_value(ANY).run()
    next(t for t in at.toggle if t.label == "Approaches disagree").set_value(True).run()
    assert _grid_rows(at) == [TEXTS[i] for i in (1, 2, 5)]
    assert any(c.value.startswith("3 of 6 test examples") for c in at.caption)
    next(s for s in at.selectbox if s.label == "Run").set_value("run-grid-old").run()
    assert any("has no per-example answers" in i.value for i in at.info)
    assert not at.exception

"""Text tasks' data (issue 26): free text passed as labels gets one short line saying how to run it;
generation and extraction files load with their references and a seeded split; a run refuses their
kinds with one line until the kinds are measured. No model is loaded."""

from __future__ import annotations

import csv
import json

import pytest
from pydantic import ValidationError

from benchmarks.config import BenchConfig
from benchmarks.tasks import (
    NO_LABEL,
    FreeTextLabelsError,
    TooFewLabelsError,
    load_task,
)


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _pairs(n: int = 1177) -> list[dict]:
    """(ticket, drafted reply) pairs: every reply its own multi-sentence text, as a user's file would hold."""
    return [{"input": f"Ticket {i}: my order {i * 7} arrived late and the invoice is wrong, please help.",
             "output": f"Hello, sorry that order {i * 7} was late. I have corrected invoice {i} and refunded "
                       f"the shipping; it should show within {i % 5 + 2} days. Kind regards, Ann"} for i in range(n)]


def test_free_text_labels_get_one_short_line_that_says_how_to_run_them(tmp_path):
    path = _write_csv(tmp_path / "pairs.csv", _pairs())
    with pytest.raises(FreeTextLabelsError) as info:
        load_task(BenchConfig(data_file=path, text_col="input", label_col="output", quick=True))
    message = str(info.value)
    assert len(message) < 400 and "\n" not in message  # was ~130,000 characters naming every reply
    assert "'output'" in message and "1,177 distinct values in 1,177 rows, most seen once" in message
    assert message.count("'Hello, sorry") == 3 and "…" in message  # three examples, each cut short
    assert message.endswith("--task-kind generation --target-col output")


def test_json_values_passed_as_labels_point_at_extraction(tmp_path):
    rows = [{"text": f"Order {i} from Ann", "fields": json.dumps({"order": i, "name": "Ann"})} for i in range(40)]
    path = _write_csv(tmp_path / "orders.csv", rows)
    with pytest.raises(FreeTextLabelsError, match="--task-kind extraction --target-col fields$"):
        load_task(BenchConfig(data_file=path, label_col="fields"))


def test_a_label_column_with_many_rare_labels_names_ten_of_them(tmp_path):
    # Labels that repeat (not free text), 40 of them seen twice: too few to split, and the message stays short.
    rows = [{"text": f"text {i}", "label": f"intent_{i % 40}"} for i in range(80)]
    path = _write_csv(tmp_path / "rare.csv", rows)
    with pytest.raises(TooFewLabelsError) as info:
        load_task(BenchConfig(data_file=path))
    message = str(info.value)
    assert not isinstance(info.value, FreeTextLabelsError)
    assert message.startswith("label: labels ['intent_0', 'intent_1', ") and message.count("'intent_") == 10
    assert "'intent_17'] and 30 more have fewer than 3 examples" in message  # sorted as text: 0, 1, 10, ..., 17


def test_a_generation_file_loads_with_its_references_and_a_seeded_split(tmp_path):
    rows = _pairs(300) + [{"input": "", "output": "a reply to nothing"}, {"input": "a ticket", "output": ""}]
    path = _write_csv(tmp_path / "pairs.csv", rows)
    config = BenchConfig(data_file=path, text_col="input", task_kind="generation", target_col="output",
                         test_size=60, val_size=20, train_size=100)
    task = load_task(config)
    assert task.kind == "generation" and task.labels == [] and task.source == "uploaded file pairs.csv"
    assert task.split_sizes == {"train": 100, "validation": 20, "test": 60}
    replies = {row["input"]: row["output"] for row in rows}
    everything = task.train + task.validation + task.test
    assert all(e.label == NO_LABEL and e.target == replies[e.text] for e in everything)
    assert len({e.text for e in everything}) == 180  # disjoint
    assert any("2 rows with an empty 'input' or 'output' were skipped" in n for n in task.notes)
    assert load_task(config).test == task.test  # the same seed, the same split
    assert load_task(config.model_copy(update={"seed": 1})).test != task.test


def test_an_extraction_file_parses_its_targets_and_drops_one_that_is_not_json(tmp_path):
    path = tmp_path / "invoices.jsonl"
    rows = [{"doc": f"Invoice {i} for Ann, {i * 3} EUR", "fields": {"number": i, "total": i * 3}} for i in range(30)]
    rows[4]["fields"] = "the total is 12 EUR"  # the 5th row: prose, not an object
    rows[9]["fields"] = json.dumps({"number": 9, "total": 27})  # an object written as text parses too
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    task = load_task(BenchConfig(data_file=path, text_col="doc", task_kind="extraction", target_col="fields",
                                 test_size=10, val_size=5))
    everything = task.train + task.validation + task.test
    assert task.kind == "extraction" and len(everything) == 29
    assert all(isinstance(e.target, dict) and set(e.target) == {"number", "total"} for e in everything)
    assert "1 rows whose 'fields' is not a JSON object were skipped (the first: row 5)" in task.notes
    assert "number, total" in task.instruction


def test_json_targets_of_a_generation_task_suggest_extraction(tmp_path):
    rows = [{"input": f"Order {i}", "output": json.dumps({"order": i})} for i in range(30)]
    path = _write_csv(tmp_path / "orders.csv", rows)
    task = load_task(BenchConfig(data_file=path, text_col="input", task_kind="generation", target_col="output",
                                 test_size=10))
    assert "target_col 'output' holds JSON objects: --task-kind extraction --target-col output scores them " \
           "field by field" in task.notes


@pytest.mark.parametrize(("fields", "message"), [
    ({"task_kind": "generation", "target_col": "output"}, "task_kind: the built-in task rotten_tomatoes is classification"),
    ({"task_kind": "extraction", "data_file": "d.csv"}, "target_col: task_kind extraction needs the column"),
    ({"task_kind": "generation", "data_file": "d.csv"}, "holding each input's reference text"),
    ({"data_file": "d.csv", "target_col": "output"}, "target_col: only for task_kind generation or extraction"),
    ({"task_kind": "translation"}, "'classification', 'generation' or 'extraction'"),
])
def test_config_checks_name_the_field(fields, message):
    with pytest.raises(ValidationError, match=message):
        BenchConfig(**fields)
    assert BenchConfig(data_file="d.csv").task_kind == "classification"  # the default, label_col as before


def test_the_packaged_headline_task_pairs_each_lead_paragraph_with_its_headline():
    task = load_task(BenchConfig(task="bbc_headlines", quick=True))
    assert task.kind == "generation" and task.split_sizes == {"train": 512, "validation": 100, "test": 240}
    halo = next(e for e in task.test + task.train + task.validation if e.text.startswith("Xbox video game Halo 2"))
    assert halo.target == "Halo fans' hope for sequel"  # bbcnews/data/tech: the file's first line
    assert all(len(e.text) <= 600 and "\n" not in e.target for e in task.test)
    assert "159 duplicated texts were removed" in task.notes[0]
    assert (task.instruction, task.input_name, task.answer_name) == (
        "Write a short headline for this news article.", "Article", "Headline")


def test_a_quick_text_run_skips_the_paraphrase_passes_and_a_full_one_keeps_them():
    """Each consistency paraphrase generates every answer again (265 s of a 1,074 s quick headline run); quick
    mode keeps them for classification, where they are label scores, and whoever asks gets them."""
    from benchmarks.config import BenchConfig

    assert BenchConfig(task="bbc_headlines", quick=True).consistency is False
    assert BenchConfig(quick=True).consistency is True
    assert BenchConfig(task="bbc_headlines").consistency is True
    assert BenchConfig(task="bbc_headlines", quick=True, consistency=True).consistency is True

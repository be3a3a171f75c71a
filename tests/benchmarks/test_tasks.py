"""Tasks: splits are deterministic, stratified and disjoint; user files with odd data work or fail clearly."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from benchmarks.config import BenchConfig
from benchmarks.tasks import (
    DataEncodingError,
    EmptyDataError,
    MissingColumnError,
    TooFewLabelsError,
    load_task,
    stratified_split,
)


def test_split_is_deterministic_stratified_and_disjoint():
    labels = [0] * 600 + [1] * 300 + [2] * 100
    sizes = {"test": 100, "validation": 50, "train": 400}
    first = stratified_split(labels, sizes, seed=7)
    assert first == stratified_split(labels, sizes, seed=7)
    assert first != stratified_split(labels, sizes, seed=8)
    seen = [i for split in first.values() for i in split]
    assert len(seen) == len(set(seen))
    assert {k: len(v) for k, v in first.items()} == sizes
    for split, want in sizes.items():
        counts = Counter(labels[i] for i in first[split])
        for label, share in ((0, 0.6), (1, 0.3), (2, 0.1)):
            assert abs(counts[label] - share * want) <= 1, (split, label, counts)


def _write_csv(tmp_path, rows, name="data.csv"):
    import csv

    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_user_csv_with_odd_labels_extra_columns_and_unicode(tmp_path):
    odd = ["très_bien 👍", "pas-bon!", "n/a (unsure)"]
    rows = [{"id": i, "avis": f"Ça {'était' if i % 2 else 'fut'} génial — 映画 {i}", "note": odd[i % 3],
             "extra": "x"} for i in range(60)]
    rows.append({"id": 99, "avis": "", "note": odd[0], "extra": "empty text row"})
    path = _write_csv(tmp_path, rows)
    task = load_task(BenchConfig(data_file=path, text_col="avis", label_col="note", test_size=12, val_size=6))
    assert sorted(task.labels) == sorted(odd)
    assert task.verbalizers[task.labels.index("très_bien 👍")] == "très bien 👍"
    assert task.split_sizes == {"train": 42, "validation": 6, "test": 12}
    assert any("映画" in e.text for e in task.train + task.test)
    assert any("1 rows" in n and "avis" in n for n in task.notes)
    assert task.source == "uploaded file data.csv" and str(tmp_path) not in task.source  # no server path


def test_user_jsonl_and_truncation_note(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps({"t": f"long text {i} " * 50, "y": i % 2}) for i in range(30)), encoding="utf-8")
    task = load_task(BenchConfig(data_file=path, text_col="t", label_col="y", max_text_chars=100, test_size=10))
    assert task.labels == ["0", "1"]
    assert all(len(e.text) <= 100 for e in task.train)
    assert any("truncated" in n for n in task.notes)


@pytest.mark.parametrize(
    ("rows", "kwargs", "error", "names"),
    [
        ([{"text": "a", "label": "x"}] * 10, {"label_col": "y"}, MissingColumnError, "label_col"),
        ([{"text": "a", "label": "x"}] * 10, {}, TooFewLabelsError, "label"),
        ([{"text": "", "label": "x"}] * 10, {}, EmptyDataError, "text"),
    ],
)
def test_bad_user_data_raises_a_clear_error(tmp_path, rows, kwargs, error, names):
    path = _write_csv(tmp_path, rows)
    with pytest.raises(error, match=names):
        load_task(BenchConfig(data_file=path, **kwargs))


def test_non_utf8_file_is_reported(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\ncaf\xe9 bon,1\n".encode("latin-1") * 5)
    with pytest.raises(DataEncodingError, match="UTF-8"):
        load_task(BenchConfig(data_file=path))


@pytest.mark.parametrize(("task", "labels"), [("rotten_tomatoes", ["negative", "positive"]),
                                              ("bbc_news", ["business", "entertainment", "politics", "sport", "tech"])])
def test_builtin_tasks(task, labels):
    loaded = load_task(BenchConfig(task=task, test_size=50, train_size=100))
    assert loaded.labels == labels
    assert loaded.split_sizes == {"train": 100, "validation": 100, "test": 50}
    assert set(e.label for e in loaded.test) == set(range(len(labels)))


def test_quick_mode_trains_on_16_examples_a_label_when_the_data_has_them(tmp_path):
    from tools import intents

    many = intents.write_csv(tmp_path / "it.csv", per_label=30)  # 1,800 rows, 60 intents
    task = load_task(BenchConfig(quick=True, data_file=many, text_col="text", label_col="label"))
    per_label = Counter(e.label for e in task.train)
    assert len(task.train) == 16 * 60 == 960  # each label its share of the data: 14 to 17 here
    assert min(per_label.values()) >= 14 and len(per_label) == 60
    assert not any(n.startswith("training split") for n in task.notes)

    binary = load_task(BenchConfig(quick=True))  # 2 labels: the quick size, 512, is already more
    assert len(binary.train) == 512
    explicit = load_task(BenchConfig(quick=True, data_file=many, text_col="text", label_col="label", train_size=120))
    assert len(explicit.train) == 120  # a size that was asked for is kept, and the note says what it means
    assert any("60 of 60 labels have fewer than 8 examples (fewest 2)" in n for n in explicit.notes)


def test_the_default_training_size_survives_the_run_folder_round_trip():
    config = BenchConfig(quick=True)
    again = BenchConfig.model_validate_json(config.model_dump_json())  # how a run's worker reads config.json
    assert again.train_size is None and again.training_examples(77) == config.training_examples(77) == 77 * 16

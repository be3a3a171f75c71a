"""Bad uploaded datasets: each case is a clear message naming the field, or a run that says
what it changed (dropped, truncated, fewer examples) — never a traceback."""

from __future__ import annotations

import json

import pytest

from benchmarks import tasks
from benchmarks.approaches.base import Context
from benchmarks.approaches.few_shot import fitted_shots
from benchmarks.config import BenchConfig
from benchmarks.environment import describe
from benchmarks.tasks import TaskDataError, balanced_shots, load_task


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def rows_csv(n: int = 30, labels=("good", "bad")) -> str:
    return "text,label\n" + "".join(f"review number {i},{labels[i % len(labels)]}\n" for i in range(n))


BAD_FILES = [
    ("latin1-encoding", "d.csv", "text,label\ncaf\xe9,good\n".encode("latin-1"), {}, "not UTF-8"),
    ("missing-text-column", "d.csv", rows_csv(), {"text_col": "body"}, "text_col: column 'body'"),
    ("missing-label-column", "d.csv", rows_csv(), {"label_col": "y"}, "label_col: column 'y'"),
    ("single-label", "d.csv", rows_csv(labels=("good",)), {}, "at least 2 distinct labels"),
    ("rare-label", "d.csv", rows_csv() + "one more,meh\n", {}, "fewer than 3 examples"),
    ("all-rows-empty", "d.csv", "text,label\n,good\n ,bad\n", {}, "every row"),
    ("no-rows", "d.csv", "text,label\n", {}, "has no rows"),
    ("unsupported-format", "d.xlsx", "not a sheet", {}, "must be .csv or .jsonl"),
    ("jsonl-not-object", "d.jsonl", '{"text": "a", "label": "x"}\n[1, 2]\n', {}, "line 2"),
    ("jsonl-broken-line", "d.jsonl", '{"text": "a", "label": "x"}\n{"text": \n', {}, "line 2"),
    ("all-duplicates", "d.csv", "text,label\n" + "same text,good\n" * 5 + "same text,bad\n" * 5, {},
     "at least 2 distinct labels"),
]


@pytest.mark.parametrize(("name", "content", "options", "needle"),
                         [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_dataset_is_named(tmp_path, name, content, options, needle):
    path = write(tmp_path, name, content)
    with pytest.raises(TaskDataError) as info:
        load_task(BenchConfig(data_file=path, **options))
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, "big.csv", rows_csv())
    with pytest.raises(tasks.FileTooLargeError, match="the limit is"):
        load_task(BenchConfig(data_file=path))


def test_duplicated_texts_are_removed_and_reported(tmp_path):
    content = rows_csv(30) + "review number 0,good\nreview number 1,good\n"  # one repeat, one conflicting
    task = load_task(BenchConfig(data_file=write(tmp_path, "d.csv", content), test_size=10))
    texts = [e.text for e in task.train + task.validation + task.test]
    assert len(texts) == len(set(texts)) == 30
    assert "2 duplicated texts were removed (kept the first of each; 1 duplicates had a different label)" in task.notes


def test_empty_rows_and_long_texts_are_reported(tmp_path):
    rows = [{"text": f"{i} " + "word " * 400, "label": "ab"[i % 2]} for i in range(30)] + [{"text": "", "label": "a"}]
    path = write(tmp_path, "d.jsonl", "\n".join(json.dumps(r) for r in rows))
    task = load_task(BenchConfig(data_file=path, max_text_chars=200, test_size=10))
    assert all(len(e.text) <= 200 for e in task.train + task.test)
    assert any("30 texts longer than 200 characters were truncated" in n for n in task.notes)
    assert any("1 rows with an empty" in n for n in task.notes)


@pytest.mark.slow
def test_more_classes_than_few_shot_fits_in_the_context(tmp_path, loaded):
    labels = [f"class_{c}" for c in range(12)]
    content = "text,label\n" + "".join(
        f"{'a rather long example sentence ' * 6} {i},{labels[i % 12]}\n" for i in range(96))
    config = BenchConfig(data_file=write(tmp_path, "d.csv", content), k=12, max_seq_len=256, test_size=24,
                         chat_template="off")
    ctx = Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"),
                  emit=lambda event: None)
    kept = fitted_shots(ctx, balanced_shots(ctx.task, 12, 0))
    assert 1 <= len(kept) < 12
    assert len(ctx.templates.builder(shots=kept).prefix_ids) <= 128
    note = ctx.notes[-1]
    assert note.startswith("k: 12 few-shot examples do not fit in half of max_seq_len (256 tokens)")
    assert "raise max_seq_len or lower k" in note

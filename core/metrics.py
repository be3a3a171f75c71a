"""The quality metrics both halves speak of: their names as a reader reads them, how a value is
written, and which metric each task kind is measured and decided on.

Every metric is a fraction from 0 to 1 in files and formulas, and is written so on every face (chrF
too: sacrebleu's 55.0 is 0.550 here, as the run tables have it); `shown` writes a share as a percentage. benchmarks/text_metrics.py computes them; the scenario's
quality target (calculator/scenario.py) is stated on one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["percent", "fraction"]  # accuracy 85.0%; chrF 0.550, field F1 0.900


@dataclass(frozen=True)
class Metric:
    name: str
    title: str  # as a reader reads it: "chrF", "field F1"
    unit: Unit
    help: str


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("accuracy", "accuracy", "percent", "share of answers with the right label"),
    Metric("macro_f1", "macro-F1", "fraction", "F1 per label, averaged over the labels"),
    Metric("chrf", "chrF", "fraction", "character n-gram F-score of the answer against its reference, 0-1 "
           "(sacrebleu's 0-100 divided by 100, as every run table writes it)"),
    Metric("rouge_l", "ROUGE-L", "fraction", "longest common word subsequence F-score against the reference"),
    Metric("token_f1", "token F1", "fraction", "word overlap F1 against the reference"),
    Metric("exact_match", "exact match", "percent", "share of answers equal to the reference (normalised)"),
    Metric("field_f1", "field F1", "fraction", "F1 of the (field, value) pairs of the JSON answer"),
    Metric("field_precision", "field precision", "fraction", "share of the answer's fields that are right"),
    Metric("field_recall", "field recall", "fraction", "share of the reference's fields the answer has right"),
    Metric("json_valid", "valid JSON", "percent", "share of answers that parse as one JSON object"),
    Metric("schema_valid", "valid schema", "percent", "share of answers that meet the JSON schema"),
    Metric("judge_pass_rate", "judge pass rate", "percent", "share of answers a judge model accepts"),
)}

# The metric each task kind is measured on first, and those it may be decided on (its quality target).
PRIMARY: dict[str, str] = {
    "classification": "accuracy",
    # chrF: character n-grams credit paraphrase and inflected forms that share stems, need no
    # tokenizer (any language or script), and are stable on one sentence, unlike BLEU's word 4-grams.
    "generation": "chrf",
    # Field F1: each field right or wrong, partial answers partly credited, extra fields cost precision.
    "extraction": "field_f1",
}
TARGET_METRICS: dict[str, tuple[str, ...]] = {
    "classification": ("accuracy",),
    "generation": ("chrf", "rouge_l", "token_f1", "exact_match", "judge_pass_rate"),
    "extraction": ("field_f1", "exact_match", "json_valid", "judge_pass_rate"),
}


def metric_name(metric: str) -> str:
    """"chrF", "field F1", "accuracy": a metric id as a reader reads it (an unknown one in words)."""
    found = METRICS.get(metric)
    return found.title if found else metric.replace("_", " ")


def shown(metric: str, value: float, digits: int = 1) -> str:
    """A value in the metric's unit: "85.0%" (a share), "0.550" (chrF, field F1)."""
    unit = METRICS[metric].unit if metric in METRICS else "fraction"
    if unit == "percent":
        return f"{value:.{digits}%}"
    return f"{value:.{digits + 2}f}"


def with_name(metric: str, value: float, digits: int = 1) -> str:
    """"accuracy 85.0%", "chrF 0.550", "field F1 0.900"."""
    return f"{metric_name(metric)} {shown(metric, value, digits)}"

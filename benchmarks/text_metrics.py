"""Per-example scores of a text or JSON answer against its reference(s), each in [0, 1] (torch-free).

chrF comes from sacrebleu, ROUGE-L from Google's rouge-score, schema validity from jsonschema;
exact match and token F1 follow the SQuAD evaluation script. With several references an example
scores the best over them, metric by metric. The mean over a split and its interval are
`benchmarks.metrics.bootstrap_mean`'s.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from jsonschema.validators import validator_for
from sacrebleu.metrics import CHRF

from core.metrics import PRIMARY

Metric = Callable[[str, Sequence[str]], float]  # (prediction, references) -> score in [0, 1]

_CHRF = CHRF()  # sacrebleu's defaults: character 6-grams, no word n-grams, beta 2
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lowercase, drop punctuation and the articles a/an/the,
    collapse whitespace (`normalize_answer` in the SQuAD v1.1 evaluation script, evaluate-v1.1.py)."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalize(prediction) == normalize(reference))


def token_f1(prediction: str, reference: str) -> float:
    """F1 of the normalised tokens shared, as SQuAD's `f1_score`; two empty answers agree
    (SQuAD v2.0's rule)."""
    predicted, wanted = normalize(prediction).split(), normalize(reference).split()
    if not predicted or not wanted:
        return float(predicted == wanted)
    shared = sum((Counter(predicted) & Counter(wanted)).values())
    return 2 * shared / (len(predicted) + len(wanted))


def chrf(prediction: str, reference: str) -> float:
    """Sentence-level chrF (sacrebleu), scaled from 0-100 to [0, 1]."""
    return _CHRF.sentence_score(prediction, [reference]).score / 100


@cache
def _rouge_l_scorer():
    # Imported on first use: rouge-score's stemmer imports all of nltk (seconds).
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure (longest common subsequence of stemmed tokens) from Google's rouge-score,
    the reimplementation of ROUGE-1.5.5 checked against it, which Hugging Face `evaluate`'s ROUGE wraps.
    Its tokenizer keeps only [a-z0-9], so text in other scripts scores 0 (chrF has no such limit)."""
    return _rouge_l_scorer().score(reference, prediction)["rougeL"].fmeasure


def parse_json(text: str) -> dict[str, Any] | None:
    """The JSON object starting at the first `{` of the text, or None.

    Decoding stops where the object ends, so a ```json fence or prose around it is tolerated;
    an object cut short (a token limit) does not parse."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        found, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


def json_valid(text: str) -> bool:
    return parse_json(text) is not None


def schema_valid(text: str, schema: Mapping[str, Any]) -> bool:
    """The answer's JSON object is valid under `schema` (its draft read from `$schema`, else the latest);
    an invalid schema raises `jsonschema.SchemaError`."""
    found = parse_json(text)
    if found is None:
        return False
    validator = validator_for(schema)
    validator.check_schema(schema)
    return validator(schema).is_valid(found)


def flatten(obj: Mapping[str, Any], prefix: str = "") -> set[tuple[str, str]]:
    """Key-value pairs with nested objects as dotted keys (`{"a": {"b": 1}}` -> `("a.b", "1")`);
    values as text (a string as itself, anything else as its JSON) under exact match's normalisation."""
    pairs = set()
    for key, value in obj.items():
        if isinstance(value, Mapping):
            pairs |= flatten(value, f"{prefix}{key}.")
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            pairs.add((f"{prefix}{key}", normalize(text)))
    return pairs


def field_scores(prediction: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 over flattened key-value pairs; an answer that does not parse scores 0."""
    found, wanted = parse_json(prediction), parse_json(reference)
    if found is None or wanted is None:
        return (0.0, 0.0, 0.0)
    predicted, expected = flatten(found), flatten(wanted)
    if not predicted and not expected:
        return (1.0, 1.0, 1.0)
    right = len(predicted & expected)
    precision = right / len(predicted) if predicted else 0.0
    recall = right / len(expected) if expected else 0.0
    return (precision, recall, 2 * right / (len(predicted) + len(expected)))


def best_of(score: Callable[[str, str], float]) -> Metric:
    """A per-reference score made a per-example one: the best over the example's references."""

    def metric(prediction: str, references: Sequence[str]) -> float:
        if not references:
            raise ValueError("an example needs at least one reference")
        return max(score(prediction, reference) for reference in references)

    return metric


METRICS: dict[str, Metric] = {
    "exact_match": best_of(exact_match),
    "token_f1": best_of(token_f1),
    "chrf": best_of(chrf),
    "rouge_l": best_of(rouge_l),
    "json_valid": lambda prediction, _references: float(json_valid(prediction)),
    "field_precision": best_of(lambda p, r: field_scores(p, r)[0]),
    "field_recall": best_of(lambda p, r: field_scores(p, r)[1]),
    "field_f1": best_of(lambda p, r: field_scores(p, r)[2]),
}

BESIDE = {
    "generation": ("rouge_l", "token_f1", "exact_match"),
    "extraction": ("field_precision", "field_recall", "json_valid"),
}


def score_example(
    kind: str, prediction: str, references: Sequence[str], schema: Mapping[str, Any] | None = None
) -> dict[str, float]:
    """Every metric of `kind` for one example, the primary first; `schema_valid` too given a schema."""
    scores = {
        name: METRICS[name](prediction, references) for name in (PRIMARY[kind], *BESIDE[kind])
    }
    if schema is not None:
        scores["schema_valid"] = float(schema_valid(prediction, schema))
    return scores
